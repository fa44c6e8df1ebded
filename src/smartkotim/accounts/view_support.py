"""Small pieces shared by the accounts views: the acting principal, flash messages, error mapping, WIB."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from fastapi import HTTPException, Request

from smartkotim.accounts.audit import Actor
from smartkotim.accounts.errors import AccountsError, DuplicateError, LoginLockedError, NotFoundError
from smartkotim.accounts.roles import Principal
from smartkotim.web import templating
from smartkotim.web.auth import current_principal
from smartkotim.web.deps import client_address

WIB = timezone(timedelta(hours=7), "WIB")  # Asia/Jakarta has no daylight saving time
_FLASH = "flash"


def actor_for(request: Request) -> Actor:
    """The ``Actor`` of a web or API request: its principal and client address."""
    return Actor(principal=current_principal(request), client_address=client_address(request))


def session_principal(request: Request) -> Principal:
    """The logged-in principal of a browser session.

    Raises:
        HTTPException: 403 when the request was made with an API token (forms are for people).
    """
    principal = current_principal(request)
    if principal is None or principal.is_token:
        raise HTTPException(403, "Halaman ini hanya untuk sesi browser, bukan token API.")
    return principal


def set_flash(request: Request, text: str, **args: str | int) -> None:
    """Show ``text`` (Indonesian source, ``{name}`` placeholders) once on the next page.

    Never put a secret here: the session cookie is signed, not encrypted.
    """
    request.session[_FLASH] = {"text": text, "args": {k: str(v) for k, v in args.items()}}


def pop_flash(request: Request) -> dict[str, Any] | None:
    """The pending flash message (``{"text", "args"}``), removed from the session."""
    flash = request.session.pop(_FLASH, None)
    return flash if isinstance(flash, dict) else None


def api_error(exc: AccountsError) -> HTTPException:
    """The HTTP error of a service error: 404 not found, 409 duplicate, 429 locked, else 400."""
    if isinstance(exc, NotFoundError):
        return HTTPException(404, str(exc))
    if isinstance(exc, DuplicateError):
        return HTTPException(409, str(exc))
    if isinstance(exc, LoginLockedError):
        return HTTPException(429, str(exc))
    return HTTPException(400, str(exc))


def error_status(exc: AccountsError) -> int:
    """The status code of a form page re-rendered with ``exc``."""
    return api_error(exc).status_code


def format_wib(value: datetime | None) -> str:
    """``05-10-2026 14:03 WIB`` for a UTC datetime; ``—`` for ``None`` (same as the ``wib`` filter)."""
    return templating.format_wib(value)


def wib_day_start(day: date) -> datetime:
    """The UTC instant at which WIB calendar day ``day`` begins."""
    return datetime.combine(day, time(0, 0), tzinfo=WIB).astimezone(UTC)


# The page a role lands on after login when no other page was asked for (``next`` is ``/``). Features
# register theirs at import, e.g. the economy's leader view for ``leader`` (the Bupati).
ROLE_HOMES: dict[str, str] = {}


def landing_page(role: str, target: str | None) -> str:
    """``safe_next(target)``, or the home page of ``role`` (``ROLE_HOMES``) when that is ``/``."""
    local = safe_next(target)
    return ROLE_HOMES.get(role, local) if local == "/" else local


def safe_next(target: str | None) -> str:
    """``target`` when it is a local path (``/…``, not ``//…``), else ``/`` — no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target
