"""The web shell in a real browser: the home page, the language switch, error pages, no console errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_home_page_renders_in_indonesian_without_console_errors(page: Page) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.locator("h1").inner_text() == "Platform Smart City Kotawaringin Timur"
    cards = page.locator(".cards .card h2")
    assert cards.all_inner_texts() == [
        "Smart Governance",
        "Smart Economy",
        "Smart Environment",
        "Smart Living",
        "Smart People",
        "Smart Branding",
    ]
    assert page.locator("#login-link").inner_text() == "Masuk"


def test_stylesheet_is_served_by_the_app_and_applied(page: Page) -> None:
    page.goto("/")
    background = page.locator("header.topbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(11, 110, 79)"  # --brand from /static/css/app.css


def test_language_switch_to_english_and_back(page: Page) -> None:
    page.goto("/")
    page.locator("#lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/")
    expect(page.locator("h1")).to_have_text("Kotawaringin Timur Smart City Platform")
    expect(page.locator("#login-link")).to_have_text("Log in")
    expect(page.locator("main")).to_contain_text("Six dimensions of the smart city masterplan")

    page.goto("/dimensi/economy")  # the choice is kept for the session
    expect(page.locator("main ul li").first).to_have_text("Industry ecosystem")

    page.locator("#lang-id").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert page.url.endswith("/dimensi/economy")  # back on the same page
    expect(page.locator("main ul li").first).to_have_text("Ekosistem industri")
    expect(page.locator("#login-link")).to_have_text("Masuk")


def test_dimension_pages_open_from_the_navigation(page: Page) -> None:
    page.goto("/")
    page.locator(".sidebar a", has_text="Smart Environment").click()
    page.wait_for_url("**/dimensi/environment")
    expect(page.locator("h1")).to_have_text("Smart Environment")
    expect(page.locator(".sidebar a.active")).to_have_text("Smart Environment")


def test_unknown_page_shows_the_friendly_404(page: Page, console_errors: list[str]) -> None:
    response = page.goto("/tidak-ada")
    assert response is not None and response.status == 404
    assert "Halaman tidak ditemukan" in page.locator("h1").inner_text()
    page.locator("a", has_text="Kembali ke beranda").click()
    expect(page.locator("h1")).to_have_text("Platform Smart City Kotawaringin Timur")
    # Chromium logs the 404 of the document itself; nothing else may have gone wrong.
    assert all("404" in error for error in console_errors), console_errors
    console_errors.clear()


def test_api_docs_load_from_the_app_without_a_cdn(page: Page) -> None:
    external: list[str] = []
    page.on(
        "request", lambda request: external.append(request.url) if "127.0.0.1" not in request.url else None
    )
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("SmartKotim API")
    assert [url for url in external if not url.startswith(("data:", "blob:"))] == []
