"""API tokens: shown once, stored hashed, scoped, expiring, revocable — through the real API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from accounts_helpers import TEST_ACTOR, csrf_of, log_in, make_user
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from smartkotim.accounts import tokens
from smartkotim.accounts.errors import InvalidInputError
from smartkotim.accounts.models import ApiToken, AuditEntry
from smartkotim.accounts.roles import SCOPE_ROLES, Role, TokenScope, scopes_for_role
from smartkotim.accounts.services import hash_token
from smartkotim.db import utcnow


def _token(db: Session, role: Role, scopes: list[str], days: int = 30) -> tuple[int, str]:
    user = make_user(db, role, f"tok.{role}")
    row, raw = tokens.create_token(db, user_id=user.id, name="t", scopes=scopes, days=days, by=TEST_ACTOR)
    return row.id, raw


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_token_works_and_needs_no_csrf(client: TestClient, seeded: Session) -> None:
    _, raw = _token(seeded, Role.BANK_PARTNER, ["read", "ingest"])
    assert raw.startswith("skt_")
    me = client.get("/api/akun", headers=_bearer(raw)).json()
    assert me["username"] == "tok.bank_partner"
    assert me["token_scopes"] == ["ingest", "read"]


def test_only_the_hash_of_a_token_is_stored(seeded: Session) -> None:
    token_id, raw = _token(seeded, Role.ANALYST, ["read"])
    seeded.expire_all()
    row = seeded.get(ApiToken, token_id)
    assert row is not None
    assert row.token_hash == hash_token(raw)
    secret = raw.split("_")[2]
    for table in ("api_tokens", "audit_log"):
        dump = " ".join(str(r) for r in seeded.execute(text(f"SELECT * FROM {table}")))
        assert secret not in dump, f"the token's secret is stored in {table}"


def test_read_scope_is_refused_on_an_admin_scope_route(client: TestClient, seeded: Session) -> None:
    _, read_only = _token(seeded, Role.ADMIN, ["read"])
    assert client.get("/api/admin/pengguna", headers=_bearer(read_only)).status_code == 403
    assert client.get("/api/akun", headers=_bearer(read_only)).status_code == 200
    user = make_user(seeded, Role.ADMIN, "tok.admin2")
    _, admin = tokens.create_token(seeded, user_id=user.id, name="a", scopes=["admin"], days=1, by=TEST_ACTOR)
    assert client.get("/api/admin/pengguna", headers=_bearer(admin)).status_code == 200


def test_ingest_scope_cannot_mint_tokens(client: TestClient, seeded: Session) -> None:
    _, ingest = _token(seeded, Role.BANK_PARTNER, ["ingest"])
    response = client.post(
        "/api/akun/token", json={"name": "x", "scopes": ["ingest"]}, headers=_bearer(ingest)
    )
    assert response.status_code == 403


def test_expired_token_is_refused(client: TestClient, seeded: Session) -> None:
    token_id, raw = _token(seeded, Role.ANALYST, ["read"])
    row = seeded.get(ApiToken, token_id)
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    seeded.commit()
    assert client.get("/api/akun", headers=_bearer(raw)).status_code == 401


def test_revoked_token_is_refused(client: TestClient, seeded: Session) -> None:
    token_id, raw = _token(seeded, Role.ANALYST, ["read"])
    assert client.get("/api/akun", headers=_bearer(raw)).status_code == 200
    tokens.revoke_token(seeded, token_id=token_id, by=TEST_ACTOR)
    assert client.get("/api/akun", headers=_bearer(raw)).status_code == 401
    events = seeded.scalars(select(AuditEntry.event)).all()
    assert "accounts.token.created" in events
    assert "accounts.token.revoked" in events


def test_token_of_a_disabled_user_is_refused(client: TestClient, seeded: Session) -> None:
    _, raw = _token(seeded, Role.ANALYST, ["read"])
    user = seeded.scalars(select(ApiToken)).one()
    from smartkotim.accounts.services import set_user_active

    set_user_active(seeded, user_id=user.user_id, is_active=False, by=TEST_ACTOR)
    assert client.get("/api/akun", headers=_bearer(raw)).status_code == 401


def test_tampered_or_malformed_tokens_are_refused(client: TestClient, seeded: Session) -> None:
    _, raw = _token(seeded, Role.ANALYST, ["read"])
    tampered = raw[:-1] + ("0" if raw[-1] != "0" else "1")
    for bad in (tampered, "skt_nope", "garbage", raw.replace("skt_", "xyz_")):
        assert client.get("/api/akun", headers=_bearer(bad)).status_code == 401, bad


def test_admin_scope_is_only_for_admins(seeded: Session) -> None:
    user = make_user(seeded, Role.BANK_PARTNER, "bank.x")
    try:
        tokens.create_token(seeded, user_id=user.id, name="x", scopes=["admin"], days=1, by=TEST_ACTOR)
    except InvalidInputError as exc:
        assert "admin" in str(exc)
    else:
        raise AssertionError("a bank partner got an admin-scope token")


MINTABLE = {
    Role.ADMIN: {"read", "write", "ingest", "admin"},
    Role.ANALYST: {"read", "write"},
    Role.LEADER: {"read"},
    Role.OPD_OFFICER: {"read", "write"},
    Role.BANK_PARTNER: {"read", "ingest"},
    Role.SURVEYOR: {"read", "write"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_mint_exactly_its_scopes(seeded: Session, role: Role) -> None:
    user = make_user(seeded, role, f"mint.{role}")
    assert {str(s) for s in scopes_for_role(role)} == MINTABLE[role]
    for scope in TokenScope:
        try:
            tokens.create_token(seeded, user_id=user.id, name="x", scopes=[scope], days=1, by=TEST_ACTOR)
        except InvalidInputError as exc:
            assert scope not in MINTABLE[role], f"{role} was refused {scope}: {exc}"
            assert str(scope) in str(exc) and str(role) in str(exc)
        else:
            assert scope in MINTABLE[role], f"{role} minted a {scope} token"
    assert set(SCOPE_ROLES) == set(TokenScope)


def test_leader_cannot_mint_an_ingest_token_through_the_api(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.LEADER, "bupati")
    assert log_in(client, "bupati") == 303
    header = {"X-CSRF-Token": csrf_of(client, "/akun/token")}
    response = client.post("/api/akun/token", json={"name": "x", "scopes": ["ingest"]}, headers=header)
    assert response.status_code == 400
    assert "ingest" in response.text
    page = client.get("/akun/token").text  # the form offers only what the role may hold
    assert 'value="read"' in page and 'value="ingest"' not in page and 'value="write"' not in page


def test_write_scope_lets_a_dkukmpp_officer_write_by_token(client: TestClient, seeded: Session) -> None:
    user = make_user(seeded, Role.OPD_OFFICER, "dkukmpp")
    _, read = tokens.create_token(seeded, user_id=user.id, name="r", scopes=["read"], days=1, by=TEST_ACTOR)
    _, write = tokens.create_token(
        seeded, user_id=user.id, name="w", scopes=["read", "write"], days=1, by=TEST_ACTOR
    )
    # An empty body gets past authorization (422) only with the write scope.
    assert client.post("/api/economy/markets", json={}, headers=_bearer(read)).status_code == 403
    assert client.post("/api/economy/markets", json={}, headers=_bearer(write)).status_code == 422
    assert (
        client.post(
            "/api/akun/token", json={"name": "x", "scopes": ["read"]}, headers=_bearer(write)
        ).status_code
        == 403
    )


def test_own_token_page_shows_the_token_once(client: TestClient, seeded: Session, app: FastAPI) -> None:
    make_user(seeded, Role.BANK_PARTNER, "bank.bri")
    assert log_in(client, "bank.bri") == 303
    form = {
        "name": "Unggah harian",
        "scopes": ["ingest"],
        "days": "30",
        "csrf_token": csrf_of(client, "/akun/token"),
    }
    created = client.post("/akun/token", data=form)
    assert created.status_code == 201
    row = seeded.scalars(select(ApiToken)).one()
    raw_start = f"skt_{row.token_prefix}_"
    assert raw_start in created.text
    secret_start = created.text.split(raw_start, 1)[1][:64]
    assert row.token_hash == hash_token(raw_start + secret_start)
    listing = client.get("/akun/token").text
    assert row.token_prefix in listing
    assert secret_start not in listing
    api = client.get("/api/akun/token").json()
    assert [t["prefix"] for t in api] == [row.token_prefix]
    assert secret_start not in str(api)
    assert row.expires_at - utcnow() > timedelta(days=29)


def test_token_api_create_and_revoke(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    assert log_in(client, "analis") == 303
    header = {"X-CSRF-Token": csrf_of(client, "/akun")}
    created = client.post("/api/akun/token", json={"name": "baca", "scopes": ["read"]}, headers=header)
    assert created.status_code == 201
    body = created.json()
    default_days = client.app.state.settings.api_token_default_days  # type: ignore[attr-defined]
    token_id = body["record"]["id"]
    row = seeded.get(ApiToken, token_id)
    assert row is not None
    assert timedelta(days=default_days - 1) < row.expires_at - utcnow() <= timedelta(days=default_days)
    assert client.get("/api/akun", headers=_bearer(body["token"])).status_code == 200
    revoked = client.delete(f"/api/akun/token/{token_id}", headers=header)
    assert revoked.json()["status"] == "revoked"
    assert client.get("/api/akun", headers=_bearer(body["token"])).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(client: TestClient, seeded: Session) -> None:
    other_id, other_raw = _token(seeded, Role.ANALYST, ["read"])
    make_user(seeded, Role.LEADER, "bupati")
    assert log_in(client, "bupati") == 303
    header = {"X-CSRF-Token": csrf_of(client, "/akun")}
    assert client.delete(f"/api/akun/token/{other_id}", headers=header).status_code == 404
    assert client.get("/api/akun", headers=_bearer(other_raw)).status_code == 200


def test_admin_manages_every_token(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ADMIN, "admin")
    make_user(seeded, Role.BANK_PARTNER, "bank.bri")
    assert log_in(client, "admin") == 303
    header = {"X-CSRF-Token": csrf_of(client, "/admin/token")}
    body = {"username": "bank.bri", "name": "ingest", "scopes": ["ingest"], "days": 7}
    created = client.post("/api/admin/token", json=body, headers=header)
    assert created.status_code == 201
    assert created.json()["record"]["username"] == "bank.bri"
    listing = client.get("/api/admin/token").json()
    assert [t["username"] for t in listing] == ["bank.bri"]
    token_id = listing[0]["id"]
    page = client.post(f"/admin/token/{token_id}/cabut", data={"csrf_token": header["X-CSRF-Token"]})
    assert page.status_code == 200  # followed the redirect to the list
    assert client.get("/api/admin/token").json()[0]["status"] == "revoked"


def test_huge_ids_in_account_routes_are_422_not_a_server_error(client: TestClient, seeded: Session) -> None:
    _, admin = _token(seeded, Role.ADMIN, ["admin"])
    huge = "99999999999999999999"
    for method, path in (
        ("DELETE", f"/api/admin/token/{huge}"),
        ("DELETE", f"/api/akun/token/{huge}"),
        ("PATCH", f"/api/admin/pengguna/{huge}"),
        ("POST", f"/api/admin/pengguna/{huge}/reset-sandi"),
        ("PATCH", f"/api/admin/organisasi/{huge}"),
    ):
        response = client.request(method, path, json={}, headers=_bearer(admin))
        assert response.status_code == 422, f"{method} {path}: {response.status_code}"
    assert client.delete("/api/admin/token/2147483647", headers=_bearer(admin)).status_code == 404
