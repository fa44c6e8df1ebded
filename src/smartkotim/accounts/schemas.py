"""Pydantic shapes of the accounts API (``XCreate`` in, ``XOut`` out). Times are UTC ISO 8601."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from smartkotim.accounts.models import ApiToken, Organisation, User
from smartkotim.accounts.queries import AuditPage
from smartkotim.accounts.roles import Principal
from smartkotim.db import utcnow


class OrganisationCreate(BaseModel):
    """A new organisation: ``kind`` ``opd`` or ``bank``; a bank's ``code`` is its acquirer code."""

    kind: str = Field(examples=["bank"])
    code: str = Field(examples=["BPD-KALTENG"])
    name: str = Field(examples=["PT Bank Pembangunan Daerah Kalimantan Tengah (Bank Kalteng)"])
    region_code: str | None = Field(default=None, examples=["62.02.05"])


class OrganisationUpdate(BaseModel):
    """Fields to change; omitted fields stay; ``region_code: ""`` clears the region."""

    name: str | None = None
    region_code: str | None = None
    is_active: bool | None = None


class OrganisationOut(BaseModel):
    """An organisation (OPD or bank)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    region_code: str | None
    is_active: bool
    created_at: datetime


class UserCreate(BaseModel):
    """A new user; without ``password`` one is generated and returned once."""

    username: str = Field(examples=["bank.bri"])
    role: str = Field(examples=["bank_partner"])
    organisation_code: str = Field(examples=["BRI"])
    display_name: str | None = None
    region_code: str | None = Field(default=None, examples=["62.02.05"])
    password: str | None = Field(default=None, description="At least 10 characters; omit to generate one.")


class UserUpdate(BaseModel):
    """Enable or disable a user."""

    is_active: bool


class UserOut(BaseModel):
    """A user and their scope (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    organisation_code: str
    region_code: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserCreatedOut(BaseModel):
    """The created user; ``password`` is set (once) only when it was generated."""

    user: UserOut
    password: str | None


class PasswordResetOut(BaseModel):
    """A generated password, shown once."""

    username: str
    password: str


class AccountOut(BaseModel):
    """The caller: who, role, scope, and whether the request used an API token (and its scopes)."""

    user_id: int
    username: str
    display_name: str
    role: str
    organisation_code: str
    region_code: str | None
    token_scopes: list[str] | None


class TokenStatus(StrEnum):
    """Whether a token still works."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TokenCreate(BaseModel):
    """A new API token for oneself; ``days`` defaults to the ``api_token_default_days`` setting."""

    name: str = Field(examples=["Unggah laporan harian"])
    scopes: list[str] = Field(examples=[["ingest"]])
    days: int | None = Field(default=None, ge=1, le=730)


class AdminTokenCreate(TokenCreate):
    """A new API token for user ``username`` (admin)."""

    username: str


class TokenOut(BaseModel):
    """An API token without its secret: ``prefix`` identifies it (``skt_<prefix>_…``)."""

    id: int
    name: str
    username: str
    prefix: str
    scopes: list[str]
    status: TokenStatus
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(BaseModel):
    """The token itself (shown this once only; store it now) and its record."""

    token: str
    record: TokenOut


class AuditEntryOut(BaseModel):
    """One audit entry: ``event`` dotted key, ``actor`` username or label, ``at`` UTC."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_label: str
    actor_user_id: int | None
    event: str
    object_type: str | None
    object_id: str | None
    client_address: str | None
    details: dict[str, Any]


class AuditPageOut(BaseModel):
    """A page of the audit log, newest first."""

    entries: list[AuditEntryOut]
    total: int
    page: int
    per_page: int
    pages: int


def user_out(user: User, org: Organisation) -> UserOut:
    """``UserOut`` of a user row and its organisation."""
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        organisation_code=org.code,
        region_code=user.region_code,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def token_status(token: ApiToken) -> TokenStatus:
    """``revoked``, ``expired`` or ``active`` (now)."""
    if token.revoked_at is not None:
        return TokenStatus.REVOKED
    return TokenStatus.EXPIRED if token.expires_at <= utcnow() else TokenStatus.ACTIVE


def token_out(token: ApiToken, username: str) -> TokenOut:
    """``TokenOut`` of a token row (its user's ``username`` given)."""
    return TokenOut(
        id=token.id,
        name=token.name,
        username=username,
        prefix=token.token_prefix,
        scopes=list(token.scopes),
        status=token_status(token),
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


def account_out(principal: Principal) -> AccountOut:
    """``AccountOut`` of the caller."""
    return AccountOut(
        user_id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=str(principal.role),
        organisation_code=principal.organisation_code,
        region_code=principal.region_code,
        token_scopes=sorted(str(s) for s in principal.token_scopes) if principal.token_scopes else None,
    )


def audit_page_out(page: AuditPage) -> AuditPageOut:
    """``AuditPageOut`` of a query page."""
    return AuditPageOut(
        entries=[AuditEntryOut.model_validate(e) for e in page.entries],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        pages=page.pages,
    )
