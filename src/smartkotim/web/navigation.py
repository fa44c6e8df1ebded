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
    # --- economy: registry ---
    NavItem("Pasar", "/ekonomi/pasar", "market_list", "Smart Economy"),
    NavItem("Pedagang", "/ekonomi/pedagang", "merchant_list", "Smart Economy"),
    NavItem("Daftarkan dari QRIS", "/ekonomi/pedagang/qris", "merchant_qris", "Smart Economy"),
    NavItem("Belum terpetakan", "/ekonomi/pedagang/belum-terpetakan", "merchant_unresolved", "Smart Economy"),
    NavItem("Kemungkinan duplikat", "/ekonomi/pedagang/duplikat", "merchant_duplicates", "Smart Economy"),
    # --- economy: ingest ---
    NavItem("Unggah laporan transaksi", "/ekonomi/unggah", "ingest_upload_page", "Smart Economy"),
    NavItem("Batch unggahan", "/ekonomi/batch", "ingest_batch_list", "Smart Economy"),
    NavItem("Rekap pelaporan bank", "/ekonomi/rekap-pelaporan", "ingest_scorecard_page", "Smart Economy"),
    NavItem("Profil laporan bank", "/ekonomi/profil", "ingest_profiles_page", "Smart Economy"),
    # --- economy: metrics ---
    NavItem("Dasbor non-tunai", "/ekonomi", "economy_dashboard", "Smart Economy"),
    NavItem("Peringkat wilayah", "/ekonomi/peringkat", "economy_rankings", "Smart Economy"),
    NavItem("Tampilan pimpinan", "/ekonomi/pimpinan", "economy_leader", "Smart Economy"),
    NavItem("Wilayah", "/wilayah", "region_tree", "Wilayah"),
    NavItem("Batas wilayah", "/wilayah/batas", "boundary_imports", "Wilayah"),
    # --- accounts ---
    NavItem("Akun saya", "/akun", "account_page", "Akun"),
    NavItem("Token API saya", "/akun/token", "own_tokens_page", "Akun"),
    NavItem("Pengguna", "/admin/pengguna", "admin_users_page", "Administrasi"),
    NavItem("Organisasi", "/admin/organisasi", "admin_organisations_page", "Administrasi"),
    NavItem("Semua token API", "/admin/token", "admin_tokens_page", "Administrasi"),
    NavItem("Log audit", "/admin/audit", "admin_audit_page", "Administrasi"),
    # --- web shell: jobs ---
    NavItem("Pekerjaan latar", "/jobs", "job_list", "Akun"),
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
