"""Reading a bank's report file: format, encoding, delimiter and header sniffing, and the DuckDB source.

Every format is turned into one DuckDB table expression whose columns are the file's own columns, all
``VARCHAR``, in file order, so that validation keeps each raw value next to its parsed value:

- CSV: DuckDB ``read_csv`` (parallel, streaming) with the sniffed delimiter, for UTF-8 with or without
  BOM; a Windows-1252 file is decoded by a streaming Arrow CSV reader instead (``cp1252_reader``);
- Parquet: ``read_parquet``; JSON Lines: ``read_json`` (newline-delimited);
- XLSX: ``python-calamine`` (values, not formulas) into an Arrow table (a sheet fits in memory:
  Excel stops at 1,048,576 rows).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa

from smartkotim.economy.ingest.profiles import Profile
from smartkotim.ledger import sql_literal

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
MAX_FIELD_BYTES = 64 * 1024
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf](?![\x80-\xbf])|[\xe0-\xef][\x80-\xbf]{2}(?![\x80-\xbf])|[\xf0-\xf4][\x80-\xbf]{3}"
)


BINARY_PROBE_BYTES = 8192
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP/XLSX"),
    (b"\x1f\x8b", "GZIP"),
    (b"PAR1", "Parquet"),
    (b"\xd0\xcf\x11\xe0", "XLS/OLE"),
    (b"7z\xbc\xaf", "7z"),
    (b"Rar!", "RAR"),
)


class FileFormatError(ValueError):
    """The file cannot be read at all (empty, no data rows, wrong columns, bad encoding…)."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """What was sniffed: ``format`` (csv/xlsx/parquet/jsonl), CSV ``encoding`` and ``delimiter``,
    the ``header`` (column names in file order) and ``row_offset`` (added to the 0-based record index
    to give the row number shown in error reports: 2 when a header line is row 1)."""

    path: Path
    format: str
    header: tuple[str, ...]
    encoding: str = "utf-8"
    delimiter: str = ","
    row_offset: int = 2


def detect_format(path: Path, profile: Profile) -> str:
    """``csv``, ``xlsx``, ``parquet`` or ``jsonl`` from the profile, else from the first bytes.

    Raises:
        FileFormatError: an empty (0-byte) file, or a CSV/JSONL that is not text (see ``check_text``).
    """
    with path.open("rb") as handle:
        head = handle.read(BINARY_PROBE_BYTES)
    if not head:
        raise FileFormatError("berkas kosong (0 bita)")
    fmt = _format_of(head) if profile.file.format == "auto" else str(profile.file.format)
    if fmt in ("csv", "jsonl"):
        check_text(head)
    return fmt


def _format_of(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{"):
        return "jsonl"
    return "csv"


def check_text(head: bytes) -> None:
    """Refuse a file meant as CSV/JSONL whose first bytes (``head``, up to 8 KiB) show it is binary:
    a known magic number (PNG, JPEG, PDF, ZIP, GZIP …) or a NUL byte (also UTF-16, which is unsupported).

    Raises:
        FileFormatError: ``berkas bukan CSV/teks (terdeteksi biner/<kind>)``.
    """
    kind = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    if kind is None and b"\x00" in head:
        kind = "UTF-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "NUL"
    if kind is not None:
        raise FileFormatError(f"berkas bukan CSV/teks (terdeteksi biner/{kind})")


def sniff_encoding(sample: bytes, wanted: str) -> str:
    """``utf-8`` (with or without BOM) or ``windows-1252``.

    Raises:
        FileFormatError: a sample that holds both valid UTF-8 sequences and bytes invalid in UTF-8.
    """
    if wanted != "auto":
        return wanted
    body = sample[3:] if sample.startswith(b"\xef\xbb\xbf") else sample
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if len(sample) == SAMPLE_BYTES and exc.start >= len(body) - 3:  # a character cut by the sample's end
            return "utf-8"
        if len(body) < len(sample):  # a BOM says UTF-8: read as Windows-1252 its header would be "ï»¿…"
            raise FileFormatError(
                f"encoding campuran: berkas bertanda UTF-8 (BOM) tetapi byte ke-{exc.start + 4} bukan UTF-8 "
                "(aturan: encoding)"
            ) from exc
    if _UTF8_MULTIBYTE.search(body):
        raise FileFormatError("encoding campuran: ada UTF-8 dan byte yang bukan UTF-8 dalam berkas yang sama")
    return "windows-1252"


def _decode(sample: bytes, encoding: str) -> str:
    if encoding == "utf-8":
        return sample.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="ignore")
    return sample.decode("cp1252", errors="replace")


def sniff_csv(path: Path, profile: Profile) -> SourceFile:
    """Sniff a CSV file's encoding, delimiter and header from its first 256 KiB.

    Raises:
        FileFormatError: no header line, a header with empty or repeated names, or mixed encodings.
    """
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    encoding = sniff_encoding(sample, profile.file.encoding)
    text = _decode(sample, encoding)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip():
        raise FileFormatError("baris judul (header) kosong")
    delimiter = profile.file.delimiter
    if delimiter == "auto":
        counts = {d: first_line.count(d) for d in DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    return SourceFile(path, "csv", check_header(header), encoding, delimiter, 2)


def check_header(names: list[str]) -> tuple[str, ...]:
    """The header as a tuple, after checking it has no empty or repeated names.

    Raises:
        FileFormatError: naming the empty position or the repeated name.
    """
    cleaned = [n.strip() for n in names]
    for position, name in enumerate(cleaned, start=1):
        if not name:
            raise FileFormatError(f"kolom ke-{position} pada header tidak bernama")
    seen: set[str] = set()
    for name in cleaned:
        if name.lower() in seen:
            raise FileFormatError(f"nama kolom {name!r} muncul dua kali pada header")
        seen.add(name.lower())
    return tuple(cleaned)


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def csv_source_sql(source: SourceFile) -> str:
    """The ``read_csv`` expression for a sniffed CSV file (all columns ``VARCHAR``, header skipped)."""
    columns = ", ".join(f"{sql_literal(name)}: 'VARCHAR'" for name in source.header)
    return (
        f"read_csv({sql_literal(str(source.path))}, columns = {{{columns}}}, header = true, "
        f"delim = {sql_literal(source.delimiter)}, quote = '\"', escape = '\"', auto_detect = false, "
        f"encoding = 'utf-8', strict_mode = true, null_padding = false, "
        f"max_line_size = {MAX_FIELD_BYTES * 4})"
    )


def cp1252_reader(source: SourceFile) -> pa.RecordBatchReader:
    """A streaming Arrow reader of a Windows-1252 CSV (DuckDB has no cp1252 decoder built in): every
    column as text, decoded in memory batch by batch, so nothing is re-encoded to disk."""
    from pyarrow import csv as pacsv

    names = list(source.header)
    return pacsv.open_csv(
        source.path,
        read_options=pacsv.ReadOptions(encoding="cp1252", column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=source.delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            null_values=[""],  # only an empty cell is missing: a txn id "null" or "NA" is text, as in DuckDB
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def describe_columns(con: Any, relation_sql: str) -> tuple[str, ...]:
    """Column names of a DuckDB table expression, checked like a CSV header."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()
    return check_header([str(r[0]) for r in rows])


