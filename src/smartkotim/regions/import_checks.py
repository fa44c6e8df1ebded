"""Checks of a boundary file against what is already known: the regency's extent and kecamatan.

* Every feature's representative point must lie within the regency: the current kabupaten boundary
  (else the current kecamatan or desa boundaries), widened by ``TOLERANCE_DEGREES`` because sources
  disagree at the edges; without any boundary, the box around the kecamatan capitals widened by
  ``CAPITALS_MARGIN_DEGREES``; for a regency without known capitals, only Indonesia's box.
* For a desa file, each feature's parent kecamatan is found by containment of its representative
  point in the current kecamatan boundaries (when imported).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import Geometry, box
from sqlalchemy.orm import Session

from smartkotim.lib.geo_index import PolygonIndex
from smartkotim.regions import queries
from smartkotim.regions.boundary_files import BoundaryFile
from smartkotim.regions.errors import BoundaryImportError
from smartkotim.regions.import_fields import FileFields
from smartkotim.regions.models import RegionLevel
from smartkotim.regions.schematic import capital_positions

TOLERANCE_DEGREES = 0.05  # about 5.5 km
CAPITALS_MARGIN_DEGREES = 0.5
INDONESIA_BOX = (94.0, -11.5, 142.0, 6.5)


def regency_extent(session: Session, regency_code: str) -> tuple[Geometry, str]:
    """The area features must fall in, and a phrase saying where it comes from."""
    for level in (RegionLevel.KABUPATEN, RegionLevel.KECAMATAN, RegionLevel.DESA):
        rows = queries.list_current_boundaries(session, level)
        if rows:
            union = shapely.union_all(shapely.from_geojson([r.geometry_geojson for r in rows]))
            return union.buffer(TOLERANCE_DEGREES), f"the current {level} boundaries (± {TOLERANCE_DEGREES}°)"
    positions = list(capital_positions(regency_code).values())
    if positions:
        lons, lats = [p[0] for p in positions], [p[1] for p in positions]
        margin = CAPITALS_MARGIN_DEGREES
        area = box(min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)
        return area, f"the area around the kecamatan capitals (± {margin}°)"
    return box(*INDONESIA_BOX), "Indonesia"


def representative_points(boundary_file: BoundaryFile) -> np.ndarray:
    """A point surely inside each feature (``shapely.point_on_surface``), in file order."""
    points: np.ndarray = shapely.point_on_surface(boundary_file.frame.geometry.values)
    return points


def check_inside_regency(
    session: Session, boundary_file: BoundaryFile, fields: FileFields, *, regency_code: str, regency_name: str
) -> None:
    """Refuse the file when a feature lies outside the regency.

    Raises:
        BoundaryImportError: naming the first feature outside, its code or name, and how many others.
    """
    extent, source = regency_extent(session, regency_code)
    shapely.prepare(extent)
    points = representative_points(boundary_file)
    outside = np.flatnonzero(~shapely.contains(extent, points))
    if outside.size == 0:
        return
    first = int(outside[0])
    column = fields.code_field or fields.name_field
    value = boundary_file.frame.iloc[first][column] if column else None
    point = points[first]
    more = f" (and {outside.size - 1} more features)" if outside.size > 1 else ""
    raise BoundaryImportError(
        boundary_file.file_name,
        f"feature lies outside {regency_name}: its point ({point.x:.4f}, {point.y:.4f}) is not within "
        f"{source}{more}",
        feature=first,
        field=column,
        value=value,
    )


def spatial_parents(session: Session, boundary_file: BoundaryFile, level: RegionLevel) -> dict[int, str]:
    """For a desa file: feature index → kecamatan code containing its representative point."""
    if level != RegionLevel.DESA:
        return {}
    rows = queries.list_current_boundaries(session, RegionLevel.KECAMATAN)
    if not rows:
        return {}
    index = PolygonIndex(
        [r.region_code for r in rows], list(shapely.from_geojson([r.geometry_geojson for r in rows]))
    )
    points = representative_points(boundary_file)
    codes = index.locate(shapely.get_x(points), shapely.get_y(points))
    return {i: str(code) for i, code in enumerate(codes) if code is not None}
