"""Exact values of every metric on the hand-made dataset (``metrics_dataset.py``), worked out by hand.

Each test runs twice: end to end through the real ingest from CSV files (the production path: rollups
plus ledger) and on the registered Arrow source (the reference computation straight from rows).
"""

from __future__ import annotations

from datetime import date

import pytest
from metrics_dataset import K1, K2, K3, MARKET, A, B, C, D
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics.readers import get_summary, list_area_metrics
from smartkotim.economy.metrics.schemas import AreaMetricsOut
from smartkotim.economy.metrics.services import recompute_metrics

AS_OF = date(2026, 11, 30)


def _by_code(items: list[AreaMetricsOut]) -> dict[str, AreaMetricsOut]:
    return {i.code: i for i in items}


@pytest.fixture(params=["ingested", "seeded"])
def computed(request: pytest.FixtureRequest, settings: Settings) -> Session:
    """The dataset computed end to end (CSV → real ingest → ledger and rollups → metrics from the rollups
    and the ledger) or from the registered Arrow source by the reference computation."""
    session: Session = request.getfixturevalue(request.param)
    source = "rollups" if request.param == "ingested" else "dataset"
    recompute_metrics(session, settings, as_of=AS_OF, source=source, trigger="test")
    return session


def test_desa_october_every_metric(computed: Session, settings: Settings) -> None:
    desa = _by_code(list_area_metrics(computed, settings, level="desa", period_id="2026-10"))
    a = desa[A]
    # traders m1, m2, m3; registered m1 and m2 (onboarded 15 Oct, before the end of October)
    assert (a.traders_known, a.merchants_registered, a.merchants_active, a.merchants_habitual) == (3, 2, 2, 1)
    assert a.adoption_rate == pytest.approx(66.67)
    assert (a.transactions, a.value) == (6, 210_000)  # the failed 5,000 does not count
    assert a.unique_payers == 3  # P1, P2, P3 (P1 and P2 pay both merchants)
    assert a.payers_per_1000_adults == 3.0
    assert a.avg_ticket == 35_000
    assert a.median_ticket == 30_000  # lower median of 10k..60k
    assert a.success_rate == pytest.approx(85.71)  # 6 of 7
    assert a.reporting_completeness == 100.0  # BNK1 and BNK2 both reported October
    b = desa[B]
    assert (b.traders_known, b.merchants_registered, b.merchants_active, b.merchants_habitual) == (2, 1, 1, 1)
    assert (b.transactions, b.value, b.unique_payers, b.median_ticket) == (4, 70_000, 2, 15_000)
    assert b.payers_per_1000_adults == 4.0
    c = desa[C]  # registered in 2025, idle in October 2026
    assert (c.traders_known, c.merchants_active, c.transactions, c.value) == (1, 0, 0, 0)
    assert c.adoption_rate == 0.0
    assert c.area_class == "belum_mulai"
    assert c.median_ticket is None and c.avg_ticket is None
    assert c.payers_per_1000_adults is None  # no adult population known
    d = desa[D]  # no merchant at all: no data, no class, no index
    assert not d.has_data
    assert (d.traders_known, d.transactions) == (0, 0)
    assert d.adoption_rate is None and d.area_class is None and d.index is None


def test_kecamatan_and_kabupaten_october(computed: Session, settings: Settings) -> None:
    kec = _by_code(list_area_metrics(computed, settings, level="kecamatan", period_id="2026-10"))
    k1 = kec[K1]
    assert (k1.traders_known, k1.merchants_registered, k1.merchants_active, k1.merchants_habitual) == (
        5,
        3,
        3,
        2,
    )
    assert (k1.transactions, k1.value) == (10, 280_000)
    assert k1.unique_payers == 5  # P1 P2 P3 P5 P6: not 3 + 2 from the desa, which share none here
    assert k1.median_ticket == 20_000
    assert k1.adults is None  # only 2 of its 11 desa have a figure: no sum
    assert k1.payers_per_1000_adults is None
    assert kec[K2].merchants_active == 0
    assert not kec[K3].has_data
    kab = list_area_metrics(computed, settings, level="kabupaten", period_id="2026-10")[0]
    assert (kab.traders_known, kab.merchants_registered, kab.merchants_active) == (6, 4, 3)
    assert (kab.transactions, kab.value, kab.unique_payers) == (10, 280_000, 5)
    assert kab.adoption_rate == 50.0
    assert kab.area_class == "aktif"


def test_distinct_payers_are_never_summed_across_periods(computed: Session, settings: Settings) -> None:
    oct_ = list_area_metrics(computed, settings, level="kabupaten", period_id="2026-10")[0]
    nov = list_area_metrics(computed, settings, level="kabupaten", period_id="2026-11")[0]
    q4 = list_area_metrics(computed, settings, level="kabupaten", period_id="2026Q4")[0]
    assert (oct_.unique_payers, nov.unique_payers) == (5, 1)  # November: P1 again
    assert q4.unique_payers == 5  # P1 paid in both months: 5, not 6
    assert (q4.transactions, q4.value) == (oct_.transactions + nov.transactions, oct_.value + nov.value)


