"""Typed FastAPI dependencies shared by every feature's views."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Path, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from smartkotim.config import Settings

IdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]
"""A numeric record id in a URL path: 1 … 2³¹−1 (larger values are a 422, never a database overflow)."""


def get_settings(request: Request) -> Settings:
    """The app's settings (set by ``create_app``)."""
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    """The state-database session factory."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One database session per request (FastAPI caches it, so ``authorize`` and the route share it).

    Making a session opens no connection, so it is made on the event loop; closing one that holds a
    connection (a transaction to roll back) runs in the thread pool. A request answered from memory
    (a cached identity and response) thus never leaves the event loop.
    """
    session = get_session_factory(request)()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def client_address(request: Request) -> str:
    """The client's address as seen by the server (for the audit log and lock-out)."""
    return request.client.host if request.client else "unknown"
