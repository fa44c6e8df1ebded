"""Roles are shown in words in the page language (the header, account and user pages), never as keys."""

from __future__ import annotations

import pytest

from smartkotim.accounts.roles import Role
from smartkotim.web.templating import ROLE_LABELS, make_templates


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("id", "Mitra bank · Petugas OPD · Pimpinan"), ("en", "Bank partner · OPD officer · Leader")],
)
def test_role_label_filter_names_roles_in_the_page_language(lang: str, expected: str) -> None:
    template = make_templates().env.from_string(
        "{{ 'bank_partner'|role_label }} · {{ 'opd_officer'|role_label }} · {{ 'leader'|role_label }}"
    )
    assert template.render(lang=lang) == expected


def test_every_role_has_a_label_and_an_unknown_key_stays_itself() -> None:
    assert set(ROLE_LABELS) == {str(role) for role in Role}
    assert make_templates().env.from_string("{{ 'tamu'|role_label }}").render(lang="id") == "tamu"
