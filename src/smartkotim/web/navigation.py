"""The navigation: the six smart-city dimensions, the Smart Economy sections and admin pages.

Each entry names a route; an entry is shown only when the permission table lets the principal open it.
Features add their entries to ``NAV``.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartkotim.accounts.roles import Principal
from smartkotim.web.permissions import is_allowed


@dataclass(frozen=True, slots=True)
class NavItem:
    """A link: Indonesian label (translated in the template), URL, the route that decides visibility."""

    label: str
    url: str
    route: str
    group: str


NAV: list[NavItem] = [
    NavItem("Beranda", "/", "home", "Beranda"),
    NavItem("Smart Governance", "/dimensi/governance", "dimension_page", "Dimensi"),
    NavItem("Smart Economy", "/dimensi/economy", "dimension_page", "Dimensi"),
    NavItem("Smart Environment", "/dimensi/environment", "dimension_page", "Dimensi"),
    NavItem("Smart Living", "/dimensi/living", "dimension_page", "Dimensi"),
    NavItem("Smart People", "/dimensi/people", "dimension_page", "Dimensi"),
    NavItem("Smart Branding", "/dimensi/branding", "dimension_page", "Dimensi"),
]


def navigation(principal: Principal | None) -> list[tuple[str, list[NavItem]]]:
    """The entries the principal may open, grouped in display order."""
    role = str(principal.role) if principal else None
    scopes = principal.token_scopes if principal else None
    groups: dict[str, list[NavItem]] = {}
    for item in NAV:
        if is_allowed(item.route, role, scopes):
            groups.setdefault(item.group, []).append(item)
    return list(groups.items())
