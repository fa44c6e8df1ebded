"""Login, logout, session fixation, CSRF and lock-out through the real login form."""

from __future__ import annotations

from datetime import timedelta

from accounts_helpers import PASSWORD, csrf_of, log_in, make_user
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from smartkotim.accounts.models import AuditEntry, LoginAttempt, User
from smartkotim.accounts.roles import Role
from smartkotim.config import Settings
from smartkotim.web.app import create_app

SESSION_COOKIE = "smartkotim_session"


def _events(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry.event).order_by(AuditEntry.id)))


def test_login_starts_a_session_and_goes_to_a_local_next(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    token = csrf_of(client, "/masuk")
    response = client.post(
        "/masuk",
        data={"username": "Analis ", "password": PASSWORD, "csrf_token": token, "next": "/akun"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/akun"
    assert client.get("/api/akun").json()["username"] == "analis"
    assert "accounts.user.login" in _events(seeded)


def test_login_refuses_a_foreign_next(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    token = csrf_of(client, "/masuk")
    form = {"username": "analis", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}
    response = client.post("/masuk", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_the_leader_lands_on_the_leader_view_unless_another_page_was_asked_for(
    client: TestClient, seeded: Session
) -> None:
    make_user(seeded, Role.LEADER, "bupati")
    make_user(seeded, Role.ANALYST, "analis")

    def login(username: str, next_path: str) -> str:
        client.cookies.clear()
        form = {"username": username, "password": PASSWORD, "csrf_token": csrf_of(client, "/masuk")}
        response = client.post("/masuk", data={**form, "next": next_path}, follow_redirects=False)
        assert response.status_code == 303
        return str(response.headers["location"])

    assert login("bupati", "/") == "/ekonomi/pimpinan"
    assert login("bupati", "/akun") == "/akun"  # a page asked for wins
    assert login("bupati", "//evil.example/x") == "/ekonomi/pimpinan"
    assert login("analis", "/") == "/"


def test_session_cookie_flags(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    token = csrf_of(client, "/masuk")
    response = client.post(
        "/masuk",
        data={"username": "analis", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_wrong_password_is_refused_and_audited_without_the_password(
    client: TestClient, seeded: Session
) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    assert log_in(client, "analis", "wrong password 123") == 400
    assert client.get("/api/akun").status_code == 401
    assert "accounts.user.login_failed" in _events(seeded)
    seeded.expire_all()
    for entry in seeded.scalars(select(AuditEntry)):
        assert "wrong password 123" not in str(entry.details)
    stored = seeded.scalars(select(User.password_hash).where(User.username == "analis")).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_rotates_the_session_and_csrf_token(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    before_token = csrf_of(client, "/masuk")
    before_cookie = client.cookies.get(SESSION_COOKIE)
    assert log_in(client, "analis") == 303
    assert client.cookies.get(SESSION_COOKIE) != before_cookie
    after_token = csrf_of(client, "/akun")
    assert after_token != before_token
    # The old token no longer works for unsafe requests.
    response = client.post("/keluar", data={"csrf_token": before_token}, follow_redirects=False)
    assert response.status_code == 403


def test_logout_ends_the_session_and_a_copied_cookie(
    client: TestClient, app: FastAPI, seeded: Session
) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    assert log_in(client, "analis") == 303
    stolen = client.cookies.get(SESSION_COOKIE)
    token = csrf_of(client, "/akun")
    assert client.post("/keluar", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/akun").status_code == 401
    assert "accounts.user.logout" in _events(seeded)
    with TestClient(app, cookies={SESSION_COOKIE: stolen or ""}) as replay:
        assert replay.get("/api/akun").status_code == 401


def test_csrf_is_required_on_unsafe_requests(client: TestClient, seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    token = csrf_of(client, "/masuk")
    form = {"username": "analis", "password": PASSWORD}
    assert client.post("/masuk", data=form, follow_redirects=False).status_code == 403
    wrong = {**form, "csrf_token": "x" * 43}
    assert client.post("/masuk", data=wrong, follow_redirects=False).status_code == 403
    assert client.get("/api/akun").status_code == 401
    right = {**form, "csrf_token": token}
    assert client.post("/masuk", data=right, follow_redirects=False).status_code == 303
    # JSON requests carry it in the header instead.
    body = {"name": "t", "scopes": ["read"]}
    assert client.post("/api/akun/token", json=body).status_code == 403
    header = {"X-CSRF-Token": csrf_of(client, "/akun")}
    assert client.post("/api/akun/token", json=body, headers=header).status_code == 201


def test_lockout_per_username_refuses_even_the_right_password(
    client: TestClient, seeded: Session, app: FastAPI
) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    make_user(seeded, Role.LEADER, "bupati")
    limit = app.state.settings.login_max_failures
    for _ in range(limit):
        assert log_in(client, "analis", "not the password") == 400
    assert log_in(client, "analis") == 429
    page = client.get("/masuk")  # the refused form shows why
    assert page.status_code == 200
    assert "accounts.user.locked_out" in _events(seeded)
    # Another user from another address is not affected.
    with TestClient(app, client=("10.1.2.3", 4000)) as other:
        assert log_in(other, "bupati") == 303
    # The same user from another address is still locked.
    with TestClient(app, client=("10.9.9.9", 4000)) as third:
        assert log_in(third, "analis") == 429


def test_lockout_message_is_clear(client: TestClient, seeded: Session, app: FastAPI) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    for _ in range(app.state.settings.login_max_failures):
        log_in(client, "analis", "not the password")
    token = csrf_of(client, "/masuk")
    response = client.post("/masuk", data={"username": "analis", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in response.text


def test_one_users_failures_do_not_lock_another_user_on_the_same_address(
    client: TestClient, seeded: Session, app: FastAPI
) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    make_user(seeded, Role.ADMIN, "admin")
    settings = app.state.settings
    assert settings.login_max_failures_per_address > settings.login_max_failures
    for _ in range(settings.login_max_failures):
        assert log_in(client, "analis", "not the password") == 400
    assert log_in(client, "analis") == 429  # the mistyping user is locked ...
    assert log_in(client, "admin") == 303  # ... their colleague behind the same address is not


def test_lockout_per_client_address(seeded: Session, settings: Settings, engine: Engine) -> None:
    limit = 8
    app = create_app(settings.model_copy(update={"login_max_failures_per_address": limit}), engine=engine)
    make_user(seeded, Role.ANALYST, "analis")
    with TestClient(app) as client:
        for i in range(limit - 1):  # a different username each time: only the address links them
            assert log_in(client, f"guess{i}", "not the password") == 400
        assert log_in(client, "analis") == 303  # below the address threshold
        client.post("/keluar", data={"csrf_token": csrf_of(client, "/akun")})
        assert log_in(client, "guess-last", "not the password") == 400
        assert log_in(client, "analis") == 429  # the address is now locked, even for the right password
    with TestClient(app, client=("10.1.2.3", 4000)) as other:
        assert log_in(other, "analis") == 303


def test_lockout_ends_when_the_window_has_passed(client: TestClient, seeded: Session, app: FastAPI) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    settings = app.state.settings
    for _ in range(settings.login_max_failures):
        log_in(client, "analis", "not the password")
    assert log_in(client, "analis") == 429
    # Age the recorded failures past the window (the real rows, as time would).
    window = timedelta(minutes=settings.login_lockout_minutes, seconds=1)
    seeded.expire_all()
    for attempt in seeded.scalars(select(LoginAttempt)):
        attempt.at = attempt.at - window
    seeded.commit()
    assert log_in(client, "analis") == 303


def test_refused_attempts_do_not_extend_the_lock(client: TestClient, seeded: Session, app: FastAPI) -> None:
    make_user(seeded, Role.ANALYST, "analis")
    limit = app.state.settings.login_max_failures
    for _ in range(limit):
        log_in(client, "analis", "not the password")
    for _ in range(3):
        assert log_in(client, "analis", "still guessing") == 429
    seeded.expire_all()
    failures = seeded.scalars(select(LoginAttempt).where(LoginAttempt.succeeded.is_(False))).all()
    assert len(failures) == limit


def test_disabled_user_cannot_log_in(client: TestClient, seeded: Session) -> None:
    user = make_user(seeded, Role.ANALYST, "analis")
    user.is_active = False
    seeded.commit()
    assert log_in(client, "analis") == 400


def test_behind_a_trusted_proxy_the_address_limit_counts_the_real_client(
    seeded: Session, settings: Settings, engine: Engine
) -> None:
    """What ``serve`` sets up with ``SMARTKOTIM_FORWARDED_ALLOW_IPS``: uvicorn's proxy-headers middleware."""
    limit = 3
    app = create_app(settings.model_copy(update={"login_max_failures_per_address": limit}), engine=engine)
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1")
    make_user(seeded, Role.ANALYST, "analis")
    with TestClient(proxied, client=("127.0.0.1", 4000)) as client:  # every request comes via the proxy
        client.headers["X-Forwarded-For"] = "203.0.113.7"
        for i in range(limit):
            assert log_in(client, f"guess{i}", "not the password") == 400
        assert log_in(client, "analis") == 429  # the guessing client is locked ...
        client.headers["X-Forwarded-For"] = "203.0.113.8"
        assert log_in(client, "analis") == 303  # ... another client behind the same proxy is not
    seeded.expire_all()
    addresses = set(seeded.scalars(select(LoginAttempt.client_address)))
    assert addresses == {"203.0.113.7", "203.0.113.8"}
