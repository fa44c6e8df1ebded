"""The in-process identity cache (``accounts.principal_cache``): fast, but never stale for longer than
``auth_cache_seconds``, and never stale at all for a change made in the same process."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from accounts_helpers import TEST_ACTOR, make_user
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from smartkotim.accounts import tokens
from smartkotim.accounts.models import User
from smartkotim.accounts.roles import Role
from smartkotim.config import Settings
from smartkotim.web.app import create_app


def _client(settings: Settings, engine: Engine, seconds: float) -> TestClient:
    app = create_app(settings.model_copy(update={"auth_cache_seconds": seconds}), engine=engine)
    return TestClient(app)


@pytest.fixture
def analyst_token(seeded: Session) -> Iterator[tuple[int, str]]:
    user = make_user(seeded, Role.ANALYST, "cache.analyst")
    _, raw = tokens.create_token(seeded, user_id=user.id, name="t", scopes=["read"], days=1, by=TEST_ACTOR)
    yield user.id, raw


def _status(client: TestClient, raw: str) -> int:
    return client.get("/api/akun", headers={"Authorization": f"Bearer {raw}"}).status_code


def _disable_elsewhere(engine: Engine, user_id: int) -> None:
    """Disable the user with plain SQL, as another process (the CLI, another web worker) would."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET is_active = :no WHERE id = :id"), {"no": False, "id": user_id})


def test_a_change_in_this_process_applies_at_once(
    settings: Settings, engine: Engine, seeded: Session, analyst_token: tuple[int, str]
) -> None:
    user_id, raw = analyst_token
    with _client(settings, engine, 60.0) as client:
        assert _status(client, raw) == 200  # looked up and cached for a minute
        user = seeded.get(User, user_id)
        assert user is not None
        user.is_active = False
        seeded.commit()
        assert _status(client, raw) == 401


def test_a_change_elsewhere_applies_within_the_cache_time(
    settings: Settings, engine: Engine, analyst_token: tuple[int, str]
) -> None:
    user_id, raw = analyst_token
    with _client(settings, engine, 0.5) as client:
        assert _status(client, raw) == 200
        _disable_elsewhere(engine, user_id)
        started = time.monotonic()
        served_from_cache = _status(client, raw)
        if time.monotonic() - started < 0.4:  # still inside the entry's lifetime
            assert served_from_cache == 200
        time.sleep(0.6)
        assert _status(client, raw) == 401


def test_zero_seconds_asks_the_database_every_time(
    settings: Settings, engine: Engine, analyst_token: tuple[int, str]
) -> None:
    user_id, raw = analyst_token
    with _client(settings, engine, 0.0) as client:
        assert _status(client, raw) == 200
        _disable_elsewhere(engine, user_id)
        assert _status(client, raw) == 401


def test_login_time_updates_do_not_empty_the_cache(seeded: Session) -> None:
    from smartkotim.accounts import principal_cache

    user = make_user(seeded, Role.ANALYST, "cache.login")
    before = principal_cache.epoch()
    user.last_login_at = user.created_at
    seeded.commit()
    assert principal_cache.epoch() == before
    user.role = Role.LEADER
    seeded.commit()
    assert principal_cache.epoch() > before


def test_an_expired_entry_is_re_read_by_one_request_while_the_others_keep_it() -> None:
    from smartkotim.accounts import principal_cache
    from smartkotim.accounts.principal_cache import PrincipalCache
    from smartkotim.accounts.roles import Principal

    cache = PrincipalCache(0.05)
    key = principal_cache.session_key(1, "v1")
    who = Principal(1, "a", "A", Role.ANALYST, 1, "DISKOMINFO")
    cache.put(key, who, principal_cache.epoch())
    assert cache.get(key) == who
    time.sleep(0.06)
    assert cache.get(key) is None  # this request re-reads it …
    assert cache.get(key) == who  # … the ones meanwhile keep the answer
    cache.put(key, who, principal_cache.epoch())
    assert cache.get(key) == who
    cache.forget(key)
    assert cache.get(key) is None
    time.sleep(0.01)
    cache.put(key, who, principal_cache.epoch() - 1)  # looked up before a change: never kept
    assert cache.get(key) is None
