"""Every format and encoding: CSV (`;`, decimal comma, Windows-1252), UTF-8 BOM, XLSX, Parquet, JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from ingest_helpers import HEADER, nmid, row, write_csv
from openpyxl import Workbook
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.services import pseudonymise

ROWS = [row("T1", amount="25000", payer="CIF-1"), row("T2", amount="1250000", payer="CIF-2", channel="edc")]


def stored(settings: Settings) -> list[tuple]:
    files = ledger.list_files(settings, ledger.TRANSACTIONS)
    return duckdb.sql(
        f"SELECT txn_id, nmid, amount, channel, payer FROM {ledger.scan_sql(files)} ORDER BY 1"
    ).fetchall()


def expected(settings: Settings) -> list[tuple]:
    return [
        ("T1", nmid(1), 25000, "qris", pseudonymise(settings, "CIF-1")),
        ("T2", nmid(1), 1250000, "edc", pseudonymise(settings, "CIF-2")),
    ]


def test_csv_semicolon_decimal_comma_windows_1252(tmp_path: Path, ingest: Ingest, settings: Settings) -> None:
    rows = [(*r[:4], {"25000": "25.000,00", "1250000": "1.250.000,00"}[r[4]], *r[5:]) for r in ROWS]
    rows.append(row("T3", amount="7.500,00", payer="CIF-é€"))
    path = write_csv(tmp_path / "laporan.csv", rows, delimiter=";", encoding="cp1252")
    batch = ingest(path)
    assert batch.status == "applied", batch.message
    assert batch.details["encoding"] == "windows-1252" and batch.details["delimiter"] == ";"
    assert stored(settings)[:2] == expected(settings)
    assert stored(settings)[2][2:] == (7500, "qris", pseudonymise(settings, "CIF-é€"))


def test_csv_utf8_with_bom(tmp_path: Path, ingest: Ingest, settings: Settings) -> None:
    batch = ingest(write_csv(tmp_path / "bom.csv", ROWS, encoding="utf-8-sig"))
    assert batch.status == "applied", batch.message
    assert stored(settings) == expected(settings)


def test_xlsx_written_with_openpyxl(tmp_path: Path, ingest: Ingest, settings: Settings) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    for r in ROWS:
        sheet.append([*r[:4], int(r[4]), *r[5:]])
    path = tmp_path / "laporan.xlsx"
    book.save(path)
    batch = ingest(path)
    assert batch.status == "applied", batch.message
    assert stored(settings) == expected(settings)


def test_parquet(tmp_path: Path, ingest: Ingest, settings: Settings) -> None:
    table = pa.table({name: [r[i] for r in ROWS] for i, name in enumerate(HEADER)})
    table = table.set_column(4, "amount", pa.array([int(r[4]) for r in ROWS], pa.int64()))
    pq.write_table(table, tmp_path / "laporan.parquet")
    batch = ingest(tmp_path / "laporan.parquet")
    assert batch.status == "applied", batch.message
    assert stored(settings) == expected(settings)


def test_json_lines(tmp_path: Path, ingest: Ingest, settings: Settings) -> None:
    path = tmp_path / "laporan.jsonl"
    path.write_text(
        "\n".join(json.dumps(dict(zip(HEADER, r, strict=True))) for r in ROWS) + "\n", encoding="utf-8"
    )
    batch = ingest(path)
    assert batch.status == "applied", batch.message
    assert stored(settings) == expected(settings)


def test_mixed_encodings_are_refused(tmp_path: Path, ingest: Ingest) -> None:
    path = write_csv(tmp_path / "mixed.csv", [row("T1", payer="CIF-Ä")])
    path.write_bytes(
        path.read_bytes()
        + "BANKA,T2,2026-10-05T10:00:00+07:00,ID1025380000001,1,qris,success,É\n".encode("cp1252")
    )
    batch = ingest(path)
    assert batch.status == "failed" and "encoding campuran" in batch.message


def test_a_bom_with_a_byte_that_is_not_utf8_is_refused_not_read_as_windows_1252(
    tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    # read as Windows-1252 the header's first name would be "ï»¿acquirer": the acquirer column (optional)
    # would go unmapped and another bank's rows would pass the acquirer check unseen
    path = tmp_path / "bom.csv"
    header = ",".join(HEADER).encode()
    line = b"BANKB,T1,2026-10-05T10:00:00+07:00,ID1025380000001,1000,qris,success,X"
    path.write_bytes(b"\xef\xbb\xbf" + header + b"\n" + line + b"\xe9\xff\n")
    batch = ingest(path)
    assert batch.status == "failed"
    bad_byte = 3 + len(header) + 1 + len(line) + 1  # 1-based position of \xe9 in the file
    assert batch.message == (
        "encoding campuran: berkas bertanda UTF-8 (BOM) tetapi "
        f"byte ke-{bad_byte} bukan UTF-8 (aturan: encoding)"
    )
    assert not ledger.list_files(settings, ledger.TRANSACTIONS)


def test_json_lines_with_mixed_value_types_report_values_without_quotes(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    # "amount" is a number in one record and a string in the others: DuckDB types the key JSON
    records = [
        dict(zip(HEADER, row("T1"), strict=True)) | {"amount": 25000},
        dict(zip(HEADER, row("T2", amount="x1"), strict=True)),
        dict(zip(HEADER, row("T3", amount="7000"), strict=True)),
    ]
    path = tmp_path / "campur.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    batch = ingest(path)
    assert (batch.status, batch.rows_accepted, batch.rows_rejected) == ("applied", 2, 1), batch.message
    errors = [(e.row_no, e.raw_value, e.rule) for e in queries.list_row_errors(db, batch.id)]
    assert errors == [(2, "x1", "amount_invalid")]  # JSON Lines count records from 1
    assert batch.value_accepted == 25000 + 7000