def open_source(con: Any, path: Path, profile: Profile) -> tuple[SourceFile, str]:
    """Sniff ``path`` and return it with a DuckDB table expression of its raw (``VARCHAR``) columns.

    XLSX sheets are registered on ``con`` as the view ``xlsx_source``.

    Raises:
        FileFormatError: unreadable, empty or malformed file.
    """
    fmt = detect_format(path, profile)
    if fmt == "csv":
        source = sniff_csv(path, profile)
        if source.encoding == "windows-1252":
            con.register("cp1252_source", cp1252_reader(source))
            return source, "cp1252_source"
        return source, csv_source_sql(source)
    if fmt == "xlsx":
        table = read_xlsx(path, profile.file.sheet)
        con.register("xlsx_source", table)
        return SourceFile(path, "xlsx", check_header(table.column_names), row_offset=2), "xlsx_source"
    try:
        if fmt == "parquet":
            raw = f"read_parquet({sql_literal(str(path))})"
            offset = 1
        else:
            raw = f"read_json({sql_literal(str(path))}, format = 'newline_delimited', sample_size = 20480)"
            offset = 1
        names = describe_columns(con, raw)
        types = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()}
    except Exception as exc:  # duckdb raises several error types for unreadable files
        raise FileFormatError(f"berkas {fmt} tidak dapat dibaca: {_first_line(exc)}") from exc
    # a JSON Lines key whose values mix strings and numbers is typed JSON: ``->> '$'`` gives its text
    # without the JSON quotes (a cast would keep them: "x1" instead of x1)
    casts = ", ".join(
        f"({ident(n)} ->> '$') AS {ident(n)}"
        if types.get(n) == "JSON"
        else f"CAST({ident(n)} AS VARCHAR) AS {ident(n)}"
        for n in names
    )
    return SourceFile(path, fmt, names, row_offset=offset), f"(SELECT {casts} FROM {raw})"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n", 1)[0][:300]


