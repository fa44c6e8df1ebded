"""Which fields of a boundary file hold the region code and name, and which level the file is.

Files differ in property names (``kode``, ``KODE_DESA``, ``village_code``, ``nama``, ``NAMOBJ``,
``village`` …), so the fields are recognised by their values, with the usual names as tie-breakers:
a code field is one whose values are region codes, a name field one whose values are register names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd

from smartkotim.lib.geo_names import name_variants, parse_region_code
from smartkotim.regions.errors import BoundaryImportError
from smartkotim.regions.models import RegionLevel

CODE_HINTS = (
    "kode", "kode_desa", "kd_desa", "kode_kel", "kode_kec", "kd_kec", "kode_kab", "kd_kab", "kdepum",
    "kdcpum", "kdpkab", "village_code", "district_code", "regency_code", "kode_bps", "kode_wilayah",
    "code", "iddesa", "id_desa",
)  # fmt: skip
NAME_HINTS = (
    "nama", "name", "namobj", "nama_desa", "nm_desa", "desa", "village", "nama_kel", "kelurahan",
    "nama_kec", "nm_kec", "kecamatan", "district", "wadmkd", "wadmkc", "nama_kab", "kabupaten", "regency",
)  # fmt: skip
LEVEL_DEPTH = {RegionLevel.KABUPATEN: 2, RegionLevel.KECAMATAN: 3, RegionLevel.DESA: 4}
DEPTH_LEVEL = {depth: level for level, depth in LEVEL_DEPTH.items()}
_CODE_SHARE = 0.9  # share of non-empty values that must parse as codes for a code field


@dataclass(frozen=True, slots=True)
class FileFields:
    """The fields the importer reads; ``level_detected`` is False when the caller gave the level."""

    code_field: str | None
    name_field: str | None
    level: RegionLevel
    level_detected: bool


def _hint_rank(column: str, hints: Sequence[str]) -> int:
    low = column.lower()
    return hints.index(low) if low in hints else len(hints)


def _values(frame: gpd.GeoDataFrame, column: str) -> list[object]:
    return [v for v in frame[column].tolist() if v is not None and str(v).strip() not in ("", "nan", "None")]


def _attribute_columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [str(c) for c in frame.columns if c != frame.geometry.name]


def _code_column_score(frame: gpd.GeoDataFrame, column: str, regency_digits: str) -> tuple[int, int] | None:
    """(distinct codes, modal depth) when ``column`` holds region codes, else ``None``."""
    values = _values(frame, column)
    parsed = [p for p in (parse_region_code(v) for v in values) if p is not None and p.depth >= 2]
    if not values or len(parsed) < _CODE_SHARE * len(values):
        return None
    in_regency = sum(p.regency_digits == regency_digits for p in parsed)
    if _hint_rank(column, CODE_HINTS) == len(CODE_HINTS) and in_regency < len(parsed) / 2:
        return None  # an unnamed numeric column that is not about this regency
    depth = Counter(p.depth for p in parsed).most_common(1)[0][0]
    return len({p.digits for p in parsed}), depth


def detect_code_field(frame: gpd.GeoDataFrame, regency_code: str) -> str | None:
    """The field holding region codes (the most distinct, deepest codes win), or ``None``."""
    digits = regency_code.replace(".", "")
    scored = []
    for column in _attribute_columns(frame):
        score = _code_column_score(frame, column, digits)
        if score is not None:
            scored.append((-score[0], -score[1], _hint_rank(column, CODE_HINTS), column))
    return min(scored)[3] if scored else None


def _name_hits(frame: gpd.GeoDataFrame, column: str, names: set[str]) -> int:
    return sum(any(v in names for v in name_variants(str(value))) for value in _values(frame, column))


def detect_name_field(frame: gpd.GeoDataFrame, names: set[str], *, exclude: str | None) -> str | None:
    """The text field whose values are most often register ``names`` (normalised), or a usual name field."""
    scored = []
    for column in _attribute_columns(frame):
        if column == exclude or frame[column].dtype.kind not in "OUS":
            continue
        hits = _name_hits(frame, column, names)
        rank = _hint_rank(column, NAME_HINTS)
        if hits or rank < len(NAME_HINTS):
            scored.append((-hits, rank, column))
    return min(scored)[2] if scored else None


def _check_field(frame: gpd.GeoDataFrame, field: str | None, option: str, file_name: str) -> None:
    if field is not None and field not in _attribute_columns(frame):
        fields = ", ".join(_attribute_columns(frame)) or "none"
        raise BoundaryImportError(
            file_name, f"{option} {field!r} is not a field of the file (fields: {fields})"
        )


def _level_from_codes(frame: gpd.GeoDataFrame, code_field: str) -> RegionLevel | None:
    depths = Counter(p.depth for p in (parse_region_code(v) for v in _values(frame, code_field)) if p)
    depth = depths.most_common(1)[0][0] if depths else None
    return DEPTH_LEVEL.get(depth) if depth is not None else None


def _level_from_names(
    frame: gpd.GeoDataFrame, names_by_level: dict[RegionLevel, set[str]]
) -> RegionLevel | None:
    best: tuple[int, int, RegionLevel] | None = None
    for level, names in names_by_level.items():
        column = detect_name_field(frame, names, exclude=None)
        hits = _name_hits(frame, column, names) if column else 0
        # Most name hits wins; on a tie, the level whose register size is nearest the feature count.
        key = (-hits, abs(len(names) - len(frame)), level)
        if hits and (best is None or key < best):
            best = key
    return best[2] if best else None


def detect_fields(
    frame: gpd.GeoDataFrame,
    *,
    file_name: str,
    regency_code: str,
    names_by_level: dict[RegionLevel, set[str]],
    level: RegionLevel | None,
    code_field: str | None,
    name_field: str | None,
) -> FileFields:
    """Decide the code field, name field and level (given values win; others are detected).

    ``names_by_level`` holds the normalised register names of each level.

    Raises:
        BoundaryImportError: a given field is missing; no code or name field; the level cannot be told.
    """
    _check_field(frame, code_field, "--code-field", file_name)
    _check_field(frame, name_field, "--name-field", file_name)
    code_field = code_field or detect_code_field(frame, regency_code)
    detected = level is None
    if level is None and code_field is not None:
        level = _level_from_codes(frame, code_field)
    if level is None:
        level = _level_from_names(frame, names_by_level)
    if level is None:
        raise BoundaryImportError(
            file_name, "cannot tell the level (no region codes, no register names): give --level"
        )
    name_field = name_field or detect_name_field(frame, names_by_level[level], exclude=code_field)
    if code_field is None and name_field is None:
        raise BoundaryImportError(
            file_name, "no field with region codes or names found: give --code-field or --name-field"
        )
    return FileFields(code_field, name_field, level, detected)


def normalised_names(names: Iterable[str]) -> set[str]:
    """Every normalised variant of ``names`` (for ``names_by_level``)."""
    return {v for name in names for v in name_variants(name)}
