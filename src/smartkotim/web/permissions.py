"""The one permission table: which roles may call which route, enforced in ``web.auth.authorize``.

Every route of the app must have an entry (a test walks ``app.routes`` and fails on a missing one;
at run time a route without an entry is refused). ``ANONYMOUS`` marks a public route. For requests
made with an API token, ``scope`` is the token scope the route needs in addition to the role.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartkotim.accounts.roles import Role, TokenScope

ANONYMOUS = "anonymous"

EVERYONE = frozenset({ANONYMOUS, *Role})
LOGGED_IN = frozenset(Role)
ADMIN_ONLY = frozenset({Role.ADMIN})
ANALYSTS = frozenset({Role.ADMIN, Role.ANALYST})
READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.LEADER, Role.OPD_OFFICER})
UPLOADERS = frozenset({Role.ADMIN, Role.BANK_PARTNER})


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call one route: roles (and/or ``ANONYMOUS``) and, for API tokens, the needed scope."""

    roles: frozenset[str]
    scope: TokenScope = TokenScope.READ


def _rule(roles: frozenset[str] | frozenset[Role], scope: TokenScope = TokenScope.READ) -> Rule:
    return Rule(frozenset(str(r) for r in roles), scope)


ROUTE_ROLES: dict[str, Rule] = {
    # --- web shell -----------------------------------------------------------------------------
    "home": _rule(EVERYONE),
    "health": _rule(EVERYONE),
    "set_language": _rule(EVERYONE),
    "dimension_page": _rule(EVERYONE),
    "openapi": _rule(EVERYONE),
    "custom_swagger_ui_html": _rule(EVERYONE),
    "swagger_ui_redirect": _rule(EVERYONE),
    "static": _rule(EVERYONE),
    "static-offline-docs": _rule(EVERYONE),
    "plotly_js": _rule(EVERYONE),
    # --- accounts ------------------------------------------------------------------------------
    # --- regions -------------------------------------------------------------------------------
    # --- jobs ----------------------------------------------------------------------------------
    "job_list": _rule(LOGGED_IN),
    "api_job_list": _rule(LOGGED_IN),
    "api_job_detail": _rule(LOGGED_IN),
    # --- economy: registry (markets, merchants) -------------------------------------------------
    # --- economy: ingest (batches, profiles, ledger) -------------------------------------------
}


def is_allowed(route_name: str, role: str | None, token_scopes: frozenset[TokenScope] | None) -> bool:
    """True when ``role`` (``None`` for anonymous) may call ``route_name``.

    A token with the ``admin`` scope satisfies any scope; a route missing from the table is refused.
    """
    rule = ROUTE_ROLES.get(route_name)
    if rule is None:
        return False
    if (role or ANONYMOUS) not in rule.roles:
        return False
    if token_scopes is None or ANONYMOUS in rule.roles:
        return True
    return rule.scope in token_scopes or TokenScope.ADMIN in token_scopes
