"""``create_app(settings)``: the FastAPI application with every feature's routes."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartkotim import __version__
from smartkotim.config import Settings, ensure_data_dir, secret_key
from smartkotim.db import make_engine, make_session_factory
from smartkotim.jobs import Worker
from smartkotim.web import errors
from smartkotim.web.auth import CsrfError, ForbiddenError, NotAuthenticatedError, authorize
from smartkotim.web.templating import make_templates

# Each feature module exposes ``router``. Routes are matched in order, one by one: the dashboard's
# metrics APIs, by far the most requested, come first (no two features share a path, so the order
# changes nothing else but the OpenAPI listing).
FEATURE_VIEWS = (
    "smartkotim.economy.metrics.views",
    "smartkotim.web.views",
    "smartkotim.web.job_views",
    "smartkotim.accounts.views",
    "smartkotim.regions.views",
    "smartkotim.economy.registry.views",
    "smartkotim.economy.ingest.views",
)
STATIC_DIR = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Swagger UI starts itself with an inline script; only its page gets that allowance.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def create_app(settings: Settings, *, engine: Engine | None = None, start_worker: bool = False) -> FastAPI:
    """Build the app for ``settings``; ``engine`` defaults to one made from ``settings``.

    ``start_worker`` runs the job worker as a thread for the app's lifetime (``smartkotim serve``).
    """
    ensure_data_dir(settings)
    engine = engine or make_engine(settings.sqlalchemy_url)
    session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = Worker(settings, session_factory) if start_worker else None
        if worker:
            worker.start()
        yield
        if worker:
            worker.stop()

    app = FastAPIOffline(
        title="SmartKotim API",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        static_url="/static/apidocs",
        dependencies=[Depends(authorize)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.templates = make_templates()

    for module_name in FEATURE_VIEWS:
        app.include_router(importlib.import_module(module_name).router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_exception_handler(NotAuthenticatedError, errors.not_authenticated)
    app.add_exception_handler(ForbiddenError, errors.forbidden)
    app.add_exception_handler(CsrfError, errors.csrf_failed)
    app.add_exception_handler(StarletteHTTPException, errors.http_error)
    app.add_exception_handler(RequestValidationError, errors.validation_error)
    app.add_exception_handler(Exception, errors.server_error)

    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie="smartkotim_session",
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.session_cookie_https_only,
    )
    return app


SECURITY_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"),
)


class SecurityHeadersMiddleware:
    """Adds the CSP and the other security headers to every HTTP response that lacks them.

    A pure ASGI middleware (it only edits the ``http.response.start`` message): Starlette's
    ``BaseHTTPMiddleware`` would run every request through an extra task and memory stream, which cost
    about a millisecond per request under load.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == "/api/docs" else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
