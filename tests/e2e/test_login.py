"""Logging in and out in a real browser, as each role."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser_support import PASSWORD, ROLES, login, logout, submit_login
from smartkotim.web.templating import ROLE_LABELS

pytestmark = pytest.mark.browser


def test_each_role_can_log_in_and_out(page: Page, role_users: dict[str, str]) -> None:
    assert sorted(role_users) == sorted(ROLES)
    for role, username in role_users.items():
        login(page, username, PASSWORD)
        # the role in words, never its key
        expect(page.locator(".topbar .who")).to_have_text(f"Pengguna {role} · {ROLE_LABELS[role]}")
        expect(page.locator("#login-link")).to_have_count(0)
        logout(page)
        expect(page.locator("#login-link")).to_have_text("Masuk")
        expect(page.locator(".topbar .who")).to_have_count(0)


def test_wrong_password_is_refused_with_a_message(
    page: Page, role_users: dict[str, str], console_errors: list[str]
) -> None:
    page.goto("/masuk")
    assert submit_login(page, role_users["analyst"], "bukan-kata-sandinya") == 400
    expect(page.locator("#login-error")).to_have_text("Nama pengguna atau kata sandi salah.")
    expect(page.locator("input[name='username']")).to_have_value(role_users["analyst"])
    expect(page.locator("input[name='password']")).to_have_value("")  # never echoed back
    expect(page.locator(".topbar .who")).to_have_count(0)
    assert all("400" in error for error in console_errors), console_errors  # the form page's own status
    console_errors.clear()


def test_login_returns_to_the_page_that_asked_for_it(page: Page, role_users: dict[str, str]) -> None:
    page.goto("/jobs")
    assert "/masuk?next=" in page.url
    assert submit_login(page, role_users["admin"], PASSWORD) == 303
    page.wait_for_url("**/jobs")
    expect(page.locator("h1")).to_have_text("Pekerjaan latar")


def test_language_choice_survives_login(page: Page, role_users: dict[str, str]) -> None:
    page.goto("/bahasa/en?next=/")
    expect(page.locator("#login-link")).to_have_text("Log in")
    login(page, role_users["leader"], PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form[action='/keluar'] [type='submit']")).to_have_text("Log out")
