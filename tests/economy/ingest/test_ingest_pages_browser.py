"""The ingest pages in a real browser (Debian's Chromium): long file names never make a page scroll
sideways, the polling batch page shows no zero counts before they are stored, and the profile dry run
shows rule descriptions and times in WIB.

Chromium runs in a thread of its own: Playwright's sync API allows one instance per thread, and the
session-wide browser of ``tests/e2e`` may already be running in the main thread (``e2e`` sorts before
``economy``). The live server, its SQLite database and the users are the fixtures of ``tests/e2e``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from ingest_helpers import row, write_csv
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from e2e import conftest as e2e
from e2e.browser_support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, login, need
from smartkotim.config import Settings
from smartkotim.db import utcnow
from smartkotim.economy.ingest import services
from smartkotim.economy.ingest.models import BatchSource, IngestBatch

pytestmark = pytest.mark.browser

# fixtures of tests/e2e used here: SQLite only, a live server per test, one user per role
database_url = e2e.database_url
live_server = e2e.live_server
role_users = e2e.role_users

Steps = Callable[[Page], None]


@pytest.fixture(scope="module")
def chromium() -> Iterator[tuple[ThreadPoolExecutor, Browser]]:
    """Debian's Chromium and the one thread that may drive it."""
    need(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium)")
    pool = ThreadPoolExecutor(1, thread_name_prefix="chromium")
    playwright = pool.submit(lambda: sync_playwright().start()).result()
    launch = playwright.chromium.launch
    browser = pool.submit(launch, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS).result()
    yield pool, browser
    pool.submit(browser.close).result()
    pool.submit(playwright.stop).result()
    pool.shutdown()