def test_habitual_threshold_scales_with_the_period(computed: Session, settings: Settings) -> None:
    weeks = _by_code(list_area_metrics(computed, settings, level="desa", period_id="2026-W42"))
    assert weeks[A].merchants_habitual is None  # not defined for a week
    assert (weeks[A].transactions, weeks[A].value, weeks[A].median_ticket) == (3, 140_000, 50_000)
    q4 = _by_code(list_area_metrics(computed, settings, level="desa", period_id="2026Q4"))
    assert q4[A].merchants_habitual == 0  # 12 active weeks needed in a quarter


def test_habitual_threshold_is_configurable(seeded: Session, settings: Settings) -> None:
    three = settings.model_copy(update={"metrics_habitual_min_weeks": 1})
    recompute_metrics(seeded, three, as_of=AS_OF, source="dataset")
    desa = _by_code(list_area_metrics(seeded, three, level="desa", period_id="2026-10"))
    assert desa[A].merchants_habitual == 2  # m2's single week now suffices


def test_growth_from_zero_and_missing_bases(computed: Session, settings: Settings) -> None:
    kab = list_area_metrics(computed, settings, level="kabupaten", period_id="2026-10")[0]
    assert kab.growth["transactions"].previous.note == "baru"  # September 2026: 0 transactions
    assert kab.growth["transactions"].year_ago.pct == 900.0  # 1 -> 10
    assert kab.growth["value"].year_ago.pct == 180.0  # 100,000 -> 280,000
    kec = _by_code(list_area_metrics(computed, settings, level="kecamatan", period_id="2026-10"))
    assert kec[K2].growth["transactions"].year_ago.pct == -100.0
    assert kec[K1].growth["transactions"].year_ago.note == "baru"
    first = list_area_metrics(computed, settings, level="kabupaten", period_id="2025-10")[0]
    assert first.growth["transactions"].previous.note == "n.a."  # before the data begin
    assert first.growth["transactions"].previous.pct is None
    # the year 2025 holds data only from October (the first ledger day is 10 Oct 2025): 2026 against it
    # would be +∞-like growth from a partial base; it is n.a., and so is the trend of 2026Q1 against a
    # quarter (2025Q4) that is covered whole from its first month on
    year = list_area_metrics(computed, settings, level="kabupaten", period_id="2026")[0]
    assert year.growth["transactions"].previous.note == "n.a." and year.growth["value"].previous.pct is None
    q4 = list_area_metrics(computed, settings, level="kabupaten", period_id="2025Q4")[0]
    assert q4.growth["transactions"].previous.note == "n.a."  # 2025Q3: before the data begin
    q1 = list_area_metrics(computed, settings, level="kabupaten", period_id="2026Q1")[0]
    assert q1.growth["transactions"].previous.pct == -100.0  # 2025Q4 is covered: 1 -> 0


def test_market_metrics_equal_its_desa_when_all_traders_sit_in_it(
    computed: Session, settings: Settings
) -> None:
    market = list_area_metrics(computed, settings, level="market", period_id="2026-10")[0]
    desa = _by_code(list_area_metrics(computed, settings, level="desa", period_id="2026-10"))[A]
    assert market.code == MARKET and market.parent_code == A
    for name in (
        "traders_known",
        "merchants_active",
        "merchants_habitual",
        "transactions",
        "value",
        "unique_payers",
    ):
        assert getattr(market, name) == getattr(desa, name)
    assert market.lat == -2.55


def test_index_and_summary(computed: Session, settings: Settings) -> None:
    desa = _by_code(list_area_metrics(computed, settings, level="desa", period_id="2026-10"))
    b = desa[B]
    # enablers 50 (1/2 registered); supply 2/1000 adults → 20; demand 4/1000 → 1.6;
    # usage mean(50/80 → 62.5, habitual 100 %) = 81.25; experience 80 % success → 0
    expected = (25 * 50 + 15 * 20 + 10 * 1.6 + 45 * 81.25 + 5 * 0) / 100
    assert b.index == pytest.approx(expected, abs=0.05)
    assert not b.index_renormalised
    assert desa[C].index_renormalised  # no adults: supply and demand missing
    summary = get_summary(computed, settings, level="desa", period_id="2026-10")
    assert summary.kabupaten.transactions == 10
    assert summary.class_counts["belum_mulai"] == 1
    assert [lag.code for lag in summary.lagging] == [C]
    assert summary.lagging[0].gap_pp == 50.0
