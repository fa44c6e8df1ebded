"""Human labels of reporting periods in the page language (Indonesian first, English), with Babel's CLDR
month names: ``2026-10`` → "Oktober 2026" / "October 2026", ``2026Q4`` → "Triwulan IV 2026" / "Q4 2026",
``L30D`` → "30 hari terakhir (1 Nov–30 Nov 2026)". Pure: no database, no web.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from smartkotim.lib.periods import Period, PeriodError, PeriodKind, parse_period

_ROMAN = ("I", "II", "III", "IV")
_WORDS = {
    "id": {
        PeriodKind.WEEK: "Minggu ke-{week} {year}",
        PeriodKind.QUARTER: "Triwulan {roman} {year}",
        PeriodKind.LAST_30_DAYS: "30 hari terakhir",
        PeriodKind.LAST_12_MONTHS: "12 bulan terakhir",
        PeriodKind.YEAR_TO_DATE: "Tahun berjalan",
    },
    "en": {
        PeriodKind.WEEK: "Week {week} of {year}",
        PeriodKind.QUARTER: "Q{number} {year}",
        PeriodKind.LAST_30_DAYS: "Last 30 days",
        PeriodKind.LAST_12_MONTHS: "Last 12 months",
        PeriodKind.YEAR_TO_DATE: "Year to date",
    },
}


def _day(day: date, language: str, *, year: bool = True) -> str:
    return format_date(day, "d MMM y" if year else "d MMM", locale=language)


def _span(period: Period, language: str) -> str:
    """``1 Nov–30 Nov 2026`` (the year once when both ends share it)."""
    same_year = period.start.year == period.last.year
    return f"{_day(period.start, language, year=not same_year)}–{_day(period.last, language)}"


def period_label(period: Period, language: str = "id") -> str:
    """The label of ``period`` in ``language`` (``id`` or ``en``; anything else reads as ``id``)."""
    language = language if language in _WORDS else "id"
    words, kind, start = _WORDS[language], period.kind, period.start
    if kind is PeriodKind.DAY:
        return format_date(start, "d MMMM y", locale=language)
    if kind is PeriodKind.MONTH:
        return format_date(start, "LLLL y", locale=language)
    if kind is PeriodKind.YEAR:
        return str(start.year)
    if kind is PeriodKind.QUARTER:
        number = (start.month - 1) // 3 + 1
        return words[kind].format(roman=_ROMAN[number - 1], number=number, year=start.year)
    if kind is PeriodKind.WEEK:
        year, week, _ = start.isocalendar()
        return f"{words[kind].format(week=week, year=year)} ({_span(period, language)})"
    if kind in words:
        return f"{words[kind]} ({_span(period, language)})"
    return _span(period, language)


def label_of_id(period_id: str, language: str = "id", *, today: date | None = None) -> str:
    """``period_label`` of a period id (relative ids anchored on ``today``, default WIB today); an id
    that is not understood is returned as it is."""
    try:
        return period_label(parse_period(period_id, today=today), language)
    except PeriodError:
        return period_id
