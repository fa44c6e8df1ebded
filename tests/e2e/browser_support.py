"""Helpers for browser tests: Chromium's launch options, test users' password, log in and out.

Import them in a browser test with ``from e2e.browser_support import login`` (``tests/e2e`` is a
package, so its modules never clash with test files of the same name elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "kata-sandi-uji-2025"  # every user of the ``role_users`` fixture
OPD_CODE = "DISKOMINFO"
BANK_CODE = "BRI"
ROLES = ("admin", "analyst", "leader", "opd_officer", "bank_partner", "surveyor")
TIMEOUT_MS = 30_000


def need(condition: bool, reason: str) -> None:
    """Skip (outside CI) or fail (in CI) when a real component is missing (as in ``tests/conftest.py``)."""
    if condition:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def submit_login(page: Page, username: str, password: str) -> int:
    """Fill and send the login form on the current page; return the status of the form's answer."""
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", password)
    with page.expect_response(
        lambda r: r.url.split("?")[0].endswith("/masuk") and r.request.method == "POST"
    ) as info:
        page.locator("form[action='/masuk'] [type='submit']").click()
    page.wait_for_load_state()
    return info.value.status


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form (``/masuk``) and wait for the page that follows.

    Fails the test when the form answers with anything but a redirect (wrong password, lock-out).
    """
    page.goto("/masuk")
    status = submit_login(page, username, password)
    assert status == 303, f"login of {username!r} answered {status}"


def logout(page: Page) -> None:
    """Press the log-out button in the top bar and wait for the home page."""
    with page.expect_response(lambda r: r.url.endswith("/keluar") and r.request.method == "POST") as info:
        page.locator("form[action='/keluar'] [type='submit']").click()
    assert info.value.status == 303
    page.wait_for_load_state()
