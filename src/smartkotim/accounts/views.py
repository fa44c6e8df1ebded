"""Account routes: login, logout and "my account"; admin and token routes are included from their modules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts import admin_views, audit_views, login, services, token_views
from smartkotim.accounts.errors import (
    AccountsError,
    InvalidCredentialsError,
    InvalidInputError,
    LoginLockedError,
)
from smartkotim.accounts.models import Organisation
from smartkotim.accounts.roles import Principal
from smartkotim.accounts.schemas import AccountOut, account_out
from smartkotim.accounts.view_support import (
    actor_for,
    error_status,
    landing_page,
    pop_flash,
    safe_next,
    session_principal,
    set_flash,
)
from smartkotim.config import Settings
from smartkotim.db import utcnow
from smartkotim.web.auth import SESSION_USER, SESSION_VERSION, current_principal, require_principal
from smartkotim.web.deps import client_address, get_db, get_settings
from smartkotim.web.i18n import N_
from smartkotim.web.templating import render

router = APIRouter()
router.include_router(admin_views.router)
router.include_router(token_views.router)
router.include_router(audit_views.router)


def _fresh_session(request: Request, *, user_id: int | None = None, version: str | None = None) -> None:
    """Drop everything in the session (CSRF token included) but the language; log in if asked."""
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    if user_id is not None and version is not None:
        request.session[SESSION_USER] = user_id
        request.session[SESSION_VERSION] = version


@router.get("/masuk", name="login_page", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    """The login form; a logged-in user goes straight on to ``next``."""
    if current_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "accounts/login.html", {"next": safe_next(next), "username": ""})


@router.post("/masuk", name="login_submit", include_in_schema=False)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Check the credentials; on success start a fresh session (no fixation) and go to ``next``.

    400 with the form again on wrong credentials; 429 while locked out.
    """
    policy = login.LockoutPolicy(
        settings.login_max_failures, settings.login_lockout_minutes, settings.login_max_failures_per_address
    )
    context = {"next": safe_next(next), "username": username}
    try:
        user = login.authenticate(
            db,
            username=username,
            password=password,
            client_address=client_address(request),
            policy=policy,
            by=actor_for(request),
        )
    except LoginLockedError as exc:
        minutes = max(1, int((exc.until - utcnow()).total_seconds() // 60) + 1)
        return render(request, "accounts/login.html", {**context, "locked_minutes": minutes}, 429)
    except InvalidCredentialsError:
        return render(request, "accounts/login.html", {**context, "invalid": True}, 400)
    _fresh_session(request, user_id=user.id, version=user.session_version)
    return RedirectResponse(landing_page(str(user.role), next), status_code=303)


@router.post("/keluar", name="logout", include_in_schema=False)
def logout(request: Request, db: Session = Depends(get_db)) -> Response:
    """End the session (and every other session of the user); back to the home page."""
    principal = current_principal(request)
    if principal is not None and not principal.is_token:
        login.logout(db, principal=principal, by=actor_for(request))
    _fresh_session(request)
    return RedirectResponse("/", status_code=303)


@router.get("/akun", name="account_page", response_class=HTMLResponse, include_in_schema=False)
def account_page(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """My account: who I am, my organisation and region, the change-password form."""
    org = db.get(Organisation, principal.organisation_id)
    context = {"account": principal, "organisation": org, "flash": pop_flash(request)}
    return render(request, "accounts/account.html", context)


@router.get("/api/akun", name="api_account", tags=["accounts"])
def api_account(principal: Principal = Depends(require_principal)) -> AccountOut:
    """The caller: user, role, organisation and region scope, and token scopes when using a token."""
    return account_out(principal)


@router.post("/akun/kata-sandi", name="account_change_password", include_in_schema=False)
def account_change_password(
    request: Request,
    current_password: Annotated[str, Form(max_length=1024)],
    new_password: Annotated[str, Form(max_length=1024)],
    new_password_confirm: Annotated[str, Form(max_length=1024)],
    db: Session = Depends(get_db),
) -> Response:
    """Change my password: other sessions end, this one continues with a new CSRF token."""
    principal = session_principal(request)
    try:
        if new_password != new_password_confirm:
            raise InvalidInputError("Konfirmasi kata sandi baru tidak sama.")
        user = services.change_password(
            db,
            user_id=principal.user_id,
            current_password=current_password,
            new_password=new_password,
            by=actor_for(request),
        )
    except AccountsError as exc:
        org = db.get(Organisation, principal.organisation_id)
        context = {"account": principal, "organisation": org, "error": str(exc)}
        return render(request, "accounts/account.html", context, error_status(exc))
    _fresh_session(request, user_id=user.id, version=user.session_version)
    set_flash(request, N_("Kata sandi diganti. Sesi lain sudah diakhiri."))
    return RedirectResponse("/akun", status_code=303)
