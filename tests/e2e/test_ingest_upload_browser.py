"""The upload page in a real browser: a refused duplicate replaces the progress bar by its message."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.browser_support import BANK_CODE, login

pytestmark = pytest.mark.browser

HEADER = "acquirer,txn_id,timestamp,nmid,amount,channel,status,payer_id"


def _report(path: Path) -> Path:
    """A one-row report in the default profile (its NMID is unknown: the row is quarantined)."""
    path.write_text(
        f"{HEADER}\n{BANK_CODE},T1,2026-10-05T10:00:00+07:00,ID1000000000001,25000,qris,success,P1\n"
    )
    return path


def test_refused_duplicate_shows_its_message_and_a_link(
    page: Page, role_users: dict[str, str], tmp_path: Path, console_errors: list[str]
) -> None:
    path = _report(tmp_path / "a.csv")
    login(page, role_users["admin"])
    page.goto("/ekonomi/unggah")
    page.select_option("#bank_code", BANK_CODE)
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    page.wait_for_url("**/ekonomi/batch/*")
    first = page.url.rsplit("/", 1)[1]

    page.goto("/ekonomi/unggah")
    page.select_option("#bank_code", BANK_CODE)
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    message = page.locator("#upload-message")
    expect(message).to_contain_text(f"sudah diproses sebagai batch {first}")
    expect(message.locator("a")).to_have_attribute("href", f"/ekonomi/batch/{first}")
    expect(message.locator("a")).to_have_text(f"lihat batch {first}")
    expect(page.locator("#upload-progress")).to_be_hidden()
    assert all("409" in error for error in console_errors), console_errors  # the refusal's own status
    console_errors.clear()
