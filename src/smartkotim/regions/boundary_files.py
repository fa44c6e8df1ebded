"""Reading a boundary file: GeoJSON, GeoPackage or zipped Shapefile, any CRS → WGS84 polygons.

``read_boundary_file`` returns the features in file order (feature index = 0-based position) with
their geometry reprojected to EPSG:4326, invalid polygons repaired with ``shapely.make_valid`` (and
listed), and raises ``BoundaryImportError`` naming the file, feature, field and rule otherwise.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from smartkotim.regions.errors import BoundaryImportError

WGS84 = "EPSG:4326"
_POLYGONAL = {"Polygon", "MultiPolygon"}
_READABLE_INSIDE_ZIP = (".shp", ".gpkg", ".geojson", ".json")


@dataclass(slots=True)
class BoundaryFile:
    """The features of one file: ``frame`` is a GeoDataFrame in EPSG:4326 with a 0-based RangeIndex."""

    file_name: str
    sha256: str
    frame: gpd.GeoDataFrame
    source_crs: str
    layer: str | None
    notes: list[str] = field(default_factory=list)
    repaired: list[dict[str, Any]] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    """SHA-256 hex digest of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _gdal_path(path: Path, name: str) -> str:
    """The path GDAL opens: a ``/vsizip/`` path to the one dataset inside a zip archive."""
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(_READABLE_INSIDE_ZIP)]
    except zipfile.BadZipFile as exc:
        raise BoundaryImportError(name, f"not a readable zip archive ({exc})") from exc
    shapefiles = [m for m in members if m.lower().endswith(".shp")]
    chosen = shapefiles or members
    if len(chosen) != 1:
        found = ", ".join(chosen) or "none"
        raise BoundaryImportError(
            name, f"the zip must hold exactly one Shapefile or GIS file (found: {found})"
        )
    return f"/vsizip/{path.resolve()}/{chosen[0]}"


def _unreadable(name: str, exc: Exception) -> BoundaryImportError:
    detail = str(exc).split(";")[0].strip()
    return BoundaryImportError(
        name, f"not a GIS file readable as GeoJSON, GeoPackage or zipped Shapefile ({detail})"
    )


def _choose_layer(gdal_path: str, name: str) -> str | None:
    try:
        layers = pyogrio.list_layers(gdal_path)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise _unreadable(name, exc) from exc
    if len(layers) <= 1:
        return None
    polygonal = [str(n) for n, kind in layers if kind and "Polygon" in str(kind)]
    if len(polygonal) != 1:
        names = ", ".join(str(n) for n, _ in layers)
        raise BoundaryImportError(name, f"the file holds several layers ({names}); keep one polygon layer")
    return polygonal[0]


def _read_frame(gdal_path: str, layer: str | None, name: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(gdal_path, layer=layer, engine="pyogrio")
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise _unreadable(name, exc) from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry is None:
        raise BoundaryImportError(name, "the file has no geometry column")
    if len(frame) == 0:
        raise BoundaryImportError(name, "the file holds no features")
    return frame.reset_index(drop=True)


def _to_wgs84(frame: gpd.GeoDataFrame, name: str, notes: list[str]) -> tuple[gpd.GeoDataFrame, str]:
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundaryImportError(
                name, "the file has no CRS and its coordinates are not longitude/latitude"
            )
        notes.append("no CRS in the file: coordinates taken as WGS84 longitude/latitude")
        return frame.set_crs(WGS84), "unknown (taken as EPSG:4326)"
    source = frame.crs.to_string()
    return (frame if frame.crs.equals(WGS84) else frame.to_crs(WGS84)), source


def _check_geometry(index: int, geom: Any, name: str) -> None:
    if geom is None or shapely.is_empty(geom):
        raise BoundaryImportError(name, "the feature has no geometry", feature=index, field="geometry")
    if geom.geom_type not in _POLYGONAL:
        raise BoundaryImportError(
            name, "polygons expected", feature=index, field="geometry", value=geom.geom_type
        )


def _repair(index: int, geom: Any, name: str) -> tuple[Any, str]:
    """A valid (multi)polygon for ``geom`` and the GEOS reason it was invalid."""
    reason = shapely.is_valid_reason(geom)
    parts = [p for p in shapely.get_parts(shapely.make_valid(geom)) if p.geom_type in _POLYGONAL]
    repaired = shapely.union_all(parts) if parts else None
    if repaired is None or repaired.is_empty or repaired.area == 0:
        raise BoundaryImportError(
            name, f"invalid polygon that cannot be repaired ({reason})", feature=index, field="geometry"
        )
    return repaired, reason


def _clean_geometries(frame: gpd.GeoDataFrame, name: str) -> list[dict[str, Any]]:
    """Drop Z, check types, repair invalid polygons in place; return what was repaired."""
    repaired: list[dict[str, Any]] = []
    geoms = list(shapely.force_2d(frame.geometry.values))
    for i, geom in enumerate(geoms):
        _check_geometry(i, geom, name)
        if not shapely.is_valid(geom):
            geoms[i], reason = _repair(i, geom, name)
            repaired.append({"feature": i, "reason": reason})
    frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return repaired


def read_boundary_file(path: Path, *, display_name: str | None = None) -> BoundaryFile:
    """Read the polygons of ``path`` (GeoJSON, GeoPackage, zipped Shapefile) in EPSG:4326.

    ``display_name`` names the file in messages (default: the file name).

    Raises:
        BoundaryImportError: missing, empty or unreadable file; no features; several polygon layers;
            a feature without geometry or with a non-polygon geometry; an unrepairable polygon.
    """
    name = display_name or path.name
    if not path.is_file():
        raise BoundaryImportError(name, "file not found")
    if path.stat().st_size == 0:
        raise BoundaryImportError(name, "the file is empty")
    gdal_path = _gdal_path(path, name)
    layer = _choose_layer(gdal_path, name)
    notes: list[str] = []
    frame, source_crs = _to_wgs84(_read_frame(gdal_path, layer, name), name, notes)
    repaired = _clean_geometries(frame, name)
    return BoundaryFile(name, file_sha256(path), frame, source_crs, layer, notes, repaired)
