"""API token services: create (shown once), revoke; only the SHA-256 of a token is stored.

A token reads ``skt_<prefix>_<secret>``: a 12-hex-digit public prefix (the lookup key, shown in
lists) and a 256-bit secret (64 hex digits). Its scopes (``read``, ``write``, ``ingest``, ``admin``)
limit what it may do on top of its user's role; which role may hold which scope is
``accounts.roles.SCOPE_ROLES`` (``admin`` only for admins, ``ingest`` for admins and bank partners,
``write`` for the data-entry roles).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import Actor
from smartkotim.accounts.errors import InvalidInputError, NotFoundError
from smartkotim.accounts.models import ApiToken, User
from smartkotim.accounts.roles import TokenScope, scopes_for_role
from smartkotim.accounts.services import TOKEN_PREFIX, hash_token
from smartkotim.db import utcnow

MAX_TOKEN_DAYS = 730


def _clean_scopes(scopes: list[str], user: User) -> list[str]:
    known = ", ".join(TokenScope)
    unknown = [s for s in scopes if s not in set(TokenScope)]
    if unknown:
        raise InvalidInputError(f"Cakupan token tidak dikenal: {', '.join(unknown)} (pakai {known}).")
    clean = sorted({TokenScope(s) for s in scopes})
    if not clean:
        raise InvalidInputError(f"Pilih minimal satu cakupan token ({known}).")
    allowed = scopes_for_role(user.role)
    refused = [str(s) for s in clean if s not in allowed]
    if refused:
        raise InvalidInputError(
            f"Cakupan {', '.join(refused)} tidak boleh untuk peran {user.role} (boleh: {', '.join(allowed)})."
        )
    return [str(s) for s in clean]


def _clean_request(name: str, days: int) -> str:
    clean_name = " ".join(name.split())
    if not clean_name or len(clean_name) > 120:
        raise InvalidInputError("Nama token wajib diisi (maksimal 120 karakter).")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInputError(f"Masa berlaku token {days} hari di luar batas 1–{MAX_TOKEN_DAYS} hari.")
    return clean_name


def create_token(
    session: Session, *, user_id: int, name: str, scopes: list[str], days: int, by: Actor
) -> tuple[ApiToken, str]:
    """Create a token for user ``user_id`` valid for ``days`` days; return ``(row, raw token)``.

    The raw token is returned once and never stored. Audit ``accounts.token.created``.

    Raises:
        NotFoundError: no such (active) user.
        InvalidInputError: empty name, unknown/empty scopes, a scope the user's role may not hold
            (``SCOPE_ROLES``), days out of 1–730.
    """
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFoundError(f"Pengguna {user_id} tidak ada atau tidak aktif.")
    clean_name = _clean_request(name, days)
    clean_scopes = _clean_scopes(scopes, user)
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_hex(32)}"
    token = ApiToken(
        user_id=user.id,
        name=clean_name,
        token_prefix=prefix,
        token_hash=hash_token(raw),
        scopes=clean_scopes,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    by.audit(
        session,
        "accounts.token.created",
        object_type="api_token",
        object_id=token.id,
        details={
            "user": user.username,
            "scopes": clean_scopes,
            "prefix": prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    session.commit()
    return token, raw


def revoke_token(session: Session, *, token_id: int, by: Actor, owner_user_id: int | None = None) -> ApiToken:
    """Revoke a token at once (idempotent); ``owner_user_id`` restricts to that user's tokens.

    Audit ``accounts.token.revoked`` (first revocation only).

    Raises:
        NotFoundError: no such token (or not the owner's).
    """
    token = session.get(ApiToken, token_id)
    if token is None or (owner_user_id is not None and token.user_id != owner_user_id):
        raise NotFoundError(f"Token {token_id} tidak ditemukan.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        by.audit(
            session,
            "accounts.token.revoked",
            object_type="api_token",
            object_id=token.id,
            details={"prefix": token.token_prefix},
        )
        session.commit()
    return token
