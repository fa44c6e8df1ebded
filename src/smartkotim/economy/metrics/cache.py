"""In-process cache of the metrics pages' data, keyed by the request and the store's version.

The store changes only through a recompute, which commits its rows together with a new
``economy_metrics_runs`` row; so ``(latest run id, boundary imports, request)`` identifies a response
exactly, and a new run makes every older entry unreachable (they age out of the LRU). The version is
checked at most every ``metrics_version_check_seconds`` (default 1 s): a reader sees the old or the
new figures, never a mix. One cache per app
(``app.state``); thread-safe (sync routes run in a thread pool). A miss builds the value outside the lock
(two threads may build the same entry once; both results are equal).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from smartkotim.economy.metrics import queries
from smartkotim.economy.metrics.maps import map_geometry_key

T = TypeVar("T")
MAX_ENTRIES = 2048


class ResponseCache:
    """A bounded LRU map from keys to built values (JSON bytes or response models)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: Hashable) -> Any | None:
        """The cached value of ``key``, else ``None`` (never builds)."""
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The cached value of ``key``, else ``build()`` stored under it."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                value: T = self._data[key]
                return value
        built = build()
        with self._lock:
            self._data[key] = built
            while len(self._data) > self._max:
                self._data.popitem(last=False)
        return built


def app_cache(app: Any) -> ResponseCache:
    """The cache of one app (created on first use)."""
    cache = getattr(app.state, "economy_metrics_cache", None)
    if cache is None:
        cache = ResponseCache()
        app.state.economy_metrics_cache = cache
    return cache


_STATE_LOCK = threading.Lock()


def _refresh_lock(app: Any) -> threading.Lock:
    """The app's lock held while one thread re-reads the store's version (created on first use)."""
    lock = getattr(app.state, "economy_metrics_refresh_lock", None)
    if lock is None:
        with _STATE_LOCK:
            lock = getattr(app.state, "economy_metrics_refresh_lock", None)
            if lock is None:
                lock = threading.Lock()
                app.state.economy_metrics_refresh_lock = lock
    return lock


def store_version(app: Any, session: Session) -> tuple[Hashable, ...]:
    """``(latest run id, boundary imports)``, read from the database at most once per
    ``settings.metrics_version_check_seconds`` per app (so a recompute shows up at most that late, plus
    the time of the read). Single flight: while one thread re-reads it, the others go on with the
    version known so far instead of all querying the database at once."""
    now = time.monotonic()
    ttl = float(app.state.settings.metrics_version_check_seconds)
    checked = getattr(app.state, "economy_metrics_version", None)
    if checked is not None and now - checked[0] < ttl:
        version: tuple[Hashable, ...] = checked[1]
        return version
    lock = _refresh_lock(app)
    if checked is not None and not lock.acquire(blocking=False):
        version = checked[1]  # another thread is re-reading it
        return version
    if checked is None:
        lock.acquire()
    try:
        version = (queries.get_store_version(session), map_geometry_key(session))
        app.state.economy_metrics_version = (time.monotonic(), version)
    finally:
        lock.release()
    return version


def peek(app: Any, key: tuple[Hashable, ...]) -> Any | None:
    """The value cached for ``key`` at the store version last checked, if that check is younger than
    ``metrics_version_check_seconds`` or another request is re-reading the version right now; else
    ``None`` (a miss, or this request is the one to re-read the version). Touches no database, so an
    async route can call it on the event loop and go to the thread pool (``cached``) only on ``None``."""
    checked = getattr(app.state, "economy_metrics_version", None)
    ttl = float(app.state.settings.metrics_version_check_seconds)
    if checked is None:
        return None
    now = time.monotonic()
    if now - checked[0] >= ttl:
        claimed = getattr(app.state, "economy_metrics_check_claimed", 0.0)
        if not _refresh_lock(app).locked() and now - claimed >= ttl:
            # due for a check: this caller goes to the thread pool (``cached`` re-reads the version);
            # the requests that come meanwhile are served at the version known so far
            app.state.economy_metrics_check_claimed = now
            return None
    return app_cache(app).get((checked[1], *key))


def cached(app: Any, session: Session, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """``build()`` for ``key`` at the store's current version, from the app's cache when present."""
    return app_cache(app).get_or_build((store_version(app, session), *key), build)
