"""Turning register records into their ``*Out`` shapes (names of desa and markets looked up in bulk)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from smartkotim.economy.registry import queries
from smartkotim.economy.registry.models import Market, Merchant
from smartkotim.economy.registry.schemas import MarketOut, MerchantOut


def markets_out(
    session: Session, markets: Sequence[Market], counts: dict[int, tuple[int, int]] | None = None
) -> list[MarketOut]:
    """``MarketOut`` for each market; ``counts`` is ``{market_id: (merchants, cashless)}``."""
    names = queries.list_region_names(session, [m.desa_code for m in markets if m.desa_code])
    counts = counts or {}
    return [
        MarketOut(
            code=m.code,
            name=m.name,
            kind=m.kind,
            kios_count=m.kios_count,
            los_count=m.los_count,
            managing_office=m.managing_office,
            desa_code=m.desa_code,
            desa_name=names.get(m.desa_code or ""),
            lat=m.lat,
            lon=m.lon,
            market_days=m.market_days,
            opening_hours=m.opening_hours,
            merchants=counts.get(m.id, (0, 0))[0],
            cashless=counts.get(m.id, (0, 0))[1],
            is_synthetic=m.is_synthetic,
        )
        for m in markets
    ]


def merchants_out(session: Session, merchants: Sequence[Merchant]) -> list[MerchantOut]:
    """``MerchantOut`` for each merchant, with its market's code and name and its desa's name."""
    names = queries.list_region_names(session, [m.desa_code for m in merchants if m.desa_code])
    markets = {m.id: m for m in queries.list_markets(session)} if merchants else {}
    out = []
    for m in merchants:
        market = markets.get(m.market_id) if m.market_id is not None else None
        out.append(
            MerchantOut(
                id=m.id,
                nmid=m.nmid,
                name=m.name,
                criteria=m.criteria,
                category=m.category,
                market_code=market.code if market else None,
                market_name=market.name if market else None,
                stall=m.stall,
                desa_code=m.desa_code,
                desa_name=names.get(m.desa_code or ""),
                desa_resolution=m.desa_resolution,
                lat=m.lat,
                lon=m.lon,
                postal_code=m.postal_code,
                address=m.address,
                acquirer_code=m.acquirer_code,
                onboarded_on=m.onboarded_on,
                accepts_cashless=m.accepts_cashless,
                status=m.status,
                merged_into_id=m.merged_into_id,
                source=m.source,
                is_synthetic=m.is_synthetic,
            )
        )
    return out