@pytest.fixture
def in_browser(
    chromium: tuple[ThreadPoolExecutor, Browser], live_server: e2e.LiveServer
) -> Callable[[Steps], None]:
    """``in_browser(steps)`` runs ``steps(page)`` in the browser's thread on a fresh page of the live
    server (as the ``page`` fixture of ``tests/e2e``); a console or page error fails the test."""
    pool, browser = chromium

    def steps_on_a_page(steps: Steps) -> None:
        context = browser.new_context(base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(f"console: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        try:
            steps(page)
        finally:
            context.close()
        assert not errors, "the page reported errors:\n" + "\n".join(errors)

    return lambda steps: pool.submit(steps_on_a_page, steps).result()


VIEWPORTS = ({"width": 390, "height": 844}, {"width": 1280, "height": 800})
# 302 characters without a break opportunity (no space, no hyphen); an upload keeps the first 200
LONG_NAME = "Laporan_Transaksi_" + "SangatPanjang_" * 20 + ".csv"


def overflow(page: Page) -> tuple[int, int]:
    """``(document scroll width, viewport width)`` of the page shown."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    viewport: int = page.evaluate("window.innerWidth")
    return width, viewport


@pytest.fixture
def long_named_batch(
    settings: Settings, session_factory: sessionmaker[Session], merchants: list[str], tmp_path: Path
) -> int:
    """A batch ingested through the whole pipeline from an upload called ``LONG_NAME``, with row errors
    whose values are long too (a 70-character txn id, a 300-digit amount)."""
    path = write_csv(
        tmp_path / "a.csv",
        [row("T1"), row("T" * 70), row("T3", amount="9" * 300), row("T4", m=99)],
    )
    sha, size = services.file_sha256(path)
    spec = services.UploadSpec(
        path=path,
        file_name=LONG_NAME,
        sha256=sha,
        size=size,
        bank_code="BANKA",
        profile_name="default",
        source=BatchSource.WEB,
    )
    batch = services.ingest_file(settings, session_factory, spec)
    assert batch.status == "applied" and len(batch.file_name) == 200
    return batch.id


def test_long_file_names_do_not_make_the_pages_scroll_sideways(
    in_browser: Callable[[Steps], None], role_users: dict[str, str], long_named_batch: int
) -> None:
    def steps(page: Page) -> None:
        login(page, role_users["admin"])
        too_wide = []
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            for url in ("/ekonomi/batch", f"/ekonomi/batch/{long_named_batch}", "/ekonomi/profil"):
                page.goto(url)
                width, shown = overflow(page)
                if width > shown:
                    too_wide.append(f"{url} at {shown} px is {width} px wide")
        assert not too_wide, too_wide
        page.goto("/ekonomi/batch")
        cell = page.locator("#batch-table td.file-name").first
        expect(cell).to_have_attribute("title", services.clean_file_name(LONG_NAME))

    in_browser(steps)


def test_batch_page_shows_no_zero_counts_until_they_are_stored(
    in_browser: Callable[[Steps], None],
    role_users: dict[str, str],
    banks: dict[str, int],
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        batch = IngestBatch(
            acquirer_code="BANKA",
            source="web",
            profile_name="default",
            file_name="laporan.csv",
            file_sha256="0" * 64,
            status="running",
            progress=0.5,
        )
        session.add(batch)
        session.commit()
        batch_id = batch.id

    def store_counts() -> None:
        with session_factory() as session:  # the ledger commit stores the counts with the status
            stored = session.get_one(IngestBatch, batch_id)
            stored.status, stored.committed_at, stored.progress = "committed", utcnow(), 0.92
            stored.rows_read, stored.rows_accepted, stored.rows_rejected = 1234, 1200, 34
            stored.value_accepted, stored.error_count = 120000, 34
            session.commit()

    def steps(page: Page) -> None:
        login(page, role_users["admin"])
        page.goto(f"/ekonomi/batch/{batch_id}")
        expect(page.locator("#batch-state")).to_have_text("Berjalan")
        with page.expect_response(lambda r: r.url.endswith(f"/api/economy/batches/{batch_id}")):
            pass  # one poll while running: the placeholders stay
        expect(page.locator("#rows-read")).to_have_text("sedang dihitung")
        expect(page.locator("#rows-accepted-count")).to_have_text("sedang dihitung")
        expect(page.locator("#value-accepted-box")).to_be_hidden()
        store_counts()
        expect(page.locator("#batch-state")).to_have_text("Tercatat di ledger", timeout=TIMEOUT_MS)
        expect(page.locator("#rows-read")).to_have_text("1.234")
        expect(page.locator("#rows-accepted-count")).to_have_text("1.200")
        expect(page.locator("#value-accepted")).to_have_text("Rp120.000")
        expect(page.locator("#value-accepted-box")).to_be_visible()
        expect(page.locator("#rows-rejected")).to_have_text("34")
        expect(page.locator("#rows-duplicate")).to_have_text("0")
        expect(page.locator("#error-count")).to_have_text("34")

    in_browser(steps)


def test_profile_dry_run_shows_rule_descriptions_and_times_in_wib(
    in_browser: Callable[[Steps], None], role_users: dict[str, str], merchants: list[str], tmp_path: Path
) -> None:
    sample = write_csv(
        tmp_path / "contoh.csv",
        [row("T1", ts="2026-10-05T10:00:00+07:00"), row("T2", ts="2026-10-05T01:30:15Z", amount="-5000")],
    )

    def preview(page: Page) -> Locator:
        page.select_option("#preview-bank", "BANKA")
        page.set_input_files("#preview-file", str(sample))
        page.click("#preview-button")
        rows = page.locator("#preview-table tbody tr")
        expect(rows).to_have_count(2)
        return rows

    def steps(page: Page) -> None:
        login(page, role_users["admin"])
        page.goto("/ekonomi/profil")
        rows = preview(page)
        first, second = rows.nth(0).locator("td"), rows.nth(1).locator("td")
        expect(first.nth(2)).to_have_text("05-10-2026 10:00:00 WIB")
        expect(first.nth(3)).to_have_text("05-10-2026")
        expect(first.nth(5)).to_have_text("Rp25.000")
        expect(first.nth(9)).to_have_text("—")
        expect(second.nth(0)).to_have_text("3")
        expect(second.nth(2)).to_have_text("05-10-2026 08:30:15 WIB")
        expect(second.nth(5)).to_have_text("-Rp5.000")
        expect(second.nth(9)).to_have_text("Nominal nol atau negatif amount_not_positive")
        expect(second.nth(9).locator("code")).to_have_text("amount_not_positive")
        expect(page.locator("#preview-meta [data-field='format']")).to_have_text("csv")

        page.goto("/bahasa/en?next=/ekonomi/profil")
        second = preview(page).nth(1).locator("td")
        expect(second.nth(9)).to_have_text("Amount is zero or negative amount_not_positive")
        expect(second.nth(5)).to_have_text("-Rp5,000")

    in_browser(steps)
