"""Incremental updates touch only the periods of a batch's days; additive metrics add up across levels."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import metrics_dataset as ds
import pyarrow as pa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from conftest import dataset_transactions
from smartkotim.config import Settings
from smartkotim.economy.metrics.compute import (
    AREA_SCHEMA,
    MERCHANT_SCHEMA,
    RegisterInputs,
    compute_metric_rows,
)
from smartkotim.economy.metrics.hooks import on_batch_recorded
from smartkotim.economy.metrics.models import EconomyMetric
from smartkotim.economy.metrics.readers import list_area_metrics
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.economy.metrics.sources import TXN_SOURCES
from smartkotim.lib.periods import parse_period

AS_OF = date(2026, 11, 30)


def test_batch_updates_only_its_periods(seeded: Session, settings: Settings) -> None:
    recompute_metrics(seeded, settings, as_of=AS_OF, source="dataset")
    october_before = {r.id: r.computed_at for r in seeded.query(EconomyMetric).filter_by(period_id="2026-10")}
    extra = ds.T("e1", 4, date(2026, 11, 3), 42_000, "P9")
    TXN_SOURCES["dataset"] = lambda _s, _c, _m: dataset_transactions([*ds.TRANSACTIONS, extra])
    result = on_batch_recorded(seeded, settings, batch_id=7, days=[extra.day], source="dataset")
    assert result is not None and result.mode == "incremental"
    seeded.expire_all()
    october_after = {r.id: r.computed_at for r in seeded.query(EconomyMetric).filter_by(period_id="2026-10")}
    assert october_after == october_before  # untouched rows: same ids, same time
    # the relative periods are anchored on today, so read a calendar period
    nov = list_area_metrics(seeded, settings, level="kabupaten", period_id="2026-11")[0]
    assert (nov.transactions, nov.value, nov.unique_payers) == (2, 112_000, 2)
    q4 = list_area_metrics(seeded, settings, level="kabupaten", period_id="2026Q4")[0]
    assert (q4.transactions, q4.unique_payers) == (12, 6)


merchant_keys = [m.key for m in ds.MERCHANTS if m.nmid]
txn_strategy = st.lists(
    st.tuples(
        st.sampled_from(merchant_keys),
        st.integers(min_value=0, max_value=90),
        st.integers(min_value=1, max_value=10**7),
        st.sampled_from(["P1", "P2", "P3", "P4"]),
        st.booleans(),
    ),
    max_size=40,
)


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(txn_strategy)
def test_additive_metrics_add_up_from_desa_to_kabupaten(rows: list[tuple[int, int, int, str, bool]]) -> None:
    by_key = {m.key: m for m in ds.MERCHANTS}
    txn = pa.Table.from_pylist(
        [
            {
                "nmid": by_key[k].nmid,
                "day": date(2026, 9, 1) + timedelta(days=d),
                "amount": amount,
                "payer": payer,
                "ok": ok,
                "attempted": True,
                "acquirer": by_key[k].acquirer,
            }
            for k, d, amount, payer, ok in rows
        ],
        schema=pa.schema(
            [
                ("nmid", pa.string()),
                ("day", pa.date32()),
                ("amount", pa.int64()),
                ("payer", pa.string()),
                ("ok", pa.bool_()),
                ("attempted", pa.bool_()),
                ("acquirer", pa.string()),
            ]
        ),
    )
    merchants = pa.Table.from_pylist(
        [
            {
                "merchant_id": m.key,
                "nmid": m.nmid,
                "desa_code": m.desa,
                "kecamatan_code": m.desa.rsplit(".", 1)[0],
                "market_code": m.market,
                "registered": m.registered,
                "onboarded_on": m.onboarded_on,
                "acquirer": m.acquirer,
            }
            for m in ds.MERCHANTS
        ],
        schema=MERCHANT_SCHEMA,
    )
    register = RegisterInputs(merchants, pa.Table.from_pylist([], schema=AREA_SCHEMA), "62.02")
    periods = [parse_period(p) for p in ("2026-09", "2026-10", "2026-11", "2026Q4", "2026-W40")]
    with duckdb.connect() as con:
        out = compute_metric_rows(con, txn=txn, register=register, periods=periods).to_pylist()
    additive = (
        "traders_known",
        "merchants_registered",
        "merchants_active",
        "transactions",
        "value",
        "attempted",
    )
    for period in periods:
        rows_of = [r for r in out if r["period_id"] == period.id]
        total = {r["level"]: r for r in rows_of if r["level"] == "kabupaten"}["kabupaten"]
        kecamatan = [r for r in rows_of if r["level"] == "kecamatan"]
        desa = [r for r in rows_of if r["level"] == "desa"]
        for name in additive:
            assert sum(r[name] for r in desa) == sum(r[name] for r in kecamatan) == total[name]
        assert total["unique_payers"] <= sum(r["unique_payers"] for r in desa)  # distinct: never summed
