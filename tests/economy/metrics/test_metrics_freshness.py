"""Freshness (issue 4 §5): an ingested batch refreshes the metrics of the periods it touched, and only
those, without anyone running a recompute. Needs the ingest to call ``hooks.on_batch_recorded`` once a
batch is applied (see docs/metrics.md "Store, freshness and consistency")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import metrics_dataset as ds
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import csv_rows, ingest_csv
from smartkotim.config import Settings
from smartkotim.economy.metrics.models import EconomyMetric
from smartkotim.economy.metrics.readers import list_area_metrics
from smartkotim.economy.metrics.services import recompute_metrics


def _stamps(session: Session, period_id: str) -> dict[int, object]:
    session.expire_all()
    query = select(EconomyMetric).where(EconomyMetric.period_id == period_id)
    return {r.id: r.computed_at for r in session.scalars(query)}


def test_an_ingested_batch_refreshes_only_its_periods(
    ingested: Session, settings: Settings, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    recompute_metrics(ingested, settings, trigger="test")
    october = _stamps(ingested, "2026-10")
    assert october
    extra = [ds.T("f1", 4, date(2026, 11, 3), 42_000, "P9")]
    ingest_csv(settings, session_factory, tmp_path / "extra.csv", csv_rows(extra, "BNK1"), "BNK1")
    november = list_area_metrics(ingested, settings, level="kabupaten", period_id="2026-11")[0]
    assert (november.transactions, november.value) == (2, 70_000 + 42_000)
    assert _stamps(ingested, "2026-10") == october  # untouched periods keep their rows


def test_a_register_change_refreshes_the_latest_periods(ingested: Session, settings: Settings) -> None:
    from smartkotim.economy.metrics.hooks import (
        REGISTER_HOOKS,
        refresh_register_metrics,
        register_refresh_days,
        run_register_hooks,
    )
    from smartkotim.economy.registry.models import Merchant
    from smartkotim.lib.periods import today_wib

    assert refresh_register_metrics in REGISTER_HOOKS
    recompute_metrics(ingested, settings, trigger="test")
    months = sorted({d.strftime("%Y-%m") for d in register_refresh_days(today_wib())})

    def traders(month: str) -> tuple[int, int]:
        row = list_area_metrics(ingested, settings, level="desa", period_id=month)
        a = next(i for i in row if i.code == ds.A)
        return a.traders_known, a.merchants_registered

    before = {m: traders(m) for m in months}
    ingested.add(
        Merchant(
            nmid="ID1000000000077",
            name="Pedagang Baru",
            name_normalised="pedagang baru",
            desa_code=ds.A,
            desa_resolution="code",
            accepts_cashless=True,
            acquirer_code="BNK1",
            status="active",
        )
    )
    ingested.commit()
    assert {m: traders(m) for m in months} == before  # stale until refreshed
    run_register_hooks(ingested, settings)
    assert {m: traders(m) for m in months} == {m: (t + 1, r + 1) for m, (t, r) in before.items()}
