"""Admin pages (users, organisations, audit log), "my account", and their JSON twins."""

from __future__ import annotations

import re
from datetime import timedelta

from accounts_helpers import PASSWORD, TEST_ACTOR, csrf_of, log_in, make_user
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts.audit import Actor
from smartkotim.accounts.models import AuditEntry, Organisation, User
from smartkotim.accounts.roles import Role
from smartkotim.db import utcnow


def _admin(client: TestClient, db: Session) -> str:
    make_user(db, Role.ADMIN, "admin")
    assert log_in(client, "admin") == 303
    return csrf_of(client, "/admin/pengguna")


def test_admin_creates_a_user_with_a_generated_password_shown_once(
    client: TestClient, seeded: Session
) -> None:
    token = _admin(client, seeded)
    form = {
        "username": "bank.bni",
        "role": "bank_partner",
        "organisation_code": "BNI",
        "display_name": "Mitra BNI",
        "region_code": "",
        "password": "",
        "csrf_token": token,
    }
    page = client.post("/admin/pengguna", data=form)
    assert page.status_code == 201
    shown = re.search(r'<code class="secret">([^<]+)</code>', page.text)
    assert shown
    with TestClient(client.app) as other:
        assert log_in(other, "bank.bni", shown.group(1)) == 303
    assert shown.group(1) not in client.get("/admin/pengguna").text
    users = {u["username"]: u for u in client.get("/api/admin/pengguna").json()}
    assert users["bank.bni"]["organisation_code"] == "BNI"
    assert "password" not in str(users["bank.bni"])


def test_admin_user_form_errors_keep_the_input(client: TestClient, seeded: Session) -> None:
    token = _admin(client, seeded)
    form = {
        "username": "dkukmpp",
        "role": "bank_partner",
        "organisation_code": "DKUKMPP",
        "csrf_token": token,
    }
    page = client.post("/admin/pengguna", data=form)
    assert page.status_code == 400
    assert "bank_partner harus milik organisasi bank" in page.text
    assert 'value="dkukmpp"' in page.text


def test_admin_disables_and_resets_a_user(client: TestClient, seeded: Session) -> None:
    token = _admin(client, seeded)
    analyst = make_user(seeded, Role.ANALYST, "analis")
    page = client.post(
        f"/admin/pengguna/{analyst.id}/status", data={"is_active": "false", "csrf_token": token}
    )
    assert "Pengguna analis dinonaktifkan." in page.text
    with TestClient(client.app) as other:
        assert log_in(other, "analis") == 400
    reset = client.post(f"/admin/pengguna/{analyst.id}/reset-sandi", data={"csrf_token": token})
    new_password = re.search(r'<code class="secret">([^<]+)</code>', reset.text)
    assert new_password
    client.post(f"/admin/pengguna/{analyst.id}/status", data={"is_active": "true", "csrf_token": token})
    with TestClient(client.app) as other:
        assert log_in(other, "analis", new_password.group(1)) == 303
    assert client.post("/admin/pengguna/999999/reset-sandi", data={"csrf_token": token}).status_code == 404


def test_user_api_twins(client: TestClient, seeded: Session) -> None:
    header = {"X-CSRF-Token": _admin(client, seeded)}
    body = {
        "username": "surveyor.mbk",
        "role": "surveyor",
        "organisation_code": "DKUKMPP",
        "region_code": "62.02.06",
    }
    created = client.post("/api/admin/pengguna", json=body, headers=header)
    assert created.status_code == 201
    out = created.json()
    assert out["user"]["region_code"] == "62.02.06"
    assert len(out["password"]) >= 10
    assert client.post("/api/admin/pengguna", json=body, headers=header).status_code == 409
    user_id = out["user"]["id"]
    patched = client.patch(f"/api/admin/pengguna/{user_id}", json={"is_active": False}, headers=header)
    assert patched.json()["is_active"] is False
    reset = client.post(f"/api/admin/pengguna/{user_id}/reset-sandi", headers=header).json()
    assert reset["username"] == "surveyor.mbk"
    me = client.get("/api/akun").json()
    self_disable = client.patch(
        f"/api/admin/pengguna/{me['user_id']}", json={"is_active": False}, headers=header
    )
    assert self_disable.status_code == 400


