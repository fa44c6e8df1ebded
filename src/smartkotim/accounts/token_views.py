"""API token routes: one's own tokens (``/akun/token``) and the admin's view of all (``/admin/token``).

A new token is shown in the response that creates it and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts import queries, tokens
from smartkotim.accounts.errors import AccountsError, NotFoundError
from smartkotim.accounts.roles import Principal, TokenScope, scopes_for_role
from smartkotim.accounts.schemas import AdminTokenCreate, TokenCreate, TokenCreatedOut, TokenOut, token_out
from smartkotim.accounts.view_support import (
    actor_for,
    api_error,
    error_status,
    format_wib,
    pop_flash,
    set_flash,
)
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import IdPath, get_db, get_settings
from smartkotim.web.i18n import N_
from smartkotim.web.templating import render

router = APIRouter()


def _rows(db: Session, user_id: int | None) -> list[dict[str, Any]]:
    return [
        {
            "token": token_out(t, u.username),
            "expires": format_wib(t.expires_at),
            "last_used": format_wib(t.last_used_at),
        }
        for t, u in queries.list_tokens(db, user_id=user_id)
    ]


def _context(
    request: Request, db: Session, principal: Principal, *, admin: bool, **extra: Any
) -> dict[str, Any]:
    scopes = list(TokenScope) if admin else scopes_for_role(principal.role)
    return {
        "rows": _rows(db, None if admin else principal.user_id),
        "scopes": scopes,
        "default_days": get_settings(request).api_token_default_days,
        "users": [u for u, _ in queries.list_users(db) if u.is_active] if admin else [],
        "admin": admin,
        "action": "/admin/token" if admin else "/akun/token",
        "flash": pop_flash(request),
        **extra,
    }


def _create(
    request: Request, db: Session, *, user_id: int, name: str, scopes: list[str], days: int | None
) -> TokenCreatedOut:
    token, raw = tokens.create_token(
        db,
        user_id=user_id,
        name=name,
        scopes=scopes,
        days=days or get_settings(request).api_token_default_days,
        by=actor_for(request),
    )
    owner = queries.get_user_with_organisation(db, user_id)
    assert owner is not None, "the service just found this user"
    return TokenCreatedOut(token=raw, record=token_out(token, owner[0].username))


def _html_create(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    admin: bool,
    user_id: int,
    name: str,
    scopes: list[str],
    days: int | None,
) -> Response:
    template = "accounts/tokens.html"
    try:
        created = _create(request, db, user_id=user_id, name=name, scopes=scopes, days=days)
    except AccountsError as exc:
        context = _context(request, db, principal, admin=admin, error=str(exc))
        return render(request, template, context, error_status(exc))
    return render(request, template, _context(request, db, principal, admin=admin, created=created), 201)


@router.get("/akun/token", name="own_tokens_page", response_class=HTMLResponse, include_in_schema=False)
def own_tokens_page(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """My API tokens (never their secret) and a form to create one."""
    return render(request, "accounts/tokens.html", _context(request, db, principal, admin=False))


@router.post("/akun/token", name="own_token_create", include_in_schema=False)
def own_token_create(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    scopes: Annotated[list[str], Form()],
    days: Annotated[int | None, Form(ge=1, le=730)] = None,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Create a token for myself; the page shows it once."""
    return _html_create(
        request, db, principal, admin=False, user_id=principal.user_id, name=name, scopes=scopes, days=days
    )


