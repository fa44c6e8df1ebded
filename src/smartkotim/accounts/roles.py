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
    """What an API token may do, on top of its user's role."""

    READ = "read"
    INGEST = "ingest"
    ADMIN = "admin"


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
