"""Every page in each role's navigation opens in a real browser without errors (CSP, assets, scripts)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser_support import ROLES, login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ROLES)
def test_every_navigation_page_opens_cleanly(page: Page, role_users: dict[str, str], role: str) -> None:
    login(page, role_users[role])
    links = page.locator(".sidebar a")
    expect(links.first).to_be_visible()
    urls = list(dict.fromkeys(links.evaluate_all("links => links.map(a => a.getAttribute('href'))")))
    assert "/" in urls
    broken = []
    for url in urls:
        response = page.goto(url)
        page.wait_for_load_state("networkidle")  # maps and charts fetch their JSON after the load
        if response is None or response.status != 200:
            broken.append(f"{url}: {response.status if response else 'no response'}")
    assert not broken, f"pages in the {role} navigation that do not open: {broken}"


def test_anonymous_navigation_shows_only_public_pages(page: Page) -> None:
    page.goto("/")
    urls = page.locator(".sidebar a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "/" in urls
    assert not [url for url in urls if url.startswith(("/admin", "/akun", "/jobs"))]
