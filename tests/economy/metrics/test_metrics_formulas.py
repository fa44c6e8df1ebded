"""Pure formulas: growth, area classes, the index and choropleth classes (no database)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkotim.economy.metrics.breaks import (
    NO_DATA,
    BreakMethod,
    FixedLimitsError,
    classify_values,
    parse_fixed_limits,
)
from smartkotim.economy.metrics.classes import (
    CLASS_RANK,
    AreaClass,
    ClassThresholds,
    classify_area,
    lagging_codes,
    list_class_changes,
)
from smartkotim.economy.metrics.growth import GrowthNote, change_pp, growth
from smartkotim.economy.metrics.index import (
    COMPONENT_INDICATORS,
    DEFAULT_INDEX_CONFIG,
    IndexConfig,
    compute_index,
    normalise,
)
from smartkotim.economy.metrics.readers import pick_default_month

rates = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))
trends = st.one_of(st.none(), st.floats(min_value=-100, max_value=100, allow_nan=False))


def test_growth_known_values_and_zero_base() -> None:
    assert growth(150, 100).pct == 50.0
    assert growth(50, 100).pct == -50.0
    assert growth(5, 0).note is GrowthNote.NEW
    assert growth(5, 0).label == "baru"
    assert growth(0, 0).note is GrowthNote.NOT_AVAILABLE
    assert growth(5, None).label == "n.a."
    assert growth(None, 5).pct is None
    assert growth(110, 100).label == "+10.0 %"
    assert change_pp(30.0, 20.0) == 10.0
    assert change_pp(None, 20.0) is None


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_growth_is_never_infinite_or_a_silent_zero(current: int, base: int) -> None:
    result = growth(current, base)
    if base == 0:
        assert result.pct is None and result.note is not None
    else:
        assert result.pct is not None and abs(result.pct) < float("inf")


def test_classes_known_cases() -> None:
    t = ClassThresholds(aktif_min_adoption=50, berkembang_min_adoption=20, berkembang_min_trend_pp=5)
    assert classify_area(None, None, t) is None
    assert classify_area(60, None, t) is AreaClass.AKTIF
    assert classify_area(50, -10, t) is AreaClass.AKTIF
    assert classify_area(25, None, t) is AreaClass.BERKEMBANG
    assert classify_area(10, 6, t) is AreaClass.BERKEMBANG
    assert classify_area(10, 4, t) is AreaClass.TERTINGGAL
    assert classify_area(10, None, t) is AreaClass.TERTINGGAL
    assert classify_area(0, 50, t) is AreaClass.BELUM_MULAI
    with pytest.raises(ValueError, match="started ≤ berkembang ≤ aktif"):
        ClassThresholds(aktif_min_adoption=10, berkembang_min_adoption=20)


thresholds = st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0, 100), st.floats(-50, 50)).map(
    lambda t: (sorted(t[:3]), t[3])
)


@given(rates, trends, thresholds, st.floats(0, 30), st.floats(0, 30), st.floats(0, 30), st.floats(0, 30))
def test_class_is_monotone_in_the_thresholds(
    adoption: float | None,
    trend: float | None,
    base: tuple[list[float], float],
    d_start: float,
    d_berk: float,
    d_aktif: float,
    d_trend: float,
) -> None:
    (start, berk, aktif), trend_t = base
    low = ClassThresholds(aktif, berk, trend_t, start)
    high = ClassThresholds(
        aktif + d_start + d_berk + d_aktif, berk + d_start + d_berk, trend_t + d_trend, start + d_start
    )
    a, b = classify_area(adoption, trend, low), classify_area(adoption, trend, high)
    if adoption is None:
        assert a is None and b is None
    else:
        assert a is not None and b is not None
        assert CLASS_RANK[b] <= CLASS_RANK[a]


@given(st.floats(0, 100), st.floats(0, 100), trends)
def test_class_is_monotone_in_adoption(a1: float, a2: float, trend: float | None) -> None:
    low, high = sorted((a1, a2))
    t = ClassThresholds()
    lo, hi = classify_area(low, trend, t), classify_area(high, trend, t)
    assert lo is not None and hi is not None
    assert CLASS_RANK[lo] <= CLASS_RANK[hi]


def test_class_changes_and_lagging_list() -> None:
    current = {"a": AreaClass.AKTIF, "b": AreaClass.TERTINGGAL, "c": AreaClass.BELUM_MULAI, "d": None}
    previous = {"a": AreaClass.BERKEMBANG, "b": AreaClass.TERTINGGAL, "c": AreaClass.TERTINGGAL}
    changes = list_class_changes(current, previous)
    assert [(c.code, c.direction) for c in changes] == [("a", 1), ("c", -1)]
    assert lagging_codes(current.items()) == ["b", "c"]


def test_index_known_value_and_renormalisation() -> None:
    inputs = {
        "registered_share": 50.0,  # enablers 50
        "registered_per_1000_adults": 5.0,  # supply 50
        "payers_per_1000_adults": 125.0,  # demand 50
        "adoption_rate": 40.0,  # 50 ...
        "habitual_share": 100.0,  # ... and 100 → usage 75
        "success_rate": 90.0,  # experience 50
    }
    result = compute_index(inputs)
    assert result.score == pytest.approx((25 * 50 + 15 * 50 + 10 * 50 + 45 * 75 + 5 * 50) / 100, abs=0.05)
    assert not result.renormalised
    no_population = {**inputs, "registered_per_1000_adults": None, "payers_per_1000_adults": None}
    partial = compute_index(no_population)
    assert partial.renormalised
    missing = {c.name for c in partial.components if c.is_missing}
    assert missing == {"supply", "demand"}
    assert partial.score == pytest.approx((25 * 50 + 45 * 75 + 5 * 50) / 75, abs=0.05)
    assert sum(c.effective_weight_pct for c in partial.components) == pytest.approx(100.0)
    assert compute_index({}).score is None


def test_index_config_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown index components"):
        IndexConfig({"fun": 1.0}, {})
    with pytest.raises(ValueError, match="goalposts"):
        IndexConfig({"usage": 1.0}, {"adoption_rate": (5.0, 5.0)})
    assert normalise(120, 0, 100) == 100.0
    assert normalise(0.5, 1, 0) == 50.0  # lower is better


indicator_values = st.fixed_dictionaries(
    {
        name: st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))
        for names in COMPONENT_INDICATORS.values()
        for name in names
    }
)


@given(indicator_values, st.dictionaries(st.sampled_from(sorted(COMPONENT_INDICATORS)), st.floats(0.1, 100)))
def test_index_stays_within_0_and_100(inputs: dict[str, float | None], weights: dict[str, float]) -> None:
    config = IndexConfig(weights or DEFAULT_INDEX_CONFIG.weights, DEFAULT_INDEX_CONFIG.goalposts)
    score = compute_index(inputs, config).score
    assert score is None or 0.0 <= score <= 100.0


@pytest.mark.parametrize("method", list(BreakMethod))
def test_breaks_put_none_in_the_no_data_class(method: BreakMethod) -> None:
    values = [1.0, 2.0, None, 3.0, 10.0, 20.0, 30.0, None]
    result = classify_values(values, method, k=3, fixed=[5.0, 15.0, 40.0])
    assert result.classes[2] == result.classes[7] == NO_DATA
    open_top = 1 if method is BreakMethod.FIXED else 0  # fixed limits get an open "> last" class
    assert all(
        0 <= c < len(result.upper_limits) + open_top
        for i, c in enumerate(result.classes)
        if values[i] is not None
    )
    assert len(result.labels) == len(result.upper_limits) + open_top
    present = [(v, c) for v, c in zip(values, result.classes, strict=True) if v is not None]
    for (v1, c1), (v2, c2) in pairwise(sorted(present)):
        assert (v1 <= v2) <= (c1 <= c2)  # sorted values never go to a lower class


def test_breaks_known_values() -> None:
    fixed = classify_values([0.0, 10.0, 25.0, 80.0], BreakMethod.FIXED, fixed=[20.0, 50.0, 100.0])
    assert fixed.classes == (0, 0, 1, 2)
    equal = classify_values([0.0, 10.0, 20.0, 30.0], BreakMethod.EQUAL_INTERVAL, k=3)
    assert equal.upper_limits == (10.0, 20.0, 30.0)
    assert equal.classes == (0, 0, 1, 2)
    jenks = classify_values([1.0, 1.1, 1.2, 9.0, 9.1, 9.2], BreakMethod.NATURAL_BREAKS, k=2)
    assert jenks.classes == (0, 0, 0, 1, 1, 1)
    # fewer distinct values than classes: k shrinks, no warning
    assert classify_values([5.0, 5.0, 5.0], BreakMethod.QUANTILE, k=5).classes == (0, 0, 0)
    assert classify_values([None, None]).classes == (NO_DATA, NO_DATA)


def test_fixed_limits_are_kept_with_an_open_top_class() -> None:
    values = [0.0, 5.0, 10.0, 15.0, 20.0, 35.0, 57.8]
    result = classify_values(values, BreakMethod.FIXED, fixed=[10.0, 20.0, 50.0])
    assert result.upper_limits == (10.0, 20.0, 50.0)
    assert result.labels == ("0,0 – 10,0", "10,0 – 20,0", "20,0 – 50,0", "> 50,0")
    assert result.classes == (0, 0, 0, 1, 1, 2, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10,abc", "'abc' is not a number"),
        ("nan", "not a finite number"),
        ("10,1e400", "not a finite number"),
        ("20,10", "must increase"),
        ("10,10", "must increase"),
        (" , ", "at least one"),
    ],
)
def test_bad_fixed_limits_are_refused(text: str, message: str) -> None:
    with pytest.raises(FixedLimitsError, match=message):
        parse_fixed_limits(text)
    with pytest.raises(FixedLimitsError):
        classify_values([1.0], BreakMethod.FIXED, fixed=[float("nan")])


def test_fixed_limits_parse() -> None:
    assert parse_fixed_limits("10, 20.5,50") == [10.0, 20.5, 50.0]


@pytest.mark.parametrize("method", [m for m in BreakMethod if m is not BreakMethod.FIXED])
def test_comparison_maps_share_class_limits(method: BreakMethod) -> None:
    first = [1.0, 2.0, 3.0, None]
    second = [10.0, 20.0, 30.0, 40.0]
    a = classify_values(first, method, k=3, also=second)
    b = classify_values(second, method, k=3, also=first)
    assert a.upper_limits == b.upper_limits
    assert a.labels == b.labels
    union = classify_values(first + second, method, k=3)
    assert a.upper_limits == union.upper_limits
    assert a.classes + b.classes == union.classes


def test_default_month_is_the_latest_complete_month_with_data() -> None:
    today = date(2026, 11, 3)
    assert pick_default_month(["2026-11", "2026-10", "2026-09"], today) == "2026-10"
    assert pick_default_month(["2026-09", "2026-11"], today) == "2026-09"  # October has no data
    assert pick_default_month(["2026-10"], today) == "2026-10"
    assert pick_default_month(["2026-11"], today) == "2026-11"  # only the running month has data
    assert pick_default_month([], today) == "2026-11"
    assert pick_default_month(["2026-11", "2026-10"], date(2026, 12, 1)) == "2026-11"  # ended in WIB
