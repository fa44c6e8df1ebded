"""Every validation rule: the row is rejected with (row, column, raw value, rule), nothing else is lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import HEADER, row, write_csv
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim.config import Settings
from smartkotim.economy.ingest.queries import list_row_errors

CASES = [
    ("required", "txn_id", row("")),
    ("required", "payer_id", row("T9", payer="")),
    ("too_long", "txn_id", row("X" * 65)),
    ("timestamp_invalid", "timestamp", row("T9", ts="05/10/2026 10:00")),
    ("timestamp_future", "timestamp", row("T9", ts="2099-01-01T00:00:00+07:00")),
    ("timestamp_too_early", "timestamp", row("T9", ts="2019-12-31T10:00:00+07:00")),
    ("amount_invalid", "amount", row("T9", amount="dua ribu")),
    ("amount_fraction", "amount", row("T9", amount="1000.5")),
    ("amount_not_positive", "amount", row("T9", amount="0")),
    ("amount_above_ceiling", "amount", row("T9", amount="100000001")),
    (
        "nmid_invalid",
        "nmid",
        ("BANKA", "T9", "2026-10-05T10:00:00+07:00", "IDX", "1000", "qris", "success", "P"),
    ),
    ("nmid_invalid", "nmid", (*row("T9")[:3], "ID106", *row("T9")[4:])),  # not on the register either
    ("channel_unknown", "channel", row("T9", channel="cek")),
    ("status_unknown", "status", row("T9", status="pending")),
    ("acquirer_mismatch", "acquirer", row("T9", bank="BANKB")),
]


@pytest.mark.parametrize(("rule", "column", "bad"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_each_rule_rejects_its_row_and_reports_it(
    rule: str, column: str, bad: tuple[str, ...], tmp_path: Path, ingest: Ingest, db: Session
) -> None:
    batch = ingest(write_csv(tmp_path / "a.csv", [row("T1"), bad, row("T2")]))
    assert batch.status == "applied", batch.message
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (3, 2, 1)
    errors = [(e.row_no, e.column, e.rule) for e in list_row_errors(db, batch.id)]
    assert errors == [(3, column, rule)]  # each bad row breaks one rule only: it is reported once
    raw = next(e.raw_value for e in list_row_errors(db, batch.id) if e.rule == rule)
    if column != "payer_id":
        assert raw == (bad[HEADER.index(column)] or None)


def test_currency_and_mcc_columns_are_checked_when_present(
    tmp_path: Path, ingest: Ingest, db: Session
) -> None:
    header = (*HEADER, "currency", "mcc")
    rows = [(*row("T1"), "IDR", "5411"), (*row("T2"), "USD", "5411"), (*row("T3"), "IDR", "54A1")]
    batch = ingest(write_csv(tmp_path / "a.csv", rows, header=header))
    assert (batch.rows_accepted, batch.rows_rejected) == (1, 2)
    assert {(e.row_no, e.rule) for e in list_row_errors(db, batch.id)} == {
        (3, "currency_not_idr"),
        (4, "mcc_invalid"),
    }


def test_ceiling_and_start_come_from_settings(tmp_path: Path, ingest: Ingest, settings: Settings) -> None:
    assert settings.ingest_amount_ceiling_idr == 100_000_000
    assert str(settings.ingest_earliest_date) == "2020-01-01"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "kosong"),
        (b"acquirer,txn_id,timestamp,nmid,amount,channel,status,payer_id\n", "tidak berisi baris data"),
        (b"a,b,c\n1,2,3\n", "kolom wajib tidak ada"),
    ],
)
def test_unusable_files_fail_clearly_and_store_nothing(
    content: bytes, message: str, tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    batch = ingest(path)
    assert batch.status == "failed"
    assert message in batch.message
    assert not list(settings.uploads_dir.glob("*"))
