"""Browser tests: the app served by uvicorn on a free loopback port, driven by Debian's Chromium.

- ``live_server``: the test's app (from the shared ``app`` fixture, SQLite only) served in a thread on
  ``127.0.0.1:<free port>``; each test gets its own server and database, so pytest-xdist workers
  never share one. The app runs no job worker; a test module that needs one overrides ``app``:
  ``create_app(settings, engine=engine, start_worker=True)`` (the worker then runs for the server's
  lifetime).
- ``browser``: one Chromium per worker process (``/usr/bin/chromium``, never a downloaded browser);
  skipped when Chromium is absent, failed in CI.
- ``page``: a fresh browser context on the live server; console errors (CSP violations, missing
  assets, script errors) fail the test unless the test empties ``console_errors`` itself.
- ``role_users``: one user per role, created through the accounts services; log them in with
  ``e2e.browser_support.login(page, username)``.

Mark every browser test with ``@pytest.mark.browser``.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from e2e.browser_support import (
    BANK_CODE,
    CHROMIUM,
    CHROMIUM_ARGS,
    OPD_CODE,
    PASSWORD,
    ROLES,
    TIMEOUT_MS,
    need,
)


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Browser tests run on SQLite only (overrides the two-backend fixture of ``tests/conftest.py``)."""
    path = tmp_path / "smartkotim.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass(frozen=True, slots=True)
class LiveServer:
    """A running server: its base URL (``http://127.0.0.1:PORT``) and the app it serves."""

    url: str
    app: FastAPI


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """Serve ``app`` with uvicorn in a background thread until the test ends."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per test process."""
    need(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _collect_errors(page: Page, errors: list[str]) -> None:
    """Append the console errors and uncaught page errors of ``page`` to ``errors``."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page reported; the ``page`` fixture fails the test when any is left at the end."""
    return []


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, console_errors: list[str]) -> Iterator[Page]:
    """A fresh page (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    _collect_errors(new_page, console_errors)
    yield new_page
    context.close()
    assert not console_errors, "the page reported errors:\n" + "\n".join(console_errors)


@pytest.fixture
def role_users(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """One user per role (``{role: username}``, password ``PASSWORD``), created by the accounts services.

    Bank partners belong to the bank ``BRI``; every other role to the OPD ``DISKOMINFO``.
    """
    from smartkotim.accounts.audit import Actor
    from smartkotim.accounts.organisations import create_organisation
    from smartkotim.accounts.services import create_user

    by = Actor(label="test")
    users: dict[str, str] = {}
    with session_factory() as session:
        create_organisation(
            session, kind="opd", code=OPD_CODE, name="Dinas Komunikasi dan Informatika", by=by
        )
        create_organisation(session, kind="bank", code=BANK_CODE, name="Bank Rakyat Indonesia", by=by)
        for role in ROLES:
            username = f"uji_{role}".replace("_", "-")
            org = BANK_CODE if role == "bank_partner" else OPD_CODE
            create_user(
                session,
                username=username,
                role=role,
                organisation_code=org,
                password=PASSWORD,
                display_name=f"Pengguna {role}",
                by=by,
            )
            users[role] = username
    return users


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[tuple[Page, list[str]]]:
    """A page in a touch phone context (390 × 844, ``is_mobile``, ``has_touch``) whose relative URLs go
    to the live server, and the console and page errors it reports."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page = context.new_page()
    _collect_errors(page, errors)
    yield page, errors
    context.close()
