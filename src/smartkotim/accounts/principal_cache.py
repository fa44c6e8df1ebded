"""A short-lived in-process cache of identities: which principal a session cookie or API token is.

Every request needs its principal; asking the database each time costs a thread-pool hop and a query,
which under load is most of the cost of a cached dashboard answer. Entries live
``settings.auth_cache_seconds`` (default 2 s; 0 turns the cache off) and only positive answers are kept
(an unknown, revoked or logged-out credential always goes to the database).

Freshness: any flush in this process that changes a security-relevant column of a user, an API token or
an organisation (role, activity, session version, password, scopes, revocation, expiry, …) or deletes
one bumps ``epoch()``, and entries of an older epoch are never served; the epoch is read *before* the
database lookup whose answer is stored, so an answer read before a change is never kept after it.
A change made by another process (the CLI, another web worker) reaches this one within twice the
entries' lifetime (an expired entry still answers while one request re-reads it, see ``PrincipalCache``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from smartkotim.accounts.models import ApiToken, Organisation, User
from smartkotim.accounts.roles import Principal

WATCHED = (User, ApiToken, Organisation)
# Columns written on every login or token use: they do not change who a principal is.
IGNORED_COLUMNS = frozenset({"last_login_at", "last_used_at"})
MAX_ENTRIES = 10_000

_lock = threading.Lock()
_epoch = 0


def epoch() -> int:
    """The current epoch (bumped by every security-relevant change flushed in this process)."""
    return _epoch


def bump_epoch() -> None:
    """Make every cached principal of this process stale."""
    global _epoch
    with _lock:
        _epoch += 1


def _changes_identity(obj: Any) -> bool:
    state = inspect(obj)
    return any(attr.key not in IGNORED_COLUMNS and attr.history.has_changes() for attr in state.attrs)


@event.listens_for(Session, "before_flush")
def _watch_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Bump the epoch when a flush changes or deletes a user, token or organisation."""
    if any(isinstance(obj, WATCHED) for obj in session.deleted) or any(
        isinstance(obj, WATCHED) and _changes_identity(obj) for obj in session.dirty
    ):
        bump_epoch()


def session_key(user_id: int, session_version: str) -> tuple[str, int, str]:
    """The cache key of a logged-in session."""
    return ("session", user_id, session_version)


def token_key(raw_token: str) -> tuple[str, str]:
    """The cache key of a bearer token: its SHA-256 (the raw token is never kept)."""
    return ("token", hashlib.sha256(raw_token.encode("utf-8")).hexdigest())


class PrincipalCache:
    """Principals by credential key for ``ttl_seconds``, tagged with the epoch of their lookup.

    Single flight: when an entry expires, the first request re-reads it from the database while the
    requests that arrive meanwhile keep the old answer (for at most one more ``ttl_seconds``), so a
    busy credential costs one lookup per ``ttl_seconds`` instead of a burst of them.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[tuple[Any, ...], tuple[float, int, Principal]] = {}
        self._refreshing: set[tuple[Any, ...]] = set()

    def get(self, key: tuple[Any, ...]) -> Principal | None:
        """The principal cached under ``key`` if fresh and of the current epoch (or being re-read by
        another request), else ``None``: the caller looks it up and calls ``put`` or ``forget``."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, tagged, principal = entry
        if tagged != _epoch:
            self.forget(key)
            return None
        now = time.monotonic()
        if now < expires:
            return principal
        if key in self._refreshing and now < expires + self.ttl:
            return principal
        self._refreshing.add(key)
        return None

    def put(self, key: tuple[Any, ...], principal: Principal, looked_up_in: int) -> None:
        """Keep ``principal`` (found by a lookup that started in epoch ``looked_up_in``)."""
        self._refreshing.discard(key)
        if self.ttl <= 0 or looked_up_in != _epoch:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, looked_up_in, principal)

    def forget(self, key: tuple[Any, ...]) -> None:
        """Drop ``key`` (its credential is no longer valid)."""
        self._entries.pop(key, None)
        self._refreshing.discard(key)
