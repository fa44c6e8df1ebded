"""The kept upload restores the rows that broke a rule exactly as the file had them (payer ids as
pseudonyms) and shows the others by their parsed values; values that need the slow parsing path (edge
spaces, other case) end up exactly like their canonical spelling."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
from ingest_helpers import HEADER, nmid, row, write_csv

from conftest import Ingest
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest.kept import upload_view
from smartkotim.economy.ingest.pipeline import kept_path
from smartkotim.economy.ingest.services import file_sha256, pseudonymise


def test_kept_upload_restores_failing_rows_and_hides_payer_ids(
    tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    rows = [
        row("T1", amount="25000", payer="CIF-1"),
        (
            " BANKA",
            " T2 ",
            " 2026-10-05T11:00:00+07:00",
            nmid(2).lower(),
            " 7000",
            " QRIS",
            "Success",
            " CIF-2 ",
        ),
        row("T3", amount="1.000,00", status="failed", payer="CIF-3"),
        row("T4", amount="abc", payer="CIF-4"),  # rejected
        row("T5", m=77, payer="CIF-5"),  # quarantined
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    batch = ingest(path)
    assert (batch.rows_accepted, batch.rows_rejected, batch.rows_quarantined) == (3, 1, 1), batch.message
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    kept = kept_path(settings, file_sha256(path)[0])
    assert upload_view(con, kept) == HEADER
    restored = con.execute("SELECT * FROM upload ORDER BY __r").fetchall()
    with path.open(encoding="utf-8", newline="") as handle:
        original = list(csv.reader(handle))[1:]
    payer = HEADER.index("payer_id")
    pseudonyms = [str(pseudonymise(settings, r[payer])) for r in original]
    # the failing rows exactly as the file had them
    assert restored[3:] == [
        (i, *original[i][:payer], pseudonyms[i], *original[i][payer + 1 :]) for i in (3, 4)
    ]
    # the rows that passed by their parsed values: T2's edge spaces and case are gone
    assert restored[1] == (
        1,
        "BANKA",
        "T2",
        "2026-10-05 04:00:00+00",
        nmid(2),
        "7000",
        "qris",
        "success",
        pseudonyms[1],
    )
    assert [r[5] for r in restored[:3]] == ["25000", "7000", "1000"]
    # their text is not stored at all, and no raw payer id is
    stored = con.execute(
        f"SELECT count(*) FILTER (WHERE txn_id IS NOT NULL), count(*) FROM read_parquet('{kept}')"
    ).fetchone()
    assert stored == (2, 5)
    raw = kept.read_bytes()
    assert not any(f"CIF-{i}".encode() in raw for i in range(1, 6))


def test_values_off_the_fast_path_parse_like_canonical_ones(
    tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    messy = (
        " banka ",
        " T2 ",
        " 2026-10-05T10:00:00+07:00 ",
        f" {nmid(1).lower()} ",
        "25.000",
        "QRIS ",
        " SUCCESS",
        " P ",
    )
    batch = ingest(write_csv(tmp_path / "a.csv", [row("T1", payer="P"), messy]))
    assert (batch.rows_accepted, batch.rows_rejected) == (2, 0), batch.message
    files = ledger.list_files(settings, ledger.TRANSACTIONS)
    columns = "txn_id, ts, day, nmid, amount, channel, status, payer"
    stored = duckdb.sql(f"SELECT {columns} FROM {ledger.scan_sql(files)} ORDER BY 1").fetchall()
    assert stored[1] == ("T2", *stored[0][1:])
