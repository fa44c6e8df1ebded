"""Admin routes for users (``/admin/pengguna``) and organisations (``/admin/organisasi``), with JSON twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts import organisations, queries, services
from smartkotim.accounts.errors import AccountsError
from smartkotim.accounts.passwords import generate_password
from smartkotim.accounts.roles import Role
from smartkotim.accounts.schemas import (
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    PasswordResetOut,
    UserCreate,
    UserCreatedOut,
    UserOut,
    UserUpdate,
    user_out,
)
from smartkotim.accounts.view_support import (
    actor_for,
    api_error,
    error_status,
    format_wib,
    pop_flash,
    set_flash,
)
from smartkotim.web.deps import IdPath, get_db, get_settings
from smartkotim.web.i18n import N_
from smartkotim.web.templating import render

router = APIRouter()


def _user_out(db: Session, user_id: int) -> UserOut:
    row = queries.get_user_with_organisation(db, user_id)
    assert row is not None, "the service just found this user"
    return user_out(*row)


def _users_context(request: Request, db: Session, **extra: Any) -> dict[str, Any]:
    regency = get_settings(request).regency_code
    rows = [
        {"user": user_out(u, o), "last_login": format_wib(u.last_login_at)} for u, o in queries.list_users(db)
    ]
    return {
        "rows": rows,
        "roles": list(Role),
        "organisations": [o for o in queries.list_organisations(db) if o.is_active],
        "kecamatan": queries.list_kecamatan(db, regency_code=regency),
        "flash": pop_flash(request),
        "form": {},
        **extra,
    }


@router.get("/admin/pengguna", name="admin_users_page", response_class=HTMLResponse, include_in_schema=False)
def admin_users_page(request: Request, db: Session = Depends(get_db)) -> Response:
    """Users with role, organisation, region and status; forms to create, disable, reset a password."""
    return render(request, "accounts/admin_users.html", _users_context(request, db))


@router.post("/admin/pengguna", name="admin_user_create", include_in_schema=False)
def admin_user_create(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=40)],
    organisation_code: Annotated[str, Form(max_length=60)],
    display_name: Annotated[str, Form(max_length=300)] = "",
    region_code: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    db: Session = Depends(get_db),
) -> Response:
    """Create a user; an empty password is generated and shown on this page once."""
    generated = generate_password() if not password else None
    try:
        user = services.create_user(
            db,
            username=username,
            role=role,
            organisation_code=organisation_code,
            password=password or str(generated),
            display_name=display_name,
            region_code=region_code or None,
            by=actor_for(request),
        )
    except AccountsError as exc:
        form = {
            "username": username,
            "role": role,
            "organisation_code": organisation_code,
            "display_name": display_name,
            "region_code": region_code,
        }
        context = _users_context(request, db, error=str(exc), form=form)
        return render(request, "accounts/admin_users.html", context, error_status(exc))
    shown = {"username": user.username, "password": generated} if generated else None
    context = _users_context(request, db, created=user.username, shown_password=shown)
    return render(request, "accounts/admin_users.html", context, 201)


@router.post("/admin/pengguna/{user_id}/status", name="admin_user_set_active", include_in_schema=False)
def admin_user_set_active(
    request: Request, user_id: IdPath, is_active: Annotated[bool, Form()], db: Session = Depends(get_db)
) -> Response:
    """Enable or disable a user, then back to the list."""
    try:
        user = services.set_user_active(db, user_id=user_id, is_active=is_active, by=actor_for(request))
    except AccountsError as exc:
        context = _users_context(request, db, error=str(exc))
        return render(request, "accounts/admin_users.html", context, error_status(exc))
    text = N_("Pengguna {username} diaktifkan.") if is_active else N_("Pengguna {username} dinonaktifkan.")
    set_flash(request, text, username=user.username)
    return RedirectResponse("/admin/pengguna", status_code=303)


@router.post(
    "/admin/pengguna/{user_id}/reset-sandi", name="admin_user_reset_password", include_in_schema=False
)
def admin_user_reset_password(request: Request, user_id: IdPath, db: Session = Depends(get_db)) -> Response:
    """Give the user a generated password, shown on this page once."""
    try:
        password = services.reset_password(db, user_id=user_id, by=actor_for(request))
    except AccountsError as exc:
        context = _users_context(request, db, error=str(exc))
        return render(request, "accounts/admin_users.html", context, error_status(exc))
    username = _user_out(db, user_id).username
    context = _users_context(request, db, shown_password={"username": username, "password": password})
    return render(request, "accounts/admin_users.html", context)


@router.get("/api/admin/pengguna", name="api_admin_users", tags=["accounts"])
def api_admin_users(db: Session = Depends(get_db)) -> list[UserOut]:
    """All users with role and scope (organisation, region), ordered by username."""
    return [user_out(u, o) for u, o in queries.list_users(db)]


@router.post("/api/admin/pengguna", name="api_admin_user_create", tags=["accounts"], status_code=201)
def api_admin_user_create(
    request: Request, body: UserCreate, db: Session = Depends(get_db)
) -> UserCreatedOut:
    """Create a user (400 invalid, 404 unknown organisation, 409 username taken).

    Without ``password`` one is generated and returned in this response only.
    """
    generated = generate_password() if not body.password else None
    try:
        user = services.create_user(
            db,
            username=body.username,
            role=body.role,
            organisation_code=body.organisation_code,
            password=body.password or str(generated),
            display_name=body.display_name,
            region_code=body.region_code,
            by=actor_for(request),
        )
    except AccountsError as exc:
        raise api_error(exc) from exc
    return UserCreatedOut(user=_user_out(db, user.id), password=generated)


@router.patch("/api/admin/pengguna/{user_id}", name="api_admin_user_update", tags=["accounts"])
def api_admin_user_update(
    request: Request, user_id: IdPath, body: UserUpdate, db: Session = Depends(get_db)
) -> UserOut:
    """Enable or disable a user (404 unknown; 400 for oneself or the last admin)."""
    try:
        user = services.set_user_active(db, user_id=user_id, is_active=body.is_active, by=actor_for(request))
    except AccountsError as exc:
        raise api_error(exc) from exc
    return _user_out(db, user.id)


@router.post(
    "/api/admin/pengguna/{user_id}/reset-sandi", name="api_admin_user_reset_password", tags=["accounts"]
)
def api_admin_user_reset_password(
    request: Request, user_id: IdPath, db: Session = Depends(get_db)
) -> PasswordResetOut:
    """Generate a new password for the user (returned in this response only); their sessions end."""
    try:
        password = services.reset_password(db, user_id=user_id, by=actor_for(request))
    except AccountsError as exc:
        raise api_error(exc) from exc
    return PasswordResetOut(username=_user_out(db, user_id).username, password=password)


def _orgs_context(request: Request, db: Session, **extra: Any) -> dict[str, Any]:
    regency = get_settings(request).regency_code
    return {
        "organisations": queries.list_organisations(db),
        "kecamatan": queries.list_kecamatan(db, regency_code=regency),
        "flash": pop_flash(request),
        "form": {},
        **extra,
    }


@router.get(
    "/admin/organisasi", name="admin_organisations_page", response_class=HTMLResponse, include_in_schema=False
)
def admin_organisations_page(request: Request, db: Session = Depends(get_db)) -> Response:
    """Organisations (OPD and banks) with forms to create, rename and (de)activate."""
    return render(request, "accounts/admin_organisations.html", _orgs_context(request, db))


@router.post("/admin/organisasi", name="admin_organisation_create", include_in_schema=False)
def admin_organisation_create(
    request: Request,
    kind: Annotated[str, Form(max_length=10)],
    code: Annotated[str, Form(max_length=60)],
    name: Annotated[str, Form(max_length=300)],
    region_code: Annotated[str, Form(max_length=20)] = "",
    db: Session = Depends(get_db),
) -> Response:
    """Create an organisation, then back to the list."""
    try:
        org = organisations.create_organisation(
            db, kind=kind, code=code, name=name, region_code=region_code or None, by=actor_for(request)
        )
    except AccountsError as exc:
        form = {"kind": kind, "code": code, "name": name, "region_code": region_code}
        context = _orgs_context(request, db, error=str(exc), form=form)
        return render(request, "accounts/admin_organisations.html", context, error_status(exc))
    set_flash(request, N_("Organisasi {code} dibuat."), code=org.code)
    return RedirectResponse("/admin/organisasi", status_code=303)


@router.post("/admin/organisasi/{org_id}", name="admin_organisation_update", include_in_schema=False)
def admin_organisation_update(
    request: Request,
    org_id: IdPath,
    name: Annotated[str, Form(max_length=300)],
    is_active: Annotated[bool, Form()] = False,
    db: Session = Depends(get_db),
) -> Response:
    """Rename or (de)activate an organisation, then back to the list."""
    try:
        org = organisations.update_organisation(
            db, organisation_id=org_id, name=name, is_active=is_active, by=actor_for(request)
        )
    except AccountsError as exc:
        context = _orgs_context(request, db, error=str(exc))
        return render(request, "accounts/admin_organisations.html", context, error_status(exc))
    set_flash(request, N_("Organisasi {code} disimpan."), code=org.code)
    return RedirectResponse("/admin/organisasi", status_code=303)


@router.get("/api/admin/organisasi", name="api_admin_organisations", tags=["accounts"])
def api_admin_organisations(kind: str | None = None, db: Session = Depends(get_db)) -> list[OrganisationOut]:
    """Organisations; ``kind=opd|bank`` filters."""
    return [OrganisationOut.model_validate(o) for o in queries.list_organisations(db, kind=kind)]


@router.post(
    "/api/admin/organisasi", name="api_admin_organisation_create", tags=["accounts"], status_code=201
)
def api_admin_organisation_create(
    request: Request, body: OrganisationCreate, db: Session = Depends(get_db)
) -> OrganisationOut:
    """Create an organisation (400 invalid, 409 code taken)."""
    try:
        org = organisations.create_organisation(
            db,
            kind=body.kind,
            code=body.code,
            name=body.name,
            region_code=body.region_code,
            by=actor_for(request),
        )
    except AccountsError as exc:
        raise api_error(exc) from exc
    return OrganisationOut.model_validate(org)


@router.patch("/api/admin/organisasi/{org_id}", name="api_admin_organisation_update", tags=["accounts"])
def api_admin_organisation_update(
    request: Request, org_id: IdPath, body: OrganisationUpdate, db: Session = Depends(get_db)
) -> OrganisationOut:
    """Change an organisation's name, region or active flag (404 unknown, 400 invalid)."""
    try:
        org = organisations.update_organisation(
            db,
            organisation_id=org_id,
            name=body.name,
            region_code=body.region_code,
            is_active=body.is_active,
            by=actor_for(request),
        )
    except AccountsError as exc:
        raise api_error(exc) from exc
    return OrganisationOut.model_validate(org)
