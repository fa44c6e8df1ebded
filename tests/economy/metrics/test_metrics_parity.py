"""Parity: the metrics from the rollups (production) equal the metrics straight from the ledger rows
(the reference), for every area and period, on data that went through the real ingest — including
reversals that arrive after, before and without their transaction, and an incremental update."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import metrics_dataset as ds
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_metrics_exact import AS_OF

from conftest import csv_rows, ingest_csv
from smartkotim.config import Settings
from smartkotim.economy.metrics.hooks import on_batch_recorded
from smartkotim.economy.metrics.models import EconomyMetric
from smartkotim.economy.metrics.readers import list_area_metrics
from smartkotim.economy.metrics.services import recompute_metrics

SKIP = ("id", "computed_at")

# Reversals: of a4 (20 Oct) filed in November; of z1 before z1 itself arrives; of a txn never reported.
LATE = [
    ds.T("a4", 1, date(2026, 11, 5), 40_000, "P3", "reversed"),
    ds.T("z1", 1, date(2026, 11, 6), 7_000, "P8", "reversed"),
    ds.T("ghost", 1, date(2026, 11, 6), 1_000, "P8", "reversed"),
    ds.T("n1", 1, date(2026, 11, 6), 12_000, "P8"),
]
LATER = [ds.T("z1", 1, date(2026, 11, 4), 7_000, "P8"), ds.T("n2", 4, date(2026, 11, 7), 9_000, "P1")]


def stored(session: Session) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every stored row by (level, area, period), without its id and timestamp."""
    session.expire_all()
    return {
        (r.level, r.area_code, r.period_id): {
            c.name: getattr(r, c.name) for c in EconomyMetric.__table__.columns if c.name not in SKIP
        }
        for r in session.scalars(select(EconomyMetric))
    }


def both_ways(session: Session, settings: Settings) -> tuple[dict[Any, Any], dict[Any, Any]]:
    recompute_metrics(session, settings, as_of=AS_OF, trigger="test")
    from_rollups = stored(session)
    recompute_metrics(session, settings, as_of=AS_OF, source="ledger", trigger="test")
    return from_rollups, stored(session)


def test_rollup_metrics_equal_ledger_metrics_for_every_area_and_period(
    ingested: Session, settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_csv(settings, session_factory, tmp_path / "late.csv", csv_rows(LATE, "BNK1"), "BNK1")
    ingest_csv(settings, session_factory, tmp_path / "later.csv", csv_rows(LATER, "BNK1"), "BNK1")
    from_rollups, from_ledger = both_ways(ingested, settings)
    assert len(from_rollups) > 3000  # 4 levels × hundreds of periods with traders
    assert from_rollups.keys() == from_ledger.keys()
    differing = [k for k in from_rollups if from_rollups[k] != from_ledger[k]]
    assert differing == [], (differing[:3], [(from_rollups[k], from_ledger[k]) for k in differing[:1]])
    kab_oct = from_rollups[("kabupaten", "62.02", "2026-10")]
    assert (kab_oct["transactions"], kab_oct["value"], kab_oct["attempted"]) == (9, 240_000, 12)


def test_reversal_cancels_its_transaction_and_nothing_else(
    ingested: Session, settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    recompute_metrics(ingested, settings, as_of=AS_OF, trigger="test")
    before = list_area_metrics(ingested, settings, level="kabupaten", period_id="2026-10")[0]
    assert (before.transactions, before.value, before.success_rate) == (10, 280_000, 83.33)
    ingest_csv(settings, session_factory, tmp_path / "late.csv", csv_rows(LATE, "BNK1"), "BNK1")
    recompute_metrics(ingested, settings, as_of=AS_OF, trigger="test")
    october = list_area_metrics(ingested, settings, level="kabupaten", period_id="2026-10")[0]
    # a4 (40,000 on 20 Oct) is cancelled in its own month; it stays an attempt, so success is 9 of 12
    assert (october.transactions, october.value, october.success_rate) == (9, 240_000, 75.0)
    assert october.merchants_active == before.merchants_active  # m1 still sold on other days
    november = list_area_metrics(ingested, settings, level="kabupaten", period_id="2026-11")[0]
    # the reversal rows themselves count nowhere; n1 is new; z1 and ghost have no transaction yet
    assert (november.transactions, november.value) == (2, 70_000 + 12_000)


def test_incremental_update_from_rollups_equals_full_ledger_recompute(
    ingested: Session, settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    recompute_metrics(ingested, settings, as_of=AS_OF, trigger="test")
    batch = ingest_csv(settings, session_factory, tmp_path / "late.csv", csv_rows(LATE, "BNK1"), "BNK1")
    days = {t.day for t in LATE} | {date(2026, 10, 20)}  # the day of the reversed a4 changes too
    on_batch_recorded(ingested, settings, batch_id=batch.id, days=days, as_of=AS_OF)
    incremental = stored(ingested)
    recompute_metrics(ingested, settings, as_of=AS_OF, source="ledger", trigger="test")
    assert incremental == stored(ingested)
