"""Roles and the authenticated principal (a logged-in user or an API token acting for one).

Roles follow ``DESIGN.md`` ("Who uses it").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """A user's role; what each may do is in ``smartkotim.web.permissions.ROUTE_ROLES``."""

    ADMIN = "admin"
    ANALYST = "analyst"
    LEADER = "leader"
    OPD_OFFICER = "opd_officer"
    BANK_PARTNER = "bank_partner"
    SURVEYOR = "surveyor"


class TokenScope(StrEnum):
    """What an API token may do, on top of its user's role.

    ``read``: GET routes; ``write``: data-entry writes (markets, merchants, QRIS registration);
    ``ingest``: bank transaction uploads; ``admin``: account management, and satisfies every scope.
    """

    READ = "read"
    WRITE = "write"
    INGEST = "ingest"
    ADMIN = "admin"


# Which roles may hold (mint) a token with each scope: a scope is useless to a role that may not call
# any route needing it, and minting it would only widen what a leaked token can do.
SCOPE_ROLES: dict[TokenScope, frozenset[Role]] = {
    TokenScope.READ: frozenset(Role),
    TokenScope.WRITE: frozenset({Role.ADMIN, Role.ANALYST, Role.OPD_OFFICER, Role.SURVEYOR}),
    TokenScope.INGEST: frozenset({Role.ADMIN, Role.BANK_PARTNER}),
    TokenScope.ADMIN: frozenset({Role.ADMIN}),
}


def scopes_for_role(role: Role | str) -> list[TokenScope]:
    """The token scopes a user with ``role`` may hold, in ``TokenScope`` order (``read`` first)."""
    return [scope for scope in TokenScope if role in SCOPE_ROLES[scope]]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request.

    ``organisation_code`` and ``region_code`` are the user's scope: a ``bank_partner`` sees only the
    data of its own organisation (acquirer), a scoped ``surveyor`` only its kecamatan.
    ``token_scopes`` is ``None`` for a browser session and the token's scopes for a bearer token.
    """

    user_id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int
    organisation_code: str
    region_code: str | None = None
    token_id: int | None = None
    token_scopes: frozenset[TokenScope] | None = field(default=None)

    @property
    def is_token(self) -> bool:
        """True when the request was authenticated with an API token (no cookie, no CSRF)."""
        return self.token_id is not None