def _cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, sheet: str | None) -> pa.Table:
    """The first (or the named) sheet as an Arrow table of strings; the first row is the header.

    Formulas are read as their cached values. Raises:
        FileFormatError: not a readable workbook, no such sheet, or no header row.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        name = sheet or workbook.sheet_names[0]
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types
        raise FileFormatError(f"berkas XLSX tidak dapat dibaca: {_first_line(exc)}") from exc
    if not rows:
        raise FileFormatError("lembar kerja kosong: tidak ada baris judul")
    header = check_header([_cell_text(v) or "" for v in rows[0]])
    width = len(header)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows[1:]:
        cells = list(row[:width]) + [None] * (width - len(row))
        for index, value in enumerate(cells):
            columns[index].append(_cell_text(value))
    return pa.table(
        {name: pa.array(col, type=pa.string()) for name, col in zip(header, columns, strict=True)}
    )


def sample_values(
    con: Any, source: SourceFile, relation: str, column: str, *, limit: int = 2000
) -> list[str]:
    """Up to ``limit`` non-empty values of ``column`` from the first rows, for sniffing formats.

    A CSV file is sampled from its first 256 KiB with Python's ``csv`` module (its DuckDB relation may
    be a one-shot Arrow stream); other sources with a ``LIMIT`` query on ``relation``.
    """
    if source.format == "csv" and source.path.is_file():
        with source.path.open("rb") as handle:
            sample = handle.read(SAMPLE_BYTES)
        reader = csv.reader(io.StringIO(_decode(sample, source.encoding)), delimiter=source.delimiter)
        rows: list[list[str]] = []
        try:
            rows.extend(reader)
        except csv.Error as exc:  # a field beyond the csv module's limit (128 KiB)
            limit_kib = csv.field_size_limit() // 1024
            raise FileFormatError(
                f"baris {len(rows) + 1}: sebuah kolom lebih panjang dari {limit_kib} KiB "
                "(aturan: field_too_large)"
            ) from exc
        if len(sample) == SAMPLE_BYTES:
            rows = rows[:-1]  # the last line may be cut by the sample's end
        position = source.header.index(column)
        values = [r[position].strip() for r in rows[1:] if len(r) > position and r[position].strip()]
        return values[:limit]
    quoted = ident(column)
    result = con.execute(f"SELECT {quoted} FROM {relation} WHERE {quoted} IS NOT NULL LIMIT {int(limit)}")
    return [str(r[0]) for r in result.fetchall()]


def sniff_amount_format(values: list[str], decimal: str, thousands: str) -> tuple[str, str]:
    """``(decimal separator, thousands separator)``: the profile's, or sniffed from sample values.

    A separator followed by exactly one or two final digits is the decimal separator (``12.500,50``);
    a separator followed by groups of three digits is a thousands separator (``12.500``).
    """
    if decimal != "auto" and thousands != "auto":
        return decimal, thousands
    sniffed_decimal, sniffed_thousands = ".", ""
    for raw in values:
        text = raw.strip().replace(" ", "")
        match = re.search(r"([.,])(\d{1,2})$", text)
        if match:
            sniffed_decimal = match.group(1)
            sniffed_thousands = "," if sniffed_decimal == "." else "."
            break
        if re.search(r"\d[.,]\d{3}$", text):
            sniffed_thousands = "." if "." in text else ","
            sniffed_decimal = "," if sniffed_thousands == "." else "."
    return (
        sniffed_decimal if decimal == "auto" else decimal,
        sniffed_thousands if thousands == "auto" else thousands,
    )
