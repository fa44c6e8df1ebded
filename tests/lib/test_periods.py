"""Period ids, arithmetic and the WIB calendar (``smartkotim.lib.periods``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkotim.lib.periods import (
    CALENDAR_KINDS,
    Period,
    PeriodError,
    PeriodKind,
    iso_week_starts,
    next_period,
    next_year_period,
    parse_period,
    period_of,
    periods_between,
    previous_period,
    same_period_last_year,
    today_wib,
    wib_date,
)

days = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))
kinds = st.sampled_from(CALENDAR_KINDS)


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2026-10-05", date(2026, 10, 5), date(2026, 10, 6), PeriodKind.DAY),
        ("2026-W43", date(2026, 10, 19), date(2026, 10, 26), PeriodKind.WEEK),
        ("2026-10", date(2026, 10, 1), date(2026, 11, 1), PeriodKind.MONTH),
        ("2026Q4", date(2026, 10, 1), date(2027, 1, 1), PeriodKind.QUARTER),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), PeriodKind.YEAR),
        ("2026-09-01..2026-09-30", date(2026, 9, 1), date(2026, 10, 1), PeriodKind.RANGE),
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 4), PeriodKind.WEEK),
    ],
)
def test_parse_calendar_ids(text: str, start: date, end: date, kind: PeriodKind) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.id == text


def test_relative_periods_are_anchored_on_today() -> None:
    today = date(2026, 10, 31)
    l30 = parse_period("L30D", today=today)
    assert (l30.start, l30.last, l30.days) == (date(2026, 10, 2), today, 30)
    l12 = parse_period("l12m", today=today)
    assert (l12.start, l12.last) == (date(2025, 11, 1), today)
    ytd = parse_period("YTD", today=today)
    assert (ytd.start, ytd.last, ytd.id) == (date(2026, 1, 1), today, "YTD")
    assert previous_period(l30).id == "2026-09-02..2026-10-01"
    assert previous_period(ytd).id == "2025-01-01..2025-10-31"
    assert same_period_last_year(l30).id == "2025-10-02..2025-10-31"


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-W54", "2026-02-30", "2026Q5", "Oktober", "", "2026-10-02..2026-10-01"]
)
def test_bad_ids_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(PeriodError, match="period"):
        parse_period(text)


def test_previous_and_year_earlier_known_cases() -> None:
    assert previous_period(parse_period("2026-01")).id == "2025-12"
    assert previous_period(parse_period("2026Q1")).id == "2025Q4"
    assert previous_period(parse_period("2026-W01")).id == "2025-W52"
    assert previous_period(parse_period("2024-03-01")).id == "2024-02-29"
    assert same_period_last_year(parse_period("2024-02-29")).id == "2023-02-28"
    assert same_period_last_year(parse_period("2021-W01")).id == "2020-W01"
    assert same_period_last_year(parse_period("2026-W53")).id == "2025-W52"
    assert next_year_period(parse_period("2026-W53")).id == "2027-W52"
    assert next_year_period(parse_period("2025-W52")).id == "2026-W52"


def test_wib_date_crosses_midnight_seven_hours_before_utc() -> None:
    assert wib_date(datetime(2026, 10, 4, 16, 59, tzinfo=UTC)) == date(2026, 10, 4)
    assert wib_date(datetime(2026, 10, 4, 17, 0, tzinfo=UTC)) == date(2026, 10, 5)
    assert today_wib(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)
    with pytest.raises(ValueError, match="naive"):
        wib_date(datetime(2026, 10, 4, 12, 0))


@given(kinds, days)
def test_id_round_trips_and_contains_its_day(kind: PeriodKind, day: date) -> None:
    period = period_of(kind, day)
    assert period.contains(day)
    assert parse_period(period.id) == period
    assert period.days >= 1


@given(kinds, days)
def test_previous_and_next_tile_the_calendar(kind: PeriodKind, day: date) -> None:
    period = period_of(kind, day)
    before, after = previous_period(period), next_period(period)
    assert before.end == period.start
    assert after.start == period.end
    assert next_period(before) == period
    assert before.kind == after.kind == kind


@given(kinds, days)
def test_year_earlier_is_same_kind_about_a_year_before(kind: PeriodKind, day: date) -> None:
    period = period_of(kind, day)
    earlier = same_period_last_year(period)
    assert earlier.kind == kind
    assert 357 <= (period.start - earlier.start).days <= 373
    if kind is not PeriodKind.WEEK:
        assert earlier.id[:4] == f"{period.start.year - 1:04d}"


@given(kinds, days, st.integers(min_value=0, max_value=800))
def test_periods_between_partition_the_days(kind: PeriodKind, first: date, span: int) -> None:
    last = first + timedelta(days=span)
    periods = periods_between(kind, first, last)
    assert periods[0].contains(first)
    assert periods[-1].contains(last)
    for a, b in pairwise(periods):
        assert a.end == b.start


@given(st.sampled_from(["L30D", "L12M", "YTD"]), days)
def test_relative_previous_has_same_length_or_is_a_year_earlier(text: str, today: date) -> None:
    period = parse_period(text, today=today)
    assert period.last == today
    before = previous_period(period)
    assert before.end <= period.start or before == same_period_last_year(period)
    assert parse_period(before.id) == before


@given(days)
def test_month_has_four_or_five_iso_weeks_and_one_month_equivalent(day: date) -> None:
    month = period_of(PeriodKind.MONTH, day)
    assert len(iso_week_starts(month)) in (4, 5, 6)
    assert month.month_equivalents == 1
    assert period_of(PeriodKind.QUARTER, day).month_equivalents == 3
    assert period_of(PeriodKind.YEAR, day).month_equivalents == 12


def test_period_orders_by_start() -> None:
    a, b = parse_period("2026-01"), parse_period("2026-02")
    assert sorted([b, a]) == [a, b]
    assert isinstance(a, Period)