@router.post("/akun/token/{token_id}/cabut", name="own_token_revoke", include_in_schema=False)
def own_token_revoke(
    request: Request,
    token_id: IdPath,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Revoke one of my tokens at once."""
    try:
        token = tokens.revoke_token(
            db, token_id=token_id, owner_user_id=principal.user_id, by=actor_for(request)
        )
    except NotFoundError as exc:
        raise api_error(exc) from exc
    set_flash(request, N_("Token {prefix} dicabut."), prefix=token.token_prefix)
    return RedirectResponse("/akun/token", status_code=303)


@router.get("/api/akun/token", name="api_own_tokens", tags=["accounts"])
def api_own_tokens(
    db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[TokenOut]:
    """My API tokens, newest first (prefix, scopes, status, expiry; never the secret)."""
    return [row["token"] for row in _rows(db, principal.user_id)]


@router.post("/api/akun/token", name="api_own_token_create", tags=["accounts"], status_code=201)
def api_own_token_create(
    request: Request,
    body: TokenCreate,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> TokenCreatedOut:
    """Create a token for myself; ``token`` is in this response only (400 for bad scopes or days)."""
    try:
        return _create(
            request, db, user_id=principal.user_id, name=body.name, scopes=body.scopes, days=body.days
        )
    except AccountsError as exc:
        raise api_error(exc) from exc


@router.delete("/api/akun/token/{token_id}", name="api_own_token_revoke", tags=["accounts"])
def api_own_token_revoke(
    request: Request,
    token_id: IdPath,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> TokenOut:
    """Revoke one of my tokens (404 when it is not mine)."""
    try:
        token = tokens.revoke_token(
            db, token_id=token_id, owner_user_id=principal.user_id, by=actor_for(request)
        )
    except AccountsError as exc:
        raise api_error(exc) from exc
    return token_out(token, principal.username)


@router.get("/admin/token", name="admin_tokens_page", response_class=HTMLResponse, include_in_schema=False)
def admin_tokens_page(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """Every API token, with revoke buttons and a form to create one for any user."""
    return render(request, "accounts/tokens.html", _context(request, db, principal, admin=True))


@router.post("/admin/token", name="admin_token_create", include_in_schema=False)
def admin_token_create(
    request: Request,
    user_id: Annotated[int, Form()],
    name: Annotated[str, Form(max_length=200)],
    scopes: Annotated[list[str], Form()],
    days: Annotated[int | None, Form(ge=1, le=730)] = None,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Create a token for a user; the page shows it once."""
    return _html_create(
        request, db, principal, admin=True, user_id=user_id, name=name, scopes=scopes, days=days
    )


@router.post("/admin/token/{token_id}/cabut", name="admin_token_revoke", include_in_schema=False)
def admin_token_revoke(request: Request, token_id: IdPath, db: Session = Depends(get_db)) -> Response:
    """Revoke any token at once."""
    try:
        token = tokens.revoke_token(db, token_id=token_id, by=actor_for(request))
    except NotFoundError as exc:
        raise api_error(exc) from exc
    set_flash(request, N_("Token {prefix} dicabut."), prefix=token.token_prefix)
    return RedirectResponse("/admin/token", status_code=303)


@router.get("/api/admin/token", name="api_admin_tokens", tags=["accounts"])
def api_admin_tokens(db: Session = Depends(get_db)) -> list[TokenOut]:
    """Every API token, newest first (never the secret)."""
    return [row["token"] for row in _rows(db, None)]


@router.post("/api/admin/token", name="api_admin_token_create", tags=["accounts"], status_code=201)
def api_admin_token_create(
    request: Request, body: AdminTokenCreate, db: Session = Depends(get_db)
) -> TokenCreatedOut:
    """Create a token for user ``username``; ``token`` is in this response only."""
    user = queries.get_user_by_username(db, body.username)
    try:
        if user is None:
            raise NotFoundError(f"Pengguna {body.username!r} tidak ditemukan.")
        return _create(request, db, user_id=user.id, name=body.name, scopes=body.scopes, days=body.days)
    except AccountsError as exc:
        raise api_error(exc) from exc


@router.delete("/api/admin/token/{token_id}", name="api_admin_token_revoke", tags=["accounts"])
def api_admin_token_revoke(request: Request, token_id: IdPath, db: Session = Depends(get_db)) -> TokenOut:
    """Revoke any token (404 unknown)."""
    try:
        token = tokens.revoke_token(db, token_id=token_id, by=actor_for(request))
    except AccountsError as exc:
        raise api_error(exc) from exc
    owner = queries.get_user_with_organisation(db, token.user_id)
    return token_out(token, owner[0].username if owner else "?")
