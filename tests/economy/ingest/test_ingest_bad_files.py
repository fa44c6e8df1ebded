"""Bad files of issue 3: quoted newlines, a 0-byte XLSX, an XLSX with formulas, a huge field and
hostile file names — each read correctly or refused with a clear error, and nothing stored when refused."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient
from ingest_helpers import HEADER, row, write_csv
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest.queries import list_row_errors
from smartkotim.economy.ingest.services import clean_file_name
from smartkotim.economy.ingest.views import neutralise


def ledger_txns(settings: Settings) -> list[tuple[str, int]]:
    files = ledger.list_files(settings, ledger.TRANSACTIONS)
    if not files:
        return []
    return duckdb.sql(f"SELECT txn_id, amount FROM {ledger.scan_sql(files)} ORDER BY txn_id").fetchall()


def assert_nothing_stored(settings: Settings) -> None:
    assert ledger_txns(settings) == []
    kept = list(settings.uploads_dir.glob("*")) if settings.uploads_dir.exists() else []
    assert kept == []


def test_quoted_newlines_stay_inside_their_field_and_rows_keep_their_numbers(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    path = tmp_path / "multiline.csv"
    rows = [
        (*row("T1", amount="1000"), "baris satu\nbaris dua"),
        (*row("T2", amount="2000"), 'kutip "ganda"\r\ndan CRLF'),
        (*row("T3", amount="x"), "terakhir"),
    ]
    write_csv(path, rows, header=(*HEADER, "keterangan"))
    batch = ingest(path)
    assert batch.status == "applied", batch.message
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (3, 2, 1)
    assert ledger_txns(settings) == [("T1", 1000), ("T2", 2000)]
    # the third record (file row 4 with the header as row 1) is reported by its record number, not by
    # the physical line it starts on (line 6)
    assert [(e.row_no, e.column, e.raw_value, e.rule) for e in list_row_errors(db, batch.id)] == [
        (4, "amount", "x", "amount_invalid")
    ]


def test_a_zero_byte_xlsx_is_refused_and_nothing_is_stored(
    tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    path = tmp_path / "laporan.xlsx"
    path.write_bytes(b"")
    batch = ingest(path)
    assert batch.status == "failed"
    assert "kosong" in batch.message
    assert_nothing_stored(settings)


def _xlsx_with_formulas(path: Path, rows: list[list[object]], formulas: dict[str, tuple[str, str]]) -> None:
    """An XLSX as a spreadsheet program saves it: ``formulas`` maps a cell (``E2``) to ``(formula, cached
    value)``. openpyxl writes a formula without its cached value, so the value is put into the sheet XML."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(values)
    for line in sheet.iter_rows():
        for cell in line:
            if cell.data_type == "f":  # text that merely starts with "=" stays text
                cell.data_type = "s"
    for cell, (formula, _) in formulas.items():
        sheet[cell] = formula
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, (_, cached) in formulas.items():
                    text, count = re.subn(
                        rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?',
                        rf"\1<f>\2</f><v>{cached}</v>",
                        text,
                    )
                    assert count == 1, f"formula cell {cell} not found in the sheet XML"
                data = text.encode()
            target.writestr(item, data)


def test_xlsx_formulas_are_read_as_their_values_and_formula_text_is_neutralised_in_the_error_csv(
    tmp_path: Path, ingest: Ingest, settings: Settings, client: TestClient, db: Session
) -> None:
    path = tmp_path / "rumus.xlsx"
    rows: list[list[object]] = [list(HEADER), list(row("T1")), list(row("T2")), list(row("T3"))]
    rows[3][5] = "=cmd|' /C calc'!A0"  # text that looks like a formula, in the channel column
    rows[2][4] = "@SUM(1)"  # and in the amount column
    _xlsx_with_formulas(path, rows, {"E2": ("=20000+5000", "25000")})
    batch = ingest(path)
    assert batch.status == "applied", batch.message
    assert ledger_txns(settings) == [("T1", 25000)]  # the formula's value, not its text
    errors = {(e.row_no, e.column, e.raw_value, e.rule) for e in list_row_errors(db, batch.id)}
    assert errors == {
        (3, "amount", "@SUM(1)", "amount_invalid"),
        (4, "channel", rows[3][5], "channel_unknown"),
    }

    from test_ingest_web import admin_token  # the admin token helper of the web tests

    response = client.get(f"/ekonomi/batch/{batch.id}/galat.csv", headers=admin_token(db, ["read"]))
    assert response.status_code == 200
    exported = list(csv.reader(io.StringIO(response.text)))
    assert exported[0] == ["row", "column", "raw_value", "rule"]
    assert sorted(exported[1:]) == [
        ["3", "amount", "'@SUM(1)", "amount_invalid"],
        ["4", "channel", "'=cmd|' /C calc'!A0", "channel_unknown"],
    ]


