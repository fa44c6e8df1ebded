"""Exact values: a small file made here → the ledger and the rollups hold exactly what the file says."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
from ingest_helpers import nmid, row, write_csv
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest.models import TransactionRollup
from smartkotim.economy.ingest.services import pseudonymise

WIB = timezone(timedelta(hours=7))


def wib_day(text: str) -> date:
    """The WIB calendar day of an ISO timestamp (WIB when it has no offset), worked out independently."""
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    stamp = stamp.replace(tzinfo=WIB) if stamp.tzinfo is None else stamp
    return stamp.astimezone(WIB).date()


def ledger_rows(settings: Settings) -> list[tuple]:
    files = ledger.list_files(settings, ledger.TRANSACTIONS)
    return duckdb.sql(
        f"SELECT acquirer_code, txn_id, day, nmid, amount, channel, status, payer, month "
        f"FROM {ledger.scan_sql(files)} ORDER BY acquirer_code, txn_id"
    ).fetchall()


def rollups(db: Session) -> dict[tuple, tuple]:
    rows = db.scalars(select(TransactionRollup)).all()
    return {
        (r.day, r.acquirer_code, r.nmid, r.channel): (
            r.txn_count,
            r.value,
            r.payers,
            r.failed_count,
            r.reversed_count,
        )
        for r in rows
    }


def test_small_file_gives_exact_ledger_and_rollups(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    rows = [
        row("T1", ts="2026-10-05T10:00:00+07:00", m=1, amount="25000", payer="CIF-A"),
        row("T2", ts="2026-10-05T23:30:00+07:00", m=1, amount="10000", payer="CIF-A"),
        row("T3", ts="2026-10-05T12:00:00", m=1, amount="5000", payer="CIF-B"),  # no offset: WIB
        row("T4", ts="2026-10-05T17:30:00Z", m=1, amount="7000", payer="CIF-C"),  # 00:30 WIB on the 6th
        row("T5", ts="2026-10-06T08:00:00+07:00", m=2, amount="125000", channel="edc", payer="CIF-A"),
        row("T6", ts="2026-10-06T09:00:00+07:00", m=2, amount="4000", status="failed", payer="CIF-D"),
        row("T7", ts="2026-11-01T00:10:00+07:00", m=3, amount="60000", payer="CIF-E"),
    ]
    batch = ingest(write_csv(tmp_path / "oktober.csv", rows))
    assert batch.status == "applied", batch.message
    assert (batch.rows_read, batch.rows_accepted, batch.rows_duplicate, batch.rows_rejected) == (7, 7, 0, 0)
    assert batch.value_accepted == 25000 + 10000 + 5000 + 7000 + 125000 + 60000
    assert batch.months == ["2026-10", "2026-11"]

    stored = ledger_rows(settings)
    assert [r[1] for r in stored] == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    by_txn = {r[1]: r for r in stored}
    assert by_txn["T3"][2] == date(2026, 10, 5)
    assert by_txn["T4"][2] == date(2026, 10, 6)
    assert by_txn["T7"][8] == "2026-11"
    assert by_txn["T1"][7] == pseudonymise(settings, "CIF-A") == by_txn["T5"][7]

    expected: dict[tuple, list] = defaultdict(lambda: [0, 0, set(), 0, 0])
    for acquirer, _txn, ts, m, amount, channel, status, payer in rows:
        day = wib_day(ts)
        cell = expected[(day, acquirer, m, channel)]
        if status == "success":
            cell[0] += 1
            cell[1] += int(amount)
            cell[2].add(payer)
        else:
            cell[3] += 1
    want = {k: (v[0], v[1], len(v[2]), v[3], v[4]) for k, v in expected.items()}
    assert rollups(db) == want
    assert want[(date(2026, 10, 5), "BANKA", nmid(1), "qris")] == (3, 40000, 2, 0, 0)


def test_reversal_after_its_original_cancels_it_in_the_rollups(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    first = write_csv(
        tmp_path / "a.csv", [row("T1", amount="50000", payer="P1"), row("T2", amount="20000", payer="P2")]
    )
    assert ingest(first).status == "applied"
    reversal = write_csv(
        tmp_path / "b.csv",
        [row("T1", ts="2026-11-02T09:00:00+07:00", amount="50000", status="reversed", payer="P1")],
    )
    batch = ingest(reversal)
    assert (batch.rows_accepted, batch.rows_duplicate) == (1, 0), (
        batch.message,
        batch.rows_read,
        batch.rows_rejected,
    )
    assert batch.months == ["2026-10"]  # the reversal is filed with the transaction it reverses
    cell = rollups(db)[(date(2026, 10, 5), "BANKA", nmid(1), "qris")]
    assert cell == (1, 20000, 1, 0, 1)
    stats = ledger.summarise_ledger(settings)
    assert {s["status"]: s["rows"] for s in stats["by_status"]} == {"reversed": 1, "success": 2}