def test_admin_organisation_pages(client: TestClient, seeded: Session) -> None:
    token = _admin(client, seeded)
    form = {"kind": "bank", "code": "bpd-test", "name": "Bank Uji", "region_code": "", "csrf_token": token}
    page = client.post("/admin/organisasi", data=form)
    assert "Organisasi BPD-TEST dibuat." in page.text
    duplicate = client.post("/admin/organisasi", data=form)
    assert duplicate.status_code == 409
    org = seeded.scalars(select(Organisation).where(Organisation.code == "BPD-TEST")).one()
    client.post(f"/admin/organisasi/{org.id}", data={"name": "Bank Uji Baru", "csrf_token": token})
    banks = {o["code"]: o for o in client.get("/api/admin/organisasi?kind=bank").json()}
    assert banks["BPD-TEST"]["name"] == "Bank Uji Baru"
    assert banks["BPD-TEST"]["is_active"] is False  # the unchecked box
    header = {"X-CSRF-Token": token}
    made = client.post(
        "/api/admin/organisasi",
        json={"kind": "opd", "code": "INSPEKTORAT", "name": "Inspektorat"},
        headers=header,
    )
    assert made.status_code == 201
    patched = client.patch(
        f"/api/admin/organisasi/{made.json()['id']}", json={"region_code": "62.02.06"}, headers=header
    )
    assert patched.json()["region_code"] == "62.02.06"


def test_audit_log_filters_and_pages(client: TestClient, seeded: Session) -> None:
    _admin(client, seeded)
    for i in range(7):
        Actor(label="uji").audit(seeded, "economy.batch.ingested", object_type="batch", object_id=i)
    old = Actor(label="uji").audit(seeded, "economy.batch.ingested", object_type="batch", object_id="lama")
    old.at = utcnow() - timedelta(days=40)
    seeded.commit()
    page = client.get("/api/admin/audit", params={"event": "economy.", "per_page": 3}).json()
    assert (page["total"], page["pages"], len(page["entries"])) == (8, 3, 3)
    last = client.get("/api/admin/audit", params={"event": "economy", "per_page": 3, "page": 3}).json()
    assert [e["object_id"] for e in last["entries"]] == ["0", "lama"]
    today = (utcnow() + timedelta(hours=7)).date()
    recent = client.get(
        "/api/admin/audit", params={"event": "economy", "start": str(today - timedelta(days=1))}
    )
    assert recent.json()["total"] == 7
    one = client.get("/api/admin/audit", params={"object_type": "batch", "object_id": "3"}).json()
    assert [e["object_id"] for e in one["entries"]] == ["3"]
    logins = client.get("/api/admin/audit", params={"actor": "admin", "event": "accounts.user.login"}).json()
    assert logins["total"] == 1
    html = client.get("/admin/audit", params={"event": "economy", "per_page": 3})
    assert html.text.count("economy.batch.ingested") == 3
    assert "page=2" in html.text
    assert client.get("/api/admin/audit", params={"event": "a_c%"}).json()["total"] == 0  # no wildcards


def test_my_account_and_password_change(client: TestClient, seeded: Session) -> None:
    user = make_user(seeded, Role.SURVEYOR, "surveyor.baamang")
    version_before = user.session_version
    assert log_in(client, "surveyor.baamang") == 303
    page = client.get("/akun")
    assert "62.02.05" in page.text
    assert "DKUKMPP" in page.text
    assert client.get("/api/akun").json()["region_code"] == "62.02.05"
    with TestClient(client.app) as other_device:
        assert log_in(other_device, "surveyor.baamang") == 303
        token = csrf_of(client, "/akun")
        form = {
            "current_password": PASSWORD,
            "new_password": "sandi baru panjang",
            "new_password_confirm": "sandi baru panjang",
            "csrf_token": token,
        }
        done = client.post("/akun/kata-sandi", data=form)
        assert "Kata sandi diganti" in done.text
        assert client.get("/api/akun").status_code == 200  # this session continues
        assert other_device.get("/api/akun").status_code == 401  # the other one ended
    seeded.expire_all()
    row = seeded.get(User, user.id)
    assert row is not None
    assert row.session_version != version_before
    events = seeded.scalars(select(AuditEntry.event)).all()
    assert "accounts.user.password_changed" in events


def test_password_change_errors(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.LEADER, "bupati")
    assert log_in(client, "bupati") == 303
    token = csrf_of(client, "/akun")
    wrong = {
        "current_password": "nope nope nope",
        "new_password": "sandi baru panjang",
        "new_password_confirm": "sandi baru panjang",
        "csrf_token": token,
    }
    assert client.post("/akun/kata-sandi", data=wrong).status_code == 400
    mismatch = {**wrong, "current_password": PASSWORD, "new_password_confirm": "lain sekali"}
    assert client.post("/akun/kata-sandi", data=mismatch).status_code == 400
    short = {**mismatch, "new_password": "pendek", "new_password_confirm": "pendek"}
    assert "minimal 10" in client.post("/akun/kata-sandi", data=short).text


def test_admin_navigation_is_shown_to_admins_only(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    assert log_in(client, "analis") == 303
    home = client.get("/").text
    assert 'href="/akun"' in home
    assert 'href="/admin/pengguna"' not in home
    client.post("/keluar", data={"csrf_token": csrf_of(client, "/")})
    _admin(client, seeded)
    assert 'href="/admin/audit"' in client.get("/").text


def test_english_pages(client: TestClient, seeded: Session) -> None:
    client.get("/bahasa/en")
    assert "Log in to SmartKotim" in client.get("/masuk").text
    _ = TEST_ACTOR
