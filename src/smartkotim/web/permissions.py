"""The one permission table: which roles may call which route, enforced in ``web.auth.authorize``.

Every route of the app must have an entry (a test walks ``app.routes`` and fails on a missing one;
at run time a route without an entry is refused). ``ANONYMOUS`` marks a public route. For requests
made with an API token, ``scope`` is the token scope the route needs in addition to the role:
``read`` for reads, ``write`` for data-entry writes (markets, merchants), ``ingest`` for bank uploads,
``admin`` for account management (and a token with ``admin`` scope satisfies every scope).
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
MERCHANT_READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.OPD_OFFICER, Role.BANK_PARTNER, Role.SURVEYOR})
MERCHANT_EDITORS = frozenset({Role.ADMIN, Role.OPD_OFFICER, Role.SURVEYOR})


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
    # Forms and token management need the ``admin`` scope when called with a token, so a leaked read
    # or ingest token can neither mint tokens nor change accounts.
    "login_page": _rule(EVERYONE),
    "login_submit": _rule(EVERYONE),
    "logout": _rule(EVERYONE),
    "account_page": _rule(LOGGED_IN),
    "api_account": _rule(LOGGED_IN),
    "account_change_password": _rule(LOGGED_IN, TokenScope.ADMIN),
    "own_tokens_page": _rule(LOGGED_IN),
    "own_token_create": _rule(LOGGED_IN, TokenScope.ADMIN),
    "own_token_revoke": _rule(LOGGED_IN, TokenScope.ADMIN),
    "api_own_tokens": _rule(LOGGED_IN),
    "api_own_token_create": _rule(LOGGED_IN, TokenScope.ADMIN),
    "api_own_token_revoke": _rule(LOGGED_IN, TokenScope.ADMIN),
    "admin_users_page": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_user_create": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_user_set_active": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_user_reset_password": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_users": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_user_create": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_user_update": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_user_reset_password": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_organisations_page": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_organisation_create": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_organisation_update": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_organisations": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_organisation_create": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_organisation_update": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_tokens_page": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_token_create": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_token_revoke": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_tokens": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_token_create": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_token_revoke": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "admin_audit_page": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_admin_audit": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    # --- regions -------------------------------------------------------------------------------
    "region_tree": _rule(LOGGED_IN),
    "api_region_tree": _rule(LOGGED_IN),
    "region_page": _rule(LOGGED_IN),
    "api_region": _rule(LOGGED_IN),
    "api_region_map": _rule(LOGGED_IN),
    "api_region_lookup": _rule(LOGGED_IN),
    "api_boundaries_geojson": _rule(LOGGED_IN),
    "boundary_imports": _rule(ANALYSTS),
    "boundary_import": _rule(ANALYSTS),
    "api_boundary_imports": _rule(ANALYSTS),
    "api_boundary_import": _rule(ANALYSTS),
    # --- jobs ----------------------------------------------------------------------------------
    "job_list": _rule(LOGGED_IN),
    "api_job_list": _rule(LOGGED_IN),
    "api_job_detail": _rule(LOGGED_IN),
    # --- economy: registry (markets, merchants) -------------------------------------------------
    # Markets are not personal data: every logged-in role reads them. Merchant records are (UU 27/2022):
    # leaders see aggregates only; banks and scoped surveyors are narrowed to their records by the service.
    # Writes with a token need the ``write`` scope (data entry; see accounts.roles.SCOPE_ROLES); the
    # services also check the office (DKUKMPP).
    "market_list": _rule(LOGGED_IN),
    "api_market_list": _rule(LOGGED_IN),
    "market_detail": _rule(LOGGED_IN),
    "api_market_detail": _rule(LOGGED_IN),
    "market_new": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "market_create": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "market_edit": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "market_update": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "api_market_create": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "api_market_update": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "api_market_import": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "market_import_page": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "market_import_submit": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "market_import_template": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "merchant_list": _rule(MERCHANT_READERS),
    "api_merchant_list": _rule(MERCHANT_READERS),
    "merchant_detail": _rule(MERCHANT_READERS),
    "api_merchant_detail": _rule(MERCHANT_READERS),
    "merchant_unresolved": _rule(MERCHANT_READERS),
    "api_merchant_unresolved": _rule(MERCHANT_READERS),
    "merchant_duplicates": _rule(MERCHANT_READERS),
    "api_merchant_duplicates": _rule(MERCHANT_READERS),
    "merchant_new": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "merchant_create": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "merchant_qris": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "merchant_qris_read": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "api_qris_parse": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "api_merchant_create": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "api_merchant_from_qris": _rule(MERCHANT_EDITORS, TokenScope.WRITE),
    "api_merchant_import": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "merchant_import_page": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "merchant_import_submit": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "merchant_import_template": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "merchant_merge": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    "api_merchant_merge": _rule(frozenset({Role.ADMIN, Role.OPD_OFFICER}), TokenScope.WRITE),
    # --- economy: ingest (batches, profiles, ledger) -------------------------------------------
    # Batches are read by admins, analysts and bank partners (scoped to their own bank in the query).
    "ingest_upload_page": _rule(UPLOADERS),
    "ingest_upload_submit": _rule(UPLOADERS, TokenScope.INGEST),
    "api_ingest_upload": _rule(UPLOADERS, TokenScope.INGEST),
    "ingest_batch_list": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "api_ingest_batches": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "ingest_batch_detail": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "api_ingest_batch": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "ingest_batch_errors_csv": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "api_ingest_batch_errors": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "ingest_batch_reprocess": _rule(UPLOADERS, TokenScope.INGEST),
    "api_ingest_batch_reprocess": _rule(UPLOADERS, TokenScope.INGEST),
    "ingest_profiles_page": _rule(ADMIN_ONLY),
    "ingest_profile_submit": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_ingest_profiles": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.BANK_PARTNER})),
    "api_ingest_profile_save": _rule(ADMIN_ONLY, TokenScope.ADMIN),
    "api_ingest_profile_preview": _rule(UPLOADERS, TokenScope.INGEST),
    "ingest_scorecard_page": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.LEADER, Role.BANK_PARTNER})),
    "api_ingest_scorecard": _rule(frozenset({Role.ADMIN, Role.ANALYST, Role.LEADER, Role.BANK_PARTNER})),
    # --- economy: metrics (dashboard, map, rankings, leader view, exports) ---------------------
    "economy_dashboard": _rule(READERS),
    "economy_rankings": _rule(READERS),
    "economy_leader": _rule(READERS),
    "economy_area": _rule(READERS),
    "api_economy_metrics": _rule(READERS),
    "api_economy_metrics_csv": _rule(READERS),
    "api_economy_metrics_xlsx": _rule(READERS),
    "api_economy_summary": _rule(READERS),
    "api_economy_map": _rule(READERS),
    "api_economy_map_geojson": _rule(READERS),
    "api_economy_area": _rule(READERS),
    "api_economy_area_csv": _rule(READERS),
    "api_economy_area_xlsx": _rule(READERS),
    "api_economy_area_history": _rule(READERS),
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


def missing_scope(
    route_name: str, role: str | None, token_scopes: frozenset[TokenScope] | None
) -> str | None:
    """The scope a token lacks for ``route_name`` when its role is allowed there (the refusal is then the
    token's, not the role's); ``None`` otherwise."""
    rule = ROUTE_ROLES.get(route_name)
    if rule is None or token_scopes is None or (role or ANONYMOUS) not in rule.roles:
        return None
    if rule.scope in token_scopes or TokenScope.ADMIN in token_scopes:
        return None
    return str(rule.scope)
