"""Authorisation in one place: the app-wide dependency ``authorize`` runs before every route.

It identifies the principal (bearer API token, else session cookie), checks the permission table
(``web.permissions.ROUTE_ROLES``) for the matched route, and checks CSRF on unsafe cookie requests.
Routes then read the principal with ``Depends(current_principal)`` or ``Depends(require_principal)``.
"""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from smartkotim.accounts import principal_cache
from smartkotim.accounts import services as accounts
from smartkotim.accounts.principal_cache import PrincipalCache
from smartkotim.accounts.roles import Principal
from smartkotim.web.csrf import is_csrf_valid
from smartkotim.web.deps import get_db
from smartkotim.web.permissions import is_allowed, missing_scope

SESSION_USER = "uid"
SESSION_VERSION = "sv"


class NotAuthenticatedError(Exception):
    """The route needs a login (HTML: redirect to the login page; API: 401)."""


class ForbiddenError(Exception):
    """The principal's role or token scope does not allow the route (403); ``missing_scope`` names the
    scope a token lacks when its role is allowed."""

    def __init__(self, route_name: str, missing_scope: str | None = None) -> None:
        super().__init__(route_name)
        self.missing_scope = missing_scope


class CsrfError(Exception):
    """An unsafe cookie request without a valid CSRF token (403)."""


def _route_name(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "name", "") or "")


def _credential(request: Request) -> tuple[object, ...] | None:
    """The principal cache key of the request's credential (bearer token, else session), or ``None``."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return principal_cache.token_key(header[7:].strip())
    user_id = request.session.get(SESSION_USER)
    version = request.session.get(SESSION_VERSION)
    if isinstance(user_id, int) and isinstance(version, str):
        return principal_cache.session_key(user_id, version)
    return None


def _identify(request: Request, db: Session, cache: PrincipalCache) -> Principal | None:
    """Look the principal up in the database (in a worker thread); keep a positive answer, forget a
    negative one."""
    looked_up_in = principal_cache.epoch()
    key = _credential(request)
    try:
        principal = _look_up(request, db)
    except BaseException:
        if key is not None:
            cache.forget(key)
        raise
    if key is not None:
        if principal is None:
            cache.forget(key)
        else:
            cache.put(key, principal, looked_up_in)
    return principal


def _look_up(request: Request, db: Session) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = accounts.principal_for_token(db, raw_token=header[7:].strip())
        if principal is None:
            raise NotAuthenticatedError("invalid, expired or revoked API token")
        return principal
    user_id = request.session.get(SESSION_USER)
    version = request.session.get(SESSION_VERSION)
    if isinstance(user_id, int) and isinstance(version, str):
        principal = accounts.principal_for_session(db, user_id=user_id, session_version=version)
        if principal is None:  # user disabled or logged out everywhere
            request.session.pop(SESSION_USER, None)
        return principal
    return None


def _cache(request: Request) -> PrincipalCache:
    cache = getattr(request.app.state, "principal_cache", None)
    if cache is None:
        cache = PrincipalCache(request.app.state.settings.auth_cache_seconds)
        request.app.state.principal_cache = cache
    return cache


async def authorize(request: Request, db: Session = Depends(get_db)) -> None:
    """Identify the principal, enforce the permission table and CSRF; store the principal on the request.

    The principal comes from the app's ``PrincipalCache`` when a lookup of the same credential is
    fresh (``settings.auth_cache_seconds``), else from the database.

    Raises:
        NotAuthenticatedError: anonymous request to a route that needs a login, or a bad token.
        ForbiddenError: role or token scope not allowed for this route.
        CsrfError: unsafe cookie request without the session's CSRF token.
    """
    cache = _cache(request)
    key = _credential(request)
    principal = cache.get(key) if key is not None else None
    if principal is None and key is not None:
        # The lookups block on the database: run them in the thread pool, never on the event loop,
        # or requests beyond the connection pool stall every other request.
        principal = await run_in_threadpool(_identify, request, db, cache)
    request.state.principal = principal
    name = _route_name(request)
    role = str(principal.role) if principal else None
    if not is_allowed(name, role, principal.token_scopes if principal else None):
        if principal is None and is_allowed(name, "admin", None):
            raise NotAuthenticatedError(name)
        scopes = principal.token_scopes if principal else None
        raise ForbiddenError(name, missing_scope(name, role, scopes))
    if (principal is None or not principal.is_token) and not await is_csrf_valid(request):
        raise CsrfError(name)


def current_principal(request: Request) -> Principal | None:
    """The principal set by ``authorize`` (``None`` when anonymous)."""
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def require_principal(request: Request) -> Principal:
    """The principal set by ``authorize``.

    Raises:
        NotAuthenticatedError: when anonymous (only on routes the table opens to anonymous).
    """
    principal = current_principal(request)
    if principal is None:
        raise NotAuthenticatedError(_route_name(request))
    return principal
