"""The shell on a phone (390×844): content first, the navigation behind "Menu", no sideways scroll.

Screenshots of each page are written to the test's ``tmp_path`` (look at them with ``--basetemp``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from e2e.browser_support import login
from e2e.conftest import LiveServer
from smartkotim.jobs import Job

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer, console_errors: list[str]) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="id-ID")
    new_page = context.new_page()
    new_page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    return new_page


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url}: the page is {widths[0]} px wide in a {widths[1]} px window"


def _content_comes_first(page: Page) -> None:
    assert page.locator("#sidebar").is_hidden(), "the navigation is open before the user asks for it"
    top = page.locator("main h1").bounding_box()
    assert top is not None and top["y"] < PHONE["height"] / 3, f"the heading starts at {top}"


@pytest.mark.parametrize("who", ["anonymous", "leader", "admin"])
def test_phone_shows_content_first_and_never_scrolls_sideways(
    phone: Page, role_users: dict[str, str], who: str, tmp_path: Path
) -> None:
    if who != "anonymous":
        login(phone, role_users[who])
    pages = {"anonymous": ["/", "/dimensi/economy"], "leader": ["/", "/ekonomi/pimpinan", "/jobs"]}
    pages["admin"] = ["/admin/pengguna", "/admin/audit", "/jobs", "/akun/token"]
    for path in pages[who]:
        response = phone.goto(path)
        assert response is not None and response.status == 200, path
        _content_comes_first(phone)
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(tmp_path / f"{who}{path.replace('/', '_')}.png"), full_page=True)


def test_menu_button_opens_and_closes_the_navigation_on_a_phone(
    phone: Page, role_users: dict[str, str]
) -> None:
    login(phone, role_users["leader"])
    phone.goto("/")
    button = phone.locator("#menu-toggle")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(phone.locator("#sidebar")).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("#sidebar a[href='/ekonomi/pimpinan']")).to_be_visible()
    _no_sideways_scroll(phone)
    button.click()
    expect(phone.locator("#sidebar")).to_be_hidden()


def test_desktop_keeps_the_sidebar_and_hides_the_menu_button(page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    expect(page.locator("#sidebar")).to_be_visible()
    expect(page.locator("#menu-toggle")).to_be_hidden()
    box = page.locator("#sidebar").bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] >= 200


def test_jobs_table_fits_a_1366_px_screen_with_a_long_message(
    browser: Browser,
    live_server: LiveServer,
    role_users: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    message = "baris 12: kolom amount " + "x" * 300 + " " + "/data/unggahan/" * 20
    with session_factory() as session:
        session.add(Job(kind="economy.ingest", payload={}, status="failed", message=message, result={}))
        session.commit()
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="id-ID")
    page = context.new_page()
    login(page, role_users["admin"])
    page.goto("/jobs")
    expect(page.locator("#jobs")).to_contain_text("kolom amount")
    _no_sideways_scroll(page)
    table = page.locator("#jobs").bounding_box()
    assert table is not None and table["x"] + table["width"] <= DESKTOP["width"]
    context.close()
