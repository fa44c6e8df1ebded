"""The metrics response cache's version check (``economy.metrics.cache``): one request re-reads the
store's version when it is due, the others are served at the version known so far."""

from __future__ import annotations

import time
from types import SimpleNamespace

from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics import cache


def test_one_request_re_reads_the_version_the_others_are_served(db: Session, settings: Settings) -> None:
    app = SimpleNamespace(
        state=SimpleNamespace(settings=settings.model_copy(update={"metrics_version_check_seconds": 0.05}))
    )
    assert cache.peek(app, ("k",)) is None  # nothing checked yet
    assert cache.cached(app, db, ("k",), lambda: b"body") == b"body"
    assert cache.peek(app, ("k",)) == b"body"
    time.sleep(0.06)
    assert cache.peek(app, ("k",)) is None  # due: this request goes to re-read the version …
    assert cache.peek(app, ("k",)) == b"body"  # … the ones meanwhile are served from the cache
    assert cache.cached(app, db, ("k",), lambda: b"other") == b"body"  # same version: still cached
    assert cache.peek(app, ("k",)) == b"body"
