"""Adult population per region (Dukcapil figures): the denominator of "payers per 1,000 adult residents"
and "registered merchants per 1,000 adults" (``docs/metrics.md``) and of two index components.

The file is a CSV or XLSX (``registry.tabular``) with the columns ``code`` (the Kemendagri code of a
desa/kelurahan, kecamatan or the kabupaten, e.g. ``62.02.05.1001``) and ``adults`` (residents aged 17
and over, or married — the Dukcapil "wajib KTP" count — a whole number; ``12.345`` and ``12,345`` are read
as thousands separators), optionally ``name``, ``year`` and ``source`` (kept in the audit only). A
kecamatan (kabupaten) without its own figure gets the sum of its desa (kecamatan) when all of them have
one (``queries.list_area_rows``). The import is all-or-nothing: one bad row and nothing is stored.
Figures are read when metrics are shown, so they apply at once, without a recompute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.economy.registry.tabular import read_rows
from smartkotim.regions import queries as regions

REQUIRED = ("code", "adults")
KNOWN = ("code", "adults", "name", "year", "source")
MAX_ADULTS = 10_000_000  # above the population of Central Kalimantan: a unit or column mistake
_WHOLE = re.compile(r"^(\d+|\d{1,3}([.,]\d{3})+)$")


@dataclass(frozen=True, slots=True)
class RowError:
    """One refused cell: file row (header = 1), column, the raw text and the rule it broke."""

    row: int
    column: str
    value: str
    rule: str


class PopulationImportError(ValueError):
    """The file was refused (nothing stored); ``errors`` lists every bad cell."""

    def __init__(self, file_name: str, errors: list[RowError]) -> None:
        self.file_name = file_name
        self.errors = errors
        first = errors[0]
        super().__init__(
            f"{file_name}: {len(errors)} kesalahan, tidak ada yang disimpan; baris {first.row}, kolom "
            f"{first.column}, nilai {first.value!r}: {first.rule}"
        )


@dataclass(slots=True)
class PopulationImportResult:
    """What an import changed: regions whose figure was set or changed, and those already equal."""

    file: str
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def parse_adults(text: str | None) -> int:
    """A whole number of adults from ``text`` (thousands separators ``.`` or ``,`` allowed).

    Raises:
        ValueError: empty, not a whole number, or above ``MAX_ADULTS`` (the message is the rule).
    """
    if text is None or not text.strip():
        raise ValueError("wajib diisi")
    cleaned = text.strip()
    if not _WHOLE.match(cleaned):
        raise ValueError("harus bilangan bulat ≥ 0 (pemisah ribuan . atau , boleh)")
    value = int(re.sub(r"[.,]", "", cleaned))
    if value > MAX_ADULTS:
        raise ValueError(f"lebih dari {MAX_ADULTS:,} jiwa: periksa satuan atau kolom".replace(",", "."))
    return value


def import_adult_population(
    session: Session, path: Path, *, regency_code: str, actor_label: str
) -> PopulationImportResult:
    """Set the adult population of the regions in ``path`` and commit, or refuse the whole file.

    Raises:
        smartkotim.economy.registry.tabular.ImportFileError: the file cannot be read (format, header).
        PopulationImportError: bad rows (unknown or repeated code, a bad number); nothing stored.
    """
    _header, rows = read_rows(path, required=REQUIRED, known=KNOWN)
    by_code = {r.code: r for r in regions.list_regions(session, regency_code=regency_code)}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    values: dict[str, int] = {}
    for row in rows:
        code = row.get("code") or ""
        if not code:
            errors.append(RowError(row.number, "code", "", "wajib diisi"))
        elif code not in by_code:
            errors.append(RowError(row.number, "code", code, f"bukan kode Kemendagri wilayah {regency_code}"))
        elif code in seen:
            errors.append(RowError(row.number, "code", code, f"kode yang sama sudah di baris {seen[code]}"))
        else:
            seen[code] = row.number
        try:
            adults = parse_adults(row.get("adults"))
        except ValueError as exc:
            errors.append(RowError(row.number, "adults", row.get("adults") or "", str(exc)))
            continue
        if code in by_code and seen.get(code) == row.number:
            values[code] = adults
    if errors:
        raise PopulationImportError(path.name, errors)
    result = PopulationImportResult(path.name)
    for code, adults in values.items():
        region = by_code[code]
        if region.adult_population == adults:
            result.unchanged.append(code)
        else:
            region.adult_population = adults
            result.updated.append(code)
    record_audit(
        session,
        event="regions.adult_population.imported",
        actor=None,
        actor_label=actor_label,
        details={"file": path.name, "updated": len(result.updated), "unchanged": len(result.unchanged)},
    )
    session.commit()
    return result
