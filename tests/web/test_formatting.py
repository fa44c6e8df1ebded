"""The ``number`` and ``wib`` template filters, and which dimension links each visitor is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from smartkotim.web.templating import format_number, format_rupiah, format_wib


@pytest.mark.parametrize(
    ("value", "digits", "lang", "expected"),
    [
        (1234.5, 1, "id", "1.234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (1234567, 0, "id", "1.234.567"),
        (1234567, 0, "en", "1,234,567"),
        (1234, 1, "id", "1.234"),  # an integer never gets ",0"
        (1234, 2, "en", "1,234"),
        (0.25, 2, "id", "0,25"),
        (-9876.54, 1, "id", "-9.876,5"),
        (Decimal("12.5"), 1, "en", "12.5"),
        (None, 1, "id", "—"),
    ],
)
def test_number_is_formatted_per_language(value: float | None, digits: int, lang: str, expected: str) -> None:
    assert format_number(value, digits, lang) == expected


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (3_269_928_500, "id", "Rp3.269.928.500"),
        (3_269_928_500, "en", "Rp3,269,928,500"),
        (0, "en", "Rp0"),
        (-1_500, "en", "-Rp1,500"),
        (None, "en", "—"),
    ],
)
def test_rupiah_follows_the_page_language(value: int | None, lang: str, expected: str) -> None:
    assert format_rupiah(value, lang) == expected


def test_wib_shows_utc_instants_in_western_indonesian_time() -> None:
    instant = datetime(2026, 11, 30, 6, 5, tzinfo=UTC)
    assert format_wib(instant) == "30-11-2026 13:05 WIB"
    assert format_wib(instant.isoformat()) == "30-11-2026 13:05 WIB"
    assert format_wib(instant.astimezone(timezone(timedelta(hours=-5)))) == "30-11-2026 13:05 WIB"
    assert format_wib(datetime(2026, 12, 31, 20, 0)) == "01-01-2027 03:00 WIB"  # naive = UTC; next day
    assert format_wib(None) == "—"
    with pytest.raises(ValueError):
        format_wib("kemarin")
