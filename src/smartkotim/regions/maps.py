"""Map data: the GeoJSON drawn on region pages (real boundaries or schematic tiles) and boundary exports.

A region's map shows its children (the kecamatan of the kabupaten, the desa of a kecamatan); a desa's
map shows the desa of its kecamatan with itself marked ``selected``. Real geometry is used when the
children's level has a current boundary import; otherwise schematic tiles (``regions.schematic``).
"""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from smartkotim.regions import queries
from smartkotim.regions.errors import RegionNotFoundError
from smartkotim.regions.models import Region, RegionLevel
from smartkotim.regions.schemas import FeatureCollectionOut, GeoFeatureOut
from smartkotim.regions.schematic import desa_tiles, kecamatan_tiles

CHILD_LEVEL = {RegionLevel.KABUPATEN: RegionLevel.KECAMATAN, RegionLevel.KECAMATAN: RegionLevel.DESA}
COORDINATE_DIGITS = 6  # about 0.1 m


def region_url(code: str) -> str:
    """The page of region ``code``."""
    return f"/wilayah/{code}"


def _properties(region: Region, *, schematic: bool, selected: bool, **extra: Any) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "kind": region.kind,
        "level": region.level,
        "schematic": schematic,
        "selected": selected,
        "url": region_url(region.code),
        **extra,
    }


def _rounded(geometry_geojson: str) -> dict[str, Any]:
    geom = shapely.set_precision(
        shapely.from_geojson(geometry_geojson), 10**-COORDINATE_DIGITS, mode="pointwise"
    )
    result: dict[str, Any] = json.loads(shapely.to_geojson(geom))
    return result


def _shown_regions(session: Session, region: Region) -> tuple[list[Region], RegionLevel]:
    if region.level == RegionLevel.DESA:
        return queries.list_children(session, region.parent_code or ""), RegionLevel.DESA
    return queries.list_children(session, region.code), CHILD_LEVEL[RegionLevel(region.level)]


def _schematic_geometries(session: Session, regions: list[Region], level: RegionLevel) -> dict[str, Any]:
    if not regions:
        return {}
    regency_code = regions[0].code[:5]
    kecamatan = queries.list_regions(session, regency_code=regency_code, level=RegionLevel.KECAMATAN)
    tiles = kecamatan_tiles(regency_code, [k.code for k in kecamatan])
    if level == RegionLevel.KECAMATAN:
        return {code: square for code, (square, _) in tiles.items()}
    parent = regions[0].parent_code or ""
    return desa_tiles(tiles[parent][0], [r.code for r in regions]) if parent in tiles else {}


def _real_map(
    session: Session, code: str, shown: list[Region], level: RegionLevel, import_id: int
) -> FeatureCollectionOut:
    rows = {
        b.region_code: b for b in queries.list_boundaries(session, import_id, codes=[r.code for r in shown])
    }
    features = [
        GeoFeatureOut(
            id=r.code,
            properties=_properties(
                r, schematic=False, selected=r.code == code, area_km2=rows[r.code].area_km2
            ),
            geometry=_rounded(rows[r.code].geometry_geojson),
        )
        for r in shown
        if r.code in rows
    ]
    missing = [r.code for r in shown if r.code not in rows]
    return FeatureCollectionOut(
        region=code,
        level=level,
        schematic=False,
        import_id=import_id,
        missing_codes=missing,
        features=features,
    )


def _schematic_map(
    session: Session, code: str, shown: list[Region], level: RegionLevel
) -> FeatureCollectionOut:
    squares = _schematic_geometries(session, shown, level)
    features = [
        GeoFeatureOut(
            id=r.code,
            properties=_properties(r, schematic=True, selected=r.code == code),
            geometry=dict(mapping(squares[r.code])),
        )
        for r in shown
        if r.code in squares
    ]
    missing = [r.code for r in shown if r.code not in squares]
    return FeatureCollectionOut(
        region=code, level=level, schematic=True, missing_codes=missing, features=features
    )


def build_region_map(session: Session, code: str) -> FeatureCollectionOut:
    """The GeoJSON map of region ``code`` (WGS84; schematic tiles when no boundaries are imported).

    Raises:
        RegionNotFoundError: no region ``code`` in the register.
    """
    region = queries.get_region(session, code)
    if region is None:
        raise RegionNotFoundError(code)
    shown, level = _shown_regions(session, region)
    current = queries.get_current_import(session, level)
    if current is not None:
        return _real_map(session, code, shown, level, current.id)
    return _schematic_map(session, code, shown, level)


def is_map_schematic(session: Session, region: Region) -> bool:
    """True when the map of ``region`` would be drawn from schematic tiles."""
    level = RegionLevel.DESA if region.level == RegionLevel.DESA else CHILD_LEVEL[RegionLevel(region.level)]
    return queries.get_current_import(session, level) is None


def export_boundaries(session: Session, level: RegionLevel) -> FeatureCollectionOut | None:
    """Every geometry of the current import of ``level`` as GeoJSON (full precision), or ``None``."""
    current = queries.get_current_import(session, level)
    if current is None:
        return None
    rows = queries.list_boundaries(session, current.id)
    names = (
        {r.code: r for r in queries.list_regions(session, regency_code=rows[0].region_code[:5], level=level)}
        if rows
        else {}
    )
    features = []
    for b in rows:
        region = names.get(b.region_code)
        props = {
            "code": b.region_code,
            "name": region.name if region else None,
            "kind": region.kind if region else None,
            "area_km2": b.area_km2,
            "import_id": current.id,
        }
        features.append(
            GeoFeatureOut(id=b.region_code, properties=props, geometry=json.loads(b.geometry_geojson))
        )
    return FeatureCollectionOut(level=level, schematic=False, import_id=current.id, features=features)