@pytest.mark.parametrize("value", ["=1+2", "+62812", "-5", "@A1", "\t=1", "\r=1", "=", "aman", "", None])
def test_neutralise_prefixes_every_formula_start(value: str | None) -> None:
    shown = neutralise(value)
    text = "" if value is None else value
    dangerous = text[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert shown == ("'" + text if dangerous else text)


@pytest.mark.parametrize("before", [1, 4000], ids=["in-the-sniffed-start", "after-the-sniffed-start"])
def test_a_huge_field_is_refused_naming_its_row_and_nothing_is_stored(
    before: int, tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    path = tmp_path / "huge.csv"
    rows = [row(f"T{i}") for i in range(before)] + [row("TX", payer="P" * 5_000_000), row("TY")]
    write_csv(path, rows)
    batch = ingest(path)
    assert batch.status == "failed"
    assert f"baris {before + 2}" in batch.message, batch.message  # header = row 1
    assert "P" * 100 not in batch.message  # the field itself is not echoed back
    assert_nothing_stored(settings)


def test_a_long_but_readable_txn_id_is_a_row_error_naming_its_rule(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    path = write_csv(tmp_path / "long.csv", [row("T1"), row("X" * 5000)])
    batch = ingest(path)
    assert batch.status == "applied", batch.message
    assert (batch.rows_accepted, batch.rows_rejected) == (1, 1)
    assert [(e.row_no, e.column, e.rule) for e in list_row_errors(db, batch.id)] == [
        (3, "txn_id", "too_long")
    ]
    assert ledger_txns(settings) == [("T1", 25000)]


HOSTILE = [
    ("../../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\laporan.csv", "laporan.csv"),
    ("<script>alert(1)</script>.csv", "script>.csv"),  # the part after the last slash
    ("laporan\x00.csv\x1b[31m", "laporan_.csv_[31m"),
    ("   ...   ", "upload"),
    ("a" * 300 + ".csv", "a" * 196 + ".csv"),  # cut before the extension
    ("a" * 300, "a" * 200),
]


@pytest.mark.parametrize(("name", "expected"), HOSTILE, ids=[f"name{i}" for i in range(len(HOSTILE))])
def test_hostile_file_names_are_cleaned(name: str, expected: str) -> None:
    cleaned = clean_file_name(name)
    assert cleaned == expected
    assert "/" not in cleaned and "\\" not in cleaned and not any(ord(c) < 32 for c in cleaned)


def test_an_upload_with_a_hostile_name_is_stored_under_its_hash_and_shown_escaped(
    tmp_path: Path, client: TestClient, db: Session, merchants: list[str], settings: Settings
) -> None:
    from test_ingest_web import admin_token

    path = write_csv(tmp_path / "laporan.csv", [row("T1", m=2)])
    headers = admin_token(db, ["read", "ingest"])
    with path.open("rb") as handle:
        response = client.post(
            "/api/economy/batches",
            headers=headers,
            files={"file": ("../../<img src=x onerror=alert(1)>.csv", handle)},
            data={"profile": "default", "bank_code": "BANKA"},
        )
    assert response.status_code == 202, response.text
    batch = response.json()
    assert batch["file_name"] == "<img src=x onerror=alert(1)>.csv"
    page = (
        client.get("/ekonomi/batch", headers=headers).text
        + client.get(f"/ekonomi/batch/{batch['id']}", headers=headers).text
    )
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    # nothing was written outside the data directory under the name given
    assert not (tmp_path.parent / "<img src=x onerror=alert(1)>.csv").exists()
    spooled = list((settings.data_dir / "tmp" / "spool").glob("*"))
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", p.name) for p in spooled), spooled


def test_a_row_with_too_many_columns_is_refused_naming_its_line_and_the_rule(
    tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    path = write_csv(tmp_path / "extra.csv", [row("T1"), (*row("T2"), "CIF-RAHASIA-9"), row("T3")])
    batch = ingest(path)
    assert batch.status == "failed"
    assert batch.message == "berkas tidak dapat dibaca: baris 3: 9 kolom, seharusnya 8 (aturan: column_count)"
    assert "RAHASIA" not in batch.message
    assert_nothing_stored(settings)


def test_an_unclosed_quote_is_refused_naming_its_line_and_the_rule(
    tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    path = write_csv(tmp_path / "kutip.csv", [row("T1"), row("T2")])
    path.write_bytes(
        path.read_bytes()
        + b'BANKA,T3,2026-10-05T10:00:00+07:00,ID1025380000001,1000,qris,success,"CIF-RAHASIA\n'
    )
    batch = ingest(path)
    assert batch.status == "failed"
    assert batch.message == (
        "berkas tidak dapat dibaca: baris 4: "
        'tanda kutip (") dibuka tetapi tidak ditutup (aturan: unterminated_quote)'
    )
    assert "RAHASIA" not in batch.message
    assert_nothing_stored(settings)
