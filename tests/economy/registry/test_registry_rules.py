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
    assert found["los_count"] == "harus bilangan bulat"
    with pytest.raises(ValidationError) as caught:
        MarketCreate.model_validate({"code": "PX", "name": "Pasar X", "kind": "mall"})
    assert all("Input should" not in rule_of(e) and rule_of(e) for e in caught.value.errors())
