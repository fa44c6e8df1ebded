"""Shared fixtures: real SQLite and real PostgreSQL state databases, settings, app and client.

Every test that uses ``engine`` (directly or through ``db``, ``client``…) runs once per backend:
``[sqlite]`` on a migrated file in ``tmp_path`` and ``[postgresql]`` on a database created for this
test run on the server at ``SMARTKOTIM_TEST_DATABASE_URL`` (default: the machine's PostgreSQL).
Outside CI a missing PostgreSQL, Chromium or ``../shared/data`` skips those tests with the reason;
with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from smartkotim.config import Settings, load_settings
from smartkotim.db import make_engine, make_session_factory, upgrade_database
from smartkotim.regions.services import load_register
from smartkotim.web.app import create_app

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def need(condition: bool, reason: str) -> None:
    """Skip (outside CI) or fail (in CI) when a real component is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer ``SMARTKOTIM_*`` variable leaks into a test."""
    for name in list(os.environ):
        if name.startswith("SMARTKOTIM_") and name != "SMARTKOTIM_TEST_DATABASE_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh, migrated PostgreSQL database for this run (dropped at the end), or ``None``."""
    admin_url = os.environ.get("SMARTKOTIM_TEST_DATABASE_URL", DEFAULT_PG)
    name = f"smartkotim_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here
        print(f"PostgreSQL unavailable at {admin_url}: {exc}")
        yield None
        return
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_url: str | None
) -> str:
    """The state-database URL for this test: a copy of the SQLite template, or the emptied PG database."""
    if request.param == "sqlite":
        path = tmp_path / "smartkotim.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    need(postgres_url is not None, "PostgreSQL is not reachable (set SMARTKOTIM_TEST_DATABASE_URL)")
    assert postgres_url is not None
    return postgres_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database, emptied, with the 62.02 register loaded."""
    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        _truncate_all(eng)
    with make_session_factory(eng)() as session:
        load_register(session, regency_code="62.02")
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings with a data directory in ``tmp_path`` and the test database."""
    return load_settings(data_dir=tmp_path / "var", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (skips outside CI when absent)."""
    need(SHARED_DATA.is_dir(), f"{SHARED_DATA} is absent (it sits beside the project in CI)")
    return SHARED_DATA
