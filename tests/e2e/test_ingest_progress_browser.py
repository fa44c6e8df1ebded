"""A bank partner uploads a report in a real browser, watches its batch run and sees what was recorded,
rejected and quarantined; a partner of another bank cannot see that batch (issue 3, "Browser")."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from e2e.browser_support import BANK_CODE, PASSWORD, TIMEOUT_MS, login, logout
from smartkotim.config import Settings

pytestmark = pytest.mark.browser

HEADER = "acquirer,txn_id,timestamp,nmid,amount,channel,status,payer_id"
KNOWN = ("ID1025380000001", "ID1025380000002")
OTHER_BANK = "BNI"


@pytest.fixture
def app(settings: Settings, engine: Engine) -> FastAPI:
    """The app with its job worker running, as ``smartkotim serve`` runs it (uploads become jobs)."""
    from smartkotim.web.app import create_app

    return create_app(settings, engine=engine, start_worker=True)


@pytest.fixture
def other_bank_user(session_factory: sessionmaker[Session], role_users: dict[str, str]) -> str:
    """A bank partner of another bank, and the register's merchants the report names."""
    from smartkotim.accounts.audit import Actor
    from smartkotim.accounts.organisations import create_organisation
    from smartkotim.accounts.services import create_user
    from smartkotim.economy.registry.models import Merchant

    by = Actor(label="test")
    with session_factory() as session:
        create_organisation(session, kind="bank", code=OTHER_BANK, name="Bank Negara Indonesia", by=by)
        create_user(
            session,
            username="uji-bni",
            role="bank_partner",
            organisation_code=OTHER_BANK,
            password=PASSWORD,
            display_name="Pengguna BNI",
            by=by,
        )
        session.add_all(
            Merchant(nmid=n, name=f"Toko {n[-1]}", name_normalised=f"toko {n[-1]}") for n in KNOWN
        )
        session.commit()
    return "uji-bni"


def test_bank_partner_uploads_watches_progress_and_sees_the_result(
    page: Page, role_users: dict[str, str], other_bank_user: str, tmp_path: Path, console_errors: list[str]
) -> None:
    rows = [
        f"{BANK_CODE},T1,2026-10-05T10:00:00+07:00,{KNOWN[0]},25000,qris,success,P1",
        f"{BANK_CODE},T2,2026-10-05T11:00:00+07:00,{KNOWN[1]},7000,qris,success,P2",
        f"{BANK_CODE},T3,2026-10-05T12:00:00+07:00,{KNOWN[1]},abc,qris,success,P3",
        f"{BANK_CODE},T4,2026-10-05T13:00:00+07:00,ID1099999999999,5000,qris,success,P4",
    ]
    path = tmp_path / "laporan-oktober.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")

    login(page, role_users["bank_partner"])
    page.goto("/ekonomi/unggah")
    expect(page.locator("#bank_code option")).to_have_count(1)  # only its own bank
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    page.wait_for_url("**/ekonomi/batch/*", timeout=TIMEOUT_MS)
    batch_id = page.url.rsplit("/", 1)[1]
    # the page follows the job until the batch is done, then shows its counts
    expect(page.locator("#batch-state")).to_have_text("Selesai", timeout=TIMEOUT_MS)
    expect(page.locator("#batch-bar")).to_have_attribute("value", "1.0")
    expect(page.locator("#rows-read")).to_have_text("4")
    expect(page.locator("#rows-accepted")).to_contain_text("2")
    expect(page.locator("#rows-accepted")).to_contain_text("32.000")  # Rp25.000 + Rp7.000
    expect(page.locator("#rows-rejected")).to_have_text("1")
    expect(page.locator("#rows-quarantined")).to_have_text("1")
    errors = page.locator("#error-table tbody tr")
    expect(errors.filter(has_text="amount_invalid")).to_contain_text("4")  # T3 is row 4 (header = 1)
    expect(errors.filter(has_text="unknown_nmid")).to_contain_text("ID1099999999999")
    expect(page.locator("#reprocess-button")).to_have_count(1)  # rows failed: it may re-process them
    logout(page)

    login(page, other_bank_user)
    page.goto("/ekonomi/batch")
    expect(page.locator(f"#batch-table a[href='/ekonomi/batch/{batch_id}']")).to_have_count(0)
    response = page.goto(f"/ekonomi/batch/{batch_id}")
    assert response is not None and response.status == 404
    api = page.request.get(f"/api/economy/batches/{batch_id}")
    assert api.status == 404
    assert all("404" in error for error in console_errors), console_errors  # the refusal's own status
    console_errors.clear()
