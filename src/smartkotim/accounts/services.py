"""Account services: resolving sessions and API tokens to principals.

(The accounts feature extends this module with users, organisations, login and tokens.)
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts.models import ApiToken, Organisation, User
from smartkotim.accounts.roles import Principal, Role, TokenScope
from smartkotim.db import utcnow

TOKEN_PREFIX = "skt_"


def _principal(user: User, org: Organisation, token: ApiToken | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        organisation_id=org.id,
        organisation_code=org.code,
        region_code=user.region_code,
        token_id=token.id if token else None,
        token_scopes=frozenset(TokenScope(s) for s in token.scopes) if token else None,
    )


def principal_for_session(session: Session, *, user_id: int, session_version: str) -> Principal | None:
    """The principal of a logged-in session, or ``None`` if the user is gone, disabled or logged out."""
    row = session.execute(
        select(User, Organisation).join(Organisation).where(User.id == user_id, User.is_active.is_(True))
    ).first()
    if row is None or not hmac.compare_digest(row[0].session_version, session_version):
        return None
    return _principal(row[0], row[1])


def hash_token(raw_token: str) -> str:
    """SHA-256 hex of an API token (tokens are 256-bit random, so a fast hash is enough)."""
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def principal_for_token(session: Session, *, raw_token: str) -> Principal | None:
    """The principal of a bearer token, or ``None`` if unknown, revoked, expired or its user disabled.

    Token format: ``skt_<prefix>_<secret>``; looked up by prefix, compared by hash in constant time.
    """
    parts = raw_token.split("_")
    if len(parts) != 3 or f"{parts[0]}_" != TOKEN_PREFIX:
        return None
    row = session.execute(
        select(ApiToken, User, Organisation)
        .join(User, ApiToken.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(ApiToken.token_prefix == parts[1])
    ).first()
    if row is None:
        return None
    token, user, org = row
    now = utcnow()
    if (
        not hmac.compare_digest(token.token_hash, hash_token(raw_token))
        or token.revoked_at is not None
        or token.expires_at <= now
        or not user.is_active
    ):
        return None
    token.last_used_at = now
    session.commit()
    return _principal(user, org, token)
