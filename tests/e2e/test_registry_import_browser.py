"""The merchant import page in a real browser: from the list button to the report of a file with a bad row."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.browser_support import login

pytestmark = pytest.mark.browser

HEADER = (
    "nmid,name,criteria,category,market_code,stall,desa_code,lat,lon,postal_code,address,acquirer,"
    "onboarded_on,accepts_cashless"
)


def _merchants_csv(path: Path) -> Path:
    """Three rows: two good (row 2 by desa code, row 4 by postal code), row 3 with a 14-character NMID."""
    path.write_text(
        f"{HEADER}\n"
        ",Toko Sayur Ani,UMI,sayur,,A-1,62.02.05.1002,,,,,,,tidak\n"
        "ID100000000001,Warung Budi,,,,,62.02.05.1002,,,,,,,\n"
        ",Pakaian Citra,,pakaian,,,,,,74311,,,,\n",
        encoding="utf-8",
    )
    return path


def test_admin_imports_merchants_and_sees_the_counts_and_the_bad_row(
    page: Page, role_users: dict[str, str], tmp_path: Path
) -> None:
    login(page, role_users["admin"])
    page.goto("/ekonomi/pedagang")
    page.click("#merchant-import")
    page.wait_for_url("**/ekonomi/pedagang/impor")
    expect(page.locator("#template-link")).to_have_attribute("href", "/ekonomi/pedagang/impor/templat.csv")

    page.set_input_files("#file", str(_merchants_csv(tmp_path / "pedagang.csv")))
    page.click("#import-button")
    expect(page.locator("#import-report")).to_be_visible()
    expect(page.locator("#count-rows")).to_have_text("3")
    expect(page.locator("#count-created")).to_have_text("2")
    expect(page.locator("#count-rejected")).to_have_text("1")
    expect(page.locator("#count-unresolved")).to_have_text("0")
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td")).to_have_text(
        ["3", "nmid", "ID100000000001", "NMID harus 15 karakter: 'ID' diikuti 13 digit"]
    )

    page.goto("/ekonomi/pedagang")
    expect(page.locator("#merchant-total")).to_have_text("2")
