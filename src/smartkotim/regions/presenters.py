"""Turning register rows and boundary imports into the typed outputs of pages and API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smartkotim.regions import queries
from smartkotim.regions.errors import RegionNotFoundError
from smartkotim.regions.lookups import (
    BoundariesMissingError,
    get_desa_at_point,
    get_desa_by_address,
    list_desa_by_postal_code,
)
from smartkotim.regions.maps import is_map_schematic, region_url
from smartkotim.regions.models import BoundaryImport, Region, RegionLevel
from smartkotim.regions.queries import RegionNode
from smartkotim.regions.schemas import (
    AddressMatchOut,
    BoundaryImportDetailOut,
    BoundaryImportOut,
    BoundaryOut,
    LookupOut,
    RegionDetailOut,
    RegionNodeOut,
    RegionOut,
)


def region_out(region: Region) -> RegionOut:
    """The API form of one region."""
    return RegionOut(
        code=region.code,
        name=region.name,
        level=region.level,
        kind=region.kind,
        parent_code=region.parent_code,
        postal_code=region.postal_code,
        url=region_url(region.code),
    )


def _node_out(node: RegionNode) -> RegionNodeOut:
    base = region_out(node.region).model_dump()
    return RegionNodeOut(**base, children=[_node_out(child) for child in node.children])


def get_region_tree_out(session: Session, *, regency_code: str) -> RegionNodeOut:
    """The register tree of the regency.

    Raises:
        RegionNotFoundError: the register of ``regency_code`` is not loaded.
    """
    root = queries.get_region_tree(session, regency_code=regency_code)
    if root is None:
        raise RegionNotFoundError(regency_code)
    return _node_out(root)


def get_region_detail(session: Session, code: str) -> RegionDetailOut:
    """A region with parents, children, its current boundary and its map.

    Raises:
        RegionNotFoundError: no region ``code`` in the register.
    """
    region = queries.get_region(session, code)
    if region is None:
        raise RegionNotFoundError(code)
    boundary = None
    rows = queries.list_current_boundaries(session, RegionLevel(region.level), codes=[code])
    if rows:
        b = rows[0]
        boundary = BoundaryOut(
            import_id=b.import_id,
            area_km2=b.area_km2,
            centroid_lon=b.centroid_lon,
            centroid_lat=b.centroid_lat,
        )
    return RegionDetailOut(
        region=region_out(region),
        ancestors=[region_out(r) for r in queries.list_ancestors(session, region)],
        children=[region_out(r) for r in queries.list_children(session, code)],
        boundary=boundary,
        map_url=f"/api/regions/{code}/map.geojson",
        map_is_schematic=is_map_schematic(session, region),
    )


def import_out(session: Session, record: BoundaryImport) -> BoundaryImportOut:
    """The API form of one boundary import (without its report)."""
    return BoundaryImportOut(
        id=record.id,
        level=record.level,
        version=queries.get_import_version(session, record),
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        feature_count=record.feature_count,
        matched_count=record.matched_count,
        is_current=record.is_current,
        created_by=record.created_by,
        created_at=record.created_at,
    )


def list_imports_out(session: Session) -> list[BoundaryImportOut]:
    """Every boundary import, newest first."""
    return [import_out(session, r) for r in queries.list_boundary_imports(session)]


def get_import_detail(session: Session, import_id: int) -> BoundaryImportDetailOut | None:
    """One import with its match report, or ``None``."""
    record = queries.get_boundary_import(session, import_id)
    if record is None:
        return None
    return BoundaryImportDetailOut(**import_out(session, record).model_dump(), report=record.report)


def lookup_out(
    session: Session,
    *,
    regency_code: str,
    lon: float | None,
    lat: float | None,
    postal_code: str | None,
    address: str | None,
) -> LookupOut:
    """Answer each lookup whose inputs are given (point needs both ``lon`` and ``lat``)."""
    out = LookupOut()
    if lon is not None and lat is not None:
        try:
            out.point_desa_code = get_desa_at_point(session, lon, lat)
        except BoundariesMissingError as exc:
            out.point_note = str(exc)
    if postal_code:
        out.postal_code_desa_codes = list_desa_by_postal_code(postal_code, regency_code=regency_code)
    match = get_desa_by_address(address, regency_code=regency_code) if address else None
    if match is not None:
        out.address_match = AddressMatchOut(
            code=match.code,
            name=match.name,
            kecamatan_code=match.kecamatan_code,
            confidence=match.confidence,
            issues=match.issues,
        )
    return out
