"""What a command needs at run time: validated settings, the engine and a session factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from smartkotim.config import Settings, ensure_data_dir, load_settings
from smartkotim.db import is_database_current, make_engine, make_session_factory, upgrade_database


@dataclass(frozen=True, slots=True)
class Runtime:
    """Settings plus the state database, opened once per command."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]


def open_runtime(settings: Settings | None = None, *, migrate: bool = True) -> Runtime:
    """Load settings (from the environment unless given), open the database and, if asked, migrate it.

    Raises:
        smartkotim.config.SettingsError: invalid settings.
    """
    settings = settings or load_settings()
    ensure_data_dir(settings)
    engine = make_engine(settings.sqlalchemy_url)
    if migrate and not is_database_current(engine):
        upgrade_database(engine)
    return Runtime(settings, engine, make_session_factory(engine))
