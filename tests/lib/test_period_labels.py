"""Period labels in the page language: CLDR month names (Babel), quarters, weeks and relative periods
with their dates."""

from __future__ import annotations

from datetime import date

from smartkotim.lib.period_labels import label_of_id, period_label
from smartkotim.lib.periods import parse_period

TODAY = date(2026, 11, 30)


def test_calendar_periods_read_as_people_write_them() -> None:
    assert label_of_id("2026-10", "id") == "Oktober 2026"
    assert label_of_id("2026-10", "en") == "October 2026"
    assert label_of_id("2026-08", "id") == "Agustus 2026"
    assert label_of_id("2026Q4", "id") == "Triwulan IV 2026"
    assert label_of_id("2026Q4", "en") == "Q4 2026"
    assert label_of_id("2026", "id") == "2026"
    assert label_of_id("2026-10-05", "id") == "5 Oktober 2026"
    assert label_of_id("2026-W43", "id").startswith("Minggu ke-43 2026 (")


def test_relative_periods_and_ranges_show_their_days() -> None:
    for period_id, words in (
        ("L30D", "30 hari terakhir"),
        ("L12M", "12 bulan terakhir"),
        ("YTD", "Tahun berjalan"),
    ):
        period = parse_period(period_id, today=TODAY)
        label = label_of_id(period_id, "id", today=TODAY)
        assert label.startswith(words + " (") and label.endswith(f"{period.last.day} Nov 2026)")
        assert str(period.start.day) in label
    # a range across a year boundary names both years; within one year, the year once
    assert label_of_id("2025-12-15..2026-01-14", "en") == "15 Dec 2025–14 Jan 2026"
    assert label_of_id("2026-09-01..2026-09-30", "id") == "1 Sep–30 Sep 2026"


def test_unknown_ids_and_languages_fall_back() -> None:
    assert label_of_id("garbage", "id") == "garbage"
    assert period_label(parse_period("2026-10"), "fr") == "Oktober 2026"  # Indonesian first
