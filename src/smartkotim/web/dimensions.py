"""The six dimensions of the Gerakan Menuju Smart City framework (Kominfo), three elements each.

A dimension page lists the platform's pages for it; ``visible_links`` keeps only those the visitor may
open, deciding by the route that serves each URL and the permission table (as the navigation does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, compile_path

from smartkotim.accounts.roles import Principal
from smartkotim.web.permissions import is_allowed


@dataclass(frozen=True, slots=True)
class Dimension:
    """A dimension with its Indonesian name, elements and the platform's pages for it (label, URL)."""

    name: str
    summary: str
    elements: tuple[str, str, str]
    links: tuple[tuple[str, str], ...] = ()


DIMENSIONS: dict[str, Dimension] = {
    "governance": Dimension(
        "Smart Governance",
        "Tata kelola pemerintahan",
        ("Pelayanan publik", "Manajemen birokrasi", "Kebijakan publik"),
    ),
    "economy": Dimension(
        "Smart Economy",
        "Ekosistem transaksi non-tunai di pasar: prioritas pertama masterplan Kotim",
        ("Ekosistem industri", "Kesejahteraan rakyat", "Ekosistem transaksi keuangan"),
        (
            ("Wilayah", "/wilayah"),
            # economy: metrics
            ("Dasbor non-tunai", "/ekonomi"),
            ("Peringkat wilayah", "/ekonomi/peringkat"),
            ("Tampilan pimpinan", "/ekonomi/pimpinan"),
        ),
    ),
    "environment": Dimension(
        "Smart Environment",
        "Lingkungan hidup",
        ("Proteksi lingkungan", "Pengelolaan sampah", "Pengelolaan energi"),
    ),
    "living": Dimension(
        "Smart Living",
        "Kualitas hidup",
        ("Harmonisasi tata ruang", "Kesehatan", "Sarana transportasi"),
    ),
    "people": Dimension(
        "Smart People",
        "Masyarakat",
        ("Ekosistem komunitas", "Ekosistem belajar", "Keamanan"),
    ),
    "branding": Dimension(
        "Smart Branding",
        "Citra daerah",
        ("Ekosistem pariwisata", "Ekosistem bisnis", "Wajah kota"),
    ),
}


def route_name_for(routes: Sequence[BaseRoute], url: str) -> str | None:
    """The name of the first route that serves ``GET url`` (a local path), or ``None`` when none does.

    Walks included routers too (``fastapi.routing.iter_route_contexts``); mounts are not followed.
    """
    path = url.split("?", 1)[0]
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, Mount) or not context.path:
            continue
        regex, _format, _convertors = compile_path(str(context.path))
        if regex.match(path) and "GET" in (context.methods or {"GET"}):
            return str(context.name or "") or None
    return None


def visible_links(
    dimension: Dimension, routes: Sequence[BaseRoute], principal: Principal | None
) -> list[tuple[str, str]]:
    """``dimension.links`` the principal may open: ``[(label, url)]``; a link no route serves is dropped."""
    role = str(principal.role) if principal else None
    scopes = principal.token_scopes if principal else None
    visible: list[tuple[str, str]] = []
    for label, url in dimension.links:
        name = route_name_for(routes, url)
        if name is not None and is_allowed(name, role, scopes):
            visible.append((label, url))
    return visible
