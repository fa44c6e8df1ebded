"""Field rules: NMID validation (property tests), names, categories, hours, coordinates."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartkotim.economy.registry import rules

DIGITS = st.text(alphabet=string.digits, min_size=13, max_size=13)


@given(DIGITS)
def test_every_id_plus_13_digits_is_a_valid_nmid(digits: str) -> None:
    assert rules.parse_nmid("ID" + digits) == "ID" + digits
    assert rules.parse_nmid(" id" + digits + " ") == "ID" + digits


@given(st.text(max_size=20))
def test_nmid_validity_matches_the_definition(text: str) -> None:
    expected = len(text) == 15 and text[:2] == "ID" and all(c in string.digits for c in text[2:])
    assert rules.is_valid_nmid(text) is expected


@given(st.text(alphabet=string.digits, min_size=0, max_size=20).filter(lambda d: len(d) != 13))
def test_nmid_with_wrong_digit_count_is_refused_with_the_rule(digits: str) -> None:
    with pytest.raises(rules.FieldError) as info:
        rules.parse_nmid("ID" + digits)
    assert info.value.column == "nmid"
    assert info.value.value == "ID" + digits
    assert "13 digit" in info.value.rule


@pytest.mark.parametrize("bad", ["XX1025380163258", "ID10253801632a8", "ID１０２５３８０１６３２５８"])
def test_nmid_letters_or_non_ascii_digits_are_refused(bad: str) -> None:
    with pytest.raises(rules.FieldError):
        rules.parse_nmid(bad)


def test_empty_nmid_means_no_qris() -> None:
    assert rules.parse_nmid("") is None
    assert rules.parse_nmid("  ") is None


def test_name_normalisation_ignores_case_accents_and_punctuation() -> None:
    assert rules.normalise_name("Toko  Sembako  H. Ádi!") == rules.normalise_name("toko sembako h adi")


def test_categories_accept_local_names_and_mcc() -> None:
    assert rules.parse_category("Makanan Jadi") == "makanan_jadi"
    assert rules.parse_category("5411") == "5411"
    with pytest.raises(rules.FieldError):
        rules.parse_category("senjata")


def test_hours_and_points() -> None:
    assert rules.parse_hours("05.00 – 12.00") == "05:00-12:00"
    with pytest.raises(rules.FieldError):
        rules.parse_hours("pagi")
    assert rules.parse_point("-2,54", "112.95") == (-2.54, 112.95)
    with pytest.raises(rules.FieldError) as info:
        rules.parse_point("-2.54", "")
    assert info.value.column == "lon"


def test_every_stored_value_has_a_label_with_an_english_entry() -> None:
    from smartkotim.economy.registry.labels import VALUE_LABELS, value_label
    from smartkotim.economy.registry.models import DesaResolution, MarketKind, MerchantSource, MerchantStatus
    from smartkotim.web.i18n import catalogue

    english = catalogue("en")
    for enum in (MarketKind, MerchantStatus, DesaResolution, MerchantSource):
        for member in enum:
            if member.value == "qris":
                continue  # shown as is
            assert member.value in VALUE_LABELS, member
            assert value_label(member.value) in english, member
    assert set(rules.LOCAL_CATEGORIES) <= set(VALUE_LABELS)
    assert value_label(None) == "—" and value_label("5411") == "5411"


def test_pydantic_errors_become_indonesian_rules() -> None:
    from pydantic import ValidationError

    from smartkotim.economy.registry.messages import rule_of
    from smartkotim.economy.registry.schemas import MarketCreate

    with pytest.raises(ValidationError) as caught:
        MarketCreate.model_validate({"code": "PX", "name": "Pasar X", "kind": "pasar_desa", "los_count": "x"})
    found = {str(e["loc"][0]): rule_of(e) for e in caught.value.errors()}
    assert found["los_count"] == rules.COUNT_RULE
    with pytest.raises(ValidationError) as caught:
        MarketCreate.model_validate({"code": "PX", "name": "Pasar X", "kind": "mall"})
    assert all("Input should" not in rule_of(e) and rule_of(e) for e in caught.value.errors())


@given(st.integers(min_value=1000, max_value=10**12), st.sampled_from([".", ","]))
def test_counts_with_a_thousands_separator_are_refused_never_shrunk(number: int, mark: str) -> None:
    text = f"{number:,}".replace(",", mark)
    with pytest.raises(rules.FieldError) as info:
        rules.parse_count(text, "los_count")
    assert (info.value.column, info.value.value, info.value.rule) == ("los_count", text, rules.COUNT_RULE)
    assert rules.parse_count(str(number), "los_count") == number


def test_counts_accept_plain_digits_and_a_spreadsheet_whole_float_only() -> None:
    assert rules.parse_count(" 350 ", "kios_count") == 350
    assert rules.parse_count("350.0", "kios_count") == 350
    assert rules.parse_count("", "kios_count") is None
    for bad in ("1.000", "1,000", "2,5", "12.5", "-3", "abc", "1 000", "٣", "1.0.0"):
        with pytest.raises(rules.FieldError):
            rules.parse_count(bad, "kios_count")


def test_coordinates_dates_and_hours_accept_only_what_a_person_writes() -> None:
    assert rules.parse_coordinate("-2,5405", "lat", -90, 90) == -2.5405
    assert rules.parse_coordinate("+112.948", "lon", -180, 180) == 112.948
    for bad in ("1_0", "1e1", "nan", "inf", "1.234,5", "-2.54.1", "utara"):
        with pytest.raises(rules.FieldError, match="desimal"):
            rules.parse_coordinate(bad, "lat", -90, 90)
    with pytest.raises(rules.FieldError, match="antara -90 dan 90"):
        rules.parse_coordinate("-91", "lat", -90, 90)
    assert str(rules.parse_date("2024-05-01 00:00:00", "onboarded_on")) == "2024-05-01"
    for bad in ("20240501", "2024-W18-3", "1714521600", "31/12/2024", "2024-02-30"):
        with pytest.raises(rules.FieldError, match="YYYY-MM-DD"):
            rules.parse_date(bad, "onboarded_on")
    assert rules.parse_hours("17:00-24:00") == "17:00-24:00"
    for bad in ("25:00-12:00", "05:00-24:30", "24:00-05:00"):
        with pytest.raises(rules.FieldError, match="HH:MM-HH:MM"):
            rules.parse_hours(bad)


def test_row_errors_keep_one_error_per_column_in_column_order() -> None:
    errors = [
        rules.FieldError("opening_hours", "25:00-12:00", "jam"),
        rules.FieldError("name", "", "wajib diisi"),
        rules.FieldError("name", "", "lagi"),
        rules.FieldError("kios_count", "abc", "angka"),
    ]
    found = rules.RowErrors(errors, ("code", "name", "kind", "kios_count", "opening_hours")).errors
    assert [(e.column, e.rule) for e in found] == [
        ("name", "wajib diisi"),
        ("kios_count", "angka"),
        ("opening_hours", "jam"),
    ]
