"""Reading a register import file (CSV or XLSX) into rows of text keyed by lower-case column name.

CSV: UTF-8 (with or without BOM) or Windows-1252, delimiter ``,`` ``;`` ``|`` or tab (sniffed from the
header). XLSX: the first sheet, read with ``python-calamine``; numbers that are whole become ``"12"``,
dates ``"2024-05-01"``. Row numbers are the line/row numbers a person sees (header = row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

CSV_DELIMITERS = ",;|\t"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header); nothing was stored."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based number in the file (header = 1) and its cells as text (``""`` = empty)."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str | None:
        """The raw text of ``column``, ``None`` when the column is absent or the cell empty."""
        value = self.cells.get(column)
        return value if value not in (None, "") else None


def read_rows(
    path: Path, *, required: tuple[str, ...], known: tuple[str, ...]
) -> tuple[list[str], list[Row]]:
    """The header (lower-cased, trimmed) and the non-blank data rows of ``path``.

    Raises:
        ImportFileError: missing file, unknown format, unreadable encoding, empty file, missing required
            columns or unknown columns (the message names the file and the column).
    """
    if not path.is_file():
        raise ImportFileError(f"{path.name}: berkas tidak ditemukan")
    suffix = path.suffix.lower()
    if suffix not in (*SPREADSHEET_SUFFIXES, *TEXT_SUFFIXES):
        raise ImportFileError(f"{path.name}: format tidak dikenal (pakai .csv atau .xlsx)")
    if path.stat().st_size == 0:
        raise ImportFileError(f"{path.name}: berkas kosong (0 byte)")
    table = _xlsx_table(path) if suffix in SPREADSHEET_SUFFIXES else _csv_table(path)
    if not table:
        raise ImportFileError(f"{path.name}: berkas kosong")
    header = [h.strip().lower().lstrip("\ufeff") for h in table[0]]
    _check_header(path.name, header, required, known)
    rows = []
    for index, values in enumerate(table[1:], start=2):
        if all(not v.strip() for v in values):
            continue
        padded = [*values, *[""] * (len(header) - len(values))]
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            raise ImportFileError(f"{path.name}: baris {index} punya lebih banyak kolom daripada judul")
        rows.append(Row(index, {h: padded[i].strip() for i, h in enumerate(header) if h}))
    return header, rows


def _check_header(name: str, header: list[str], required: tuple[str, ...], known: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(f"{name}: kolom wajib tidak ada: {', '.join(missing)} (baris 1)")
    unknown = [c for c in header if c and c not in known]
    if unknown:
        raise ImportFileError(
            f"{name}: kolom tidak dikenal: {', '.join(unknown)} (baris 1); "
            f"kolom yang dikenal: {', '.join(known)}"
        )
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        raise ImportFileError(f"{name}: kolom ganda: {', '.join(duplicated)} (baris 1)")


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path.name}: pengodean tidak terbaca (pakai UTF-8)")  # pragma: no cover


def _csv_table(path: Path) -> list[list[str]]:
    text = _decode(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count) if first_line else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}: CSV rusak ({exc})") from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_table(path: Path) -> list[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
        return [[_cell_text(v) for v in row] for row in rows]
    except Exception as exc:  # calamine raises several types for broken or non-spreadsheet files
        raise ImportFileError(f"{path.name}: bukan spreadsheet XLSX yang terbaca ({exc})") from exc
