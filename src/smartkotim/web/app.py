"""``create_app(settings)``: the FastAPI application with every feature's routes."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from smartkotim import __version__
from smartkotim.config import Settings, ensure_data_dir, secret_key
from smartkotim.db import make_engine, make_session_factory
from smartkotim.jobs import Worker
from smartkotim.web import errors
from smartkotim.web.auth import CsrfError, ForbiddenError, NotAuthenticatedError, authorize
from smartkotim.web.templating import make_templates

# Each feature module exposes ``router``; order decides nothing but the OpenAPI listing.
FEATURE_VIEWS = (
    "smartkotim.web.views",
    "smartkotim.web.job_views",
    "smartkotim.accounts.views",
    "smartkotim.regions.views",
    "smartkotim.economy.registry.views",
    "smartkotim.economy.ingest.views",
    "smartkotim.economy.metrics.views",
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

    app.middleware("http")(_security_headers)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie="smartkotim_session",
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.session_cookie_https_only,
    )
    return app


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    is_docs = request.url.path == "/api/docs"
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if is_docs else CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
    return response
