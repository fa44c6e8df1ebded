"""The rollups a batch stores (computed for its own bank, on the fast or the general path) equal the
rollups recomputed from the whole ledger for every acquirer at once (``ledger rebuild-rollups``)."""

from __future__ import annotations

from pathlib import Path

from ingest_helpers import row, write_csv
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim.config import Settings
from smartkotim.economy.ingest.models import TransactionRollup
from smartkotim.economy.ingest.reconcile import rebuild_rollups


def _cells(db: Session) -> list[tuple[object, ...]]:
    db.expire_all()
    found = db.execute(
        select(
            TransactionRollup.day,
            TransactionRollup.acquirer_code,
            TransactionRollup.nmid,
            TransactionRollup.channel,
            TransactionRollup.txn_count,
            TransactionRollup.value,
            TransactionRollup.payers,
            TransactionRollup.failed_count,
            TransactionRollup.reversed_count,
        ).order_by(TransactionRollup.day, TransactionRollup.acquirer_code, TransactionRollup.nmid)
    ).all()
    return sorted(tuple(r) for r in found)


def test_batch_rollups_equal_a_rebuild_over_every_acquirer(
    tmp_path: Path, ingest: Ingest, settings: Settings, session_factory, db: Session
) -> None:  # type: ignore[no-untyped-def]
    day1, day2 = "2026-10-05T10:00:00+07:00", "2026-10-06T23:30:00+07:00"
    first = [
        row("T1", ts=day1, m=1, payer="P1"),
        row("T2", ts=day1, m=1, payer="P1", amount="5000"),
        row("T3", ts=day1, m=1, payer="P2", channel="edc"),
        row("T4", ts=day2, m=2, payer="P3", status="failed"),
        row("T5", ts=day2, m=2, payer="P3"),
    ]
    # the same txn ids at another bank are other transactions, in the same cells' days and merchants
    other = [row(f"T{i}", ts=day1, m=1, payer=f"Q{i}", bank="BANKB") for i in range(1, 4)]
    # a later batch of BANKA in the same month (general path) with a reversal of T2 and new rows
    later = [
        row("T2", ts=day1, m=1, payer="P1", amount="5000", status="reversed"),
        row("T6", ts=day1, m=1, payer="P4"),
        row("T7", ts=day2, m=3, payer="P1", channel="va"),
    ]
    for name, rows, bank in (("a.csv", first, "BANKA"), ("b.csv", other, "BANKB"), ("c.csv", later, "BANKA")):
        batch = ingest(write_csv(tmp_path / name, rows), bank=bank)
        assert batch.status == "applied", batch.message
    incremental = _cells(db)
    # worked out from the rows above: BANKA merchant 1 on 5 Oct, qris: T1, T6 (T2 reversed) by P1, P4
    day = incremental[0][0]
    assert (day, "BANKA", row("x", m=1)[3], "qris", 2, 50000, 2, 0, 1) in incremental
    assert sum(c[4] for c in incremental) == 3 + 3 + 2  # T1 T3 T5 + BANKB's three + T6 T7
    rebuild_rollups(settings, session_factory)
    assert _cells(db) == incremental
