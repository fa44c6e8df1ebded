"""Reporting periods with ISO ids, on the WIB (Asia/Jakarta, UTC+7) calendar. Pure: no database, no web.

Ids: day ``2026-10-05``, ISO week ``2026-W43``, month ``2026-10``, quarter ``2026Q4``, year ``2026``;
relative periods ``L30D`` (the last 30 days up to and including *today*), ``L12M`` (the last 12 months
of days up to *today*), ``YTD`` (1 January to *today*); and a plain date range ``2026-09-01..2026-09-30``
(both ends included), which is what the previous period of a relative period is.

Every ``Period`` is the half-open range of WIB calendar days ``[start, end)``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

WIB = timezone(timedelta(hours=7), "WIB")
DAYS_PER_MONTH = 30.4375  # the mean Gregorian month, for "per month" scaling

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """A period id that cannot be read; the message names the id and the accepted forms."""


class PeriodKind(StrEnum):
    """Calendar kinds, relative kinds (anchored on a day) and a free date range."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    LAST_30_DAYS = "L30D"
    LAST_12_MONTHS = "L12M"
    YEAR_TO_DATE = "YTD"
    RANGE = "range"


CALENDAR_KINDS = (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
RELATIVE_KINDS = (PeriodKind.LAST_30_DAYS, PeriodKind.LAST_12_MONTHS, PeriodKind.YEAR_TO_DATE)
ACCEPTED = "2026-10-05, 2026-W43, 2026-10, 2026Q4, 2026, L30D, L12M, YTD or 2026-09-01..2026-09-30"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """WIB calendar days ``[start, end)`` of one kind; ``id`` is its ISO id (see the module doc)."""

    start: date
    end: date
    kind: PeriodKind

    @property
    def id(self) -> str:
        """The ISO id: ``2026-10-05``, ``2026-W43``, ``2026-10``, ``2026Q4``, ``2026``, ``L30D``, …"""
        kind, start = self.kind, self.start
        if kind is PeriodKind.DAY:
            return start.isoformat()
        if kind is PeriodKind.WEEK:
            year, week, _ = start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        if kind is PeriodKind.MONTH:
            return f"{start.year:04d}-{start.month:02d}"
        if kind is PeriodKind.QUARTER:
            return f"{start.year:04d}Q{(start.month - 1) // 3 + 1}"
        if kind is PeriodKind.YEAR:
            return f"{start.year:04d}"
        if kind in RELATIVE_KINDS:
            return str(kind.value)
        return f"{start.isoformat()}..{self.last.isoformat()}"

    @property
    def last(self) -> date:
        """The last day in the period (inclusive)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    @property
    def month_equivalents(self) -> int:
        """Length in months, rounded, at least 1 (a 28–31-day month is 1, a quarter 3, a year 12)."""
        return max(1, round(self.days / DAYS_PER_MONTH))

    def contains(self, day: date) -> bool:
        """True when ``day`` lies in the period."""
        return self.start <= day < self.end


def wib_date(moment: datetime) -> date:
    """The WIB calendar day of an aware datetime.

    Raises:
        ValueError: for a naive datetime (its zone would be a guess).
    """
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give a timezone-aware datetime")
    return moment.astimezone(WIB).date()


def today_wib(now: datetime | None = None) -> date:
    """Today's date in WIB (``now`` defaults to the current UTC time)."""
    return wib_date(now or datetime.now(UTC))


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _shift_year(day: date, years: int = -1) -> date:
    """The same calendar day ``years`` years away (29 February becomes 28 February)."""
    return _add_months(day, 12 * years)


def period_of(kind: PeriodKind, day: date) -> Period:
    """The calendar period of ``kind`` that contains ``day``.

    Raises:
        ValueError: for a relative kind or ``RANGE`` (those have no single containing period).
    """
    if kind is PeriodKind.DAY:
        return Period(day, day + timedelta(days=1), kind)
    if kind is PeriodKind.WEEK:
        start = day - timedelta(days=day.isoweekday() - 1)
        return Period(start, start + timedelta(days=7), kind)
    if kind is PeriodKind.MONTH:
        start = _month_start(day.year, day.month)
        return Period(start, _add_months(start, 1), kind)
    if kind is PeriodKind.QUARTER:
        start = _month_start(day.year, (day.month - 1) // 3 * 3 + 1)
        return Period(start, _add_months(start, 3), kind)
    if kind is PeriodKind.YEAR:
        return Period(date(day.year, 1, 1), date(day.year + 1, 1, 1), kind)
    raise ValueError(f"{kind} is not a calendar kind")


def relative_period(kind: PeriodKind, today: date) -> Period:
    """``L30D``, ``L12M`` or ``YTD`` anchored on ``today`` (included).

    Raises:
        ValueError: for a kind that is not relative.
    """
    end = today + timedelta(days=1)
    if kind is PeriodKind.LAST_30_DAYS:
        return Period(end - timedelta(days=30), end, kind)
    if kind is PeriodKind.LAST_12_MONTHS:
        return Period(_add_months(end, -12), end, kind)
    if kind is PeriodKind.YEAR_TO_DATE:
        return Period(date(today.year, 1, 1), end, kind)
    raise ValueError(f"{kind} is not a relative kind")


def _parse_calendar(text: str) -> Period | None:
    if m := _DAY.match(text):
        return period_of(PeriodKind.DAY, date(int(m[1]), int(m[2]), int(m[3])))
    if m := _WEEK.match(text):
        return period_of(PeriodKind.WEEK, date.fromisocalendar(int(m[1]), int(m[2]), 1))
    if m := _MONTH.match(text):
        return period_of(PeriodKind.MONTH, date(int(m[1]), int(m[2]), 1))
    if m := _QUARTER.match(text):
        return period_of(PeriodKind.QUARTER, date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
    if m := _YEAR.match(text):
        return period_of(PeriodKind.YEAR, date(int(m[1]), 1, 1))
    if m := _RANGE.match(text):
        first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        if last < first:
            raise ValueError("range ends before it starts")
        return Period(first, last + timedelta(days=1), PeriodKind.RANGE)
    return None


def parse_period(text: str, *, today: date | None = None) -> Period:
    """Read a period id (see the module doc); relative ids are anchored on ``today`` (default: WIB today).

    Raises:
        PeriodError: unknown form or an impossible date (``2026-13``, ``2026-W54``, ``2026-02-30``).
    """
    cleaned = text.strip()
    upper = cleaned.upper()
    if upper in {k.value for k in RELATIVE_KINDS}:
        return relative_period(PeriodKind(upper), today or today_wib())
    try:
        period = _parse_calendar(cleaned)
    except ValueError as exc:
        raise PeriodError(f"period {text!r}: {exc}") from exc
    if period is None:
        raise PeriodError(f"period {text!r} is not understood; use one of {ACCEPTED}")
    return period


def previous_period(period: Period) -> Period:
    """The period just before: the previous day/week/month/quarter/year.

    Relative periods and ranges: the range of the same length just before (``L12M``: the 12 months
    before; ``YTD``: the same days a year earlier, the usual comparison for year-to-date).
    """
    kind = period.kind
    if kind in CALENDAR_KINDS:
        return period_of(kind, period.start - timedelta(days=1))
    if kind in (PeriodKind.LAST_12_MONTHS, PeriodKind.YEAR_TO_DATE):
        return same_period_last_year(period)
    return Period(period.start - timedelta(days=period.days), period.start, PeriodKind.RANGE)


def next_period(period: Period) -> Period:
    """The calendar period just after (for a relative period or range: the range of equal length after)."""
    if period.kind in CALENDAR_KINDS:
        return period_of(period.kind, period.end)
    return Period(period.end, period.end + timedelta(days=period.days), PeriodKind.RANGE)


def same_period_last_year(period: Period) -> Period:
    """The same period a year earlier: ``2026-10`` → ``2025-10``, ``2026-W53`` → ``2025-W52`` (the last
    ISO week of a 52-week year), ``2024-02-29`` → ``2023-02-28``; ranges and relative periods shift
    both ends by a year."""
    kind = period.kind
    if kind is PeriodKind.WEEK:
        year, week, _ = period.start.isocalendar()
        weeks_last_year = date(year - 1, 12, 28).isocalendar()[1]
        return period_of(kind, date.fromisocalendar(year - 1, min(week, weeks_last_year), 1))
    if kind in CALENDAR_KINDS:
        return period_of(kind, _shift_year(period.start))
    start, last = _shift_year(period.start), _shift_year(period.last)
    return Period(start, last + timedelta(days=1), PeriodKind.RANGE)


def next_year_period(period: Period) -> Period:
    """The same calendar period a year later (whose year-on-year growth depends on ``period``)."""
    if period.kind is PeriodKind.WEEK:
        year, week, _ = period.start.isocalendar()
        weeks_next_year = date(year + 1, 12, 28).isocalendar()[1]
        return period_of(period.kind, date.fromisocalendar(year + 1, min(week, weeks_next_year), 1))
    if period.kind in CALENDAR_KINDS:
        return period_of(period.kind, _shift_year(period.start, 1))
    start, last = _shift_year(period.start, 1), _shift_year(period.last, 1)
    return Period(start, last + timedelta(days=1), PeriodKind.RANGE)


def periods_between(kind: PeriodKind, first: date, last: date) -> list[Period]:
    """Every calendar period of ``kind`` overlapping the days ``first``..``last`` (inclusive), in order.

    Raises:
        ValueError: for a non-calendar kind.
    """
    periods: list[Period] = []
    current = period_of(kind, first)
    while current.start <= last:
        periods.append(current)
        current = period_of(kind, current.end)
    return periods


def iso_week_starts(period: Period) -> list[date]:
    """The Mondays of the ISO weeks that overlap ``period``, in order."""
    return [p.start for p in periods_between(PeriodKind.WEEK, period.start, period.last)]
