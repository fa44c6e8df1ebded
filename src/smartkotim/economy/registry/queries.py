"""Reads of the market and merchant register (and the few region and organisation reads it needs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from smartkotim.accounts.models import Organisation, OrganisationKind
from smartkotim.economy.registry.models import DesaResolution, Market, Merchant, MerchantStatus
from smartkotim.regions.models import Region, RegionLevel


@dataclass(frozen=True, slots=True)
class MerchantScope:
    """Which merchants a reader may see: all (both ``None``), one acquirer's, or one region's."""

    acquirer_code: str | None = None
    region_code: str | None = None  # a kecamatan or desa code; merchants whose desa lies within it

    def apply(self, query: Select[Merchant]) -> Select[Merchant]:
        """``query`` restricted to the scope."""
        if self.acquirer_code is not None:
            query = query.where(Merchant.acquirer_code == self.acquirer_code)
        if self.region_code is not None:
            query = query.where(
                or_(Merchant.desa_code == self.region_code, Merchant.desa_code.like(f"{self.region_code}.%"))
            )
        return query


@dataclass(frozen=True, slots=True)
class MerchantFilter:
    """Optional filters of the merchant list."""

    market_id: int | None = None
    desa_prefix: str | None = None
    status: str | None = None
    resolution: str | None = None
    text: str | None = None
    accepts_cashless: bool | None = None


def escape_like(text: str) -> str:
    """``text`` with the LIKE wildcards ``%`` and ``_`` (and the escape ``\\``) escaped by ``\\``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_known_nmids(session: Session) -> set[str]:
    """The NMIDs of every registered, non-merged merchant (the ingest's "known NMID" check)."""
    rows = session.scalars(
        select(Merchant.nmid).where(Merchant.nmid.is_not(None), Merchant.status != MerchantStatus.MERGED)
    )
    return {nmid for nmid in rows if nmid}


def list_desa_codes(session: Session, *, regency_code: str) -> frozenset[str]:
    """Codes of every desa/kelurahan of the regency in the register."""
    rows = session.scalars(
        select(Region.code).where(Region.level == RegionLevel.DESA, Region.code.like(f"{regency_code}.%"))
    )
    return frozenset(rows)


def get_region_name(session: Session, code: str) -> str | None:
    """The register name of region ``code`` (``None`` when unknown)."""
    return session.scalar(select(Region.name).where(Region.code == code))


def list_region_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """``{code: name}`` for the given region codes that exist."""
    if not codes:
        return {}
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(set(codes))))
    return dict(rows.all())


def list_bank_codes(session: Session) -> frozenset[str]:
    """Codes of the organisations of kind ``bank`` (acquirers)."""
    return frozenset(
        session.scalars(select(Organisation.code).where(Organisation.kind == OrganisationKind.BANK))
    )


def get_market_by_code(session: Session, code: str) -> Market | None:
    """The market with ``code`` (exact, upper case)."""
    return session.scalar(select(Market).where(Market.code == code))


def list_markets(session: Session, *, region_code: str | None = None) -> list[Market]:
    """Every market by code; with ``region_code`` (a kecamatan or desa) only the markets whose desa lies
    within it (a scoped surveyor's choice of markets)."""
    query = select(Market).order_by(Market.code)
    if region_code is not None:
        query = query.where(or_(Market.desa_code == region_code, Market.desa_code.like(f"{region_code}.%")))
    return list(session.scalars(query))


def count_merchants_by_market(session: Session, scope: MerchantScope) -> dict[int, tuple[int, int]]:
    """``{market_id: (merchants, of which accepting cashless)}`` of non-merged merchants in ``scope``."""
    query = scope.apply(select(Merchant)).where(
        Merchant.market_id.is_not(None), Merchant.status != MerchantStatus.MERGED
    )
    sub = query.subquery()
    rows = session.execute(
        select(
            sub.c.market_id, func.count(), func.sum(case((sub.c.accepts_cashless.is_(True), 1), else_=0))
        ).group_by(sub.c.market_id)
    )
    return {int(m): (int(n), int(c or 0)) for m, n, c in rows}


def list_merchants(
    session: Session, scope: MerchantScope, filters: MerchantFilter, *, limit: int = 500, offset: int = 0
) -> tuple[list[Merchant], int]:
    """One page of merchants in ``scope`` matching ``filters`` (by name) and the total count."""
    query = scope.apply(select(Merchant))
    if filters.market_id is not None:
        query = query.where(Merchant.market_id == filters.market_id)
    if filters.desa_prefix:
        query = query.where(
            or_(
                Merchant.desa_code == filters.desa_prefix, Merchant.desa_code.like(f"{filters.desa_prefix}.%")
            )
        )
    if filters.status:
        query = query.where(Merchant.status == filters.status)
    if filters.resolution:
        query = query.where(Merchant.desa_resolution == filters.resolution)
    if filters.accepts_cashless is not None:
        query = query.where(Merchant.accepts_cashless.is_(filters.accepts_cashless))
    if filters.text:
        like = f"%{escape_like(filters.text.lower())}%"
        query = query.where(
            or_(Merchant.name_normalised.like(like, escape="\\"), Merchant.nmid == filters.text.upper())
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Merchant.name, Merchant.id).limit(limit).offset(offset))
    return list(rows), int(total)


def list_unresolved_merchants(session: Session, scope: MerchantScope) -> list[Merchant]:
    """Non-merged merchants whose desa could not be found (listed for review, never dropped)."""
    query = scope.apply(select(Merchant)).where(
        Merchant.desa_resolution == DesaResolution.UNRESOLVED, Merchant.status != MerchantStatus.MERGED
    )
    return list(session.scalars(query.order_by(Merchant.id)))


def get_merchant(session: Session, merchant_id: int, scope: MerchantScope) -> Merchant | None:
    """The merchant with ``merchant_id`` if it lies in ``scope``."""
    return session.scalar(scope.apply(select(Merchant)).where(Merchant.id == merchant_id))


def get_merchant_by_nmid(session: Session, nmid: str) -> Merchant | None:
    """The merchant that holds ``nmid`` (merged records give theirs to the survivor)."""
    return session.scalar(select(Merchant).where(Merchant.nmid == nmid))


def list_all_merchants(session: Session) -> list[Merchant]:
    """Every merchant record (for imports that match rows to existing records)."""
    return list(session.scalars(select(Merchant).order_by(Merchant.id)))


def list_name_groups_in_markets(session: Session, scope: MerchantScope) -> list[Merchant]:
    """Non-merged merchants in a market, with a point, whose (market, normalised name) occurs twice+."""
    base = select(Merchant).where(
        Merchant.market_id.is_not(None),
        Merchant.status != MerchantStatus.MERGED,
        Merchant.lat.is_not(None),
        Merchant.lon.is_not(None),
    )
    groups = (
        select(Merchant.market_id, Merchant.name_normalised)
        .where(
            Merchant.market_id.is_not(None),
            Merchant.status != MerchantStatus.MERGED,
            Merchant.lat.is_not(None),
        )
        .group_by(Merchant.market_id, Merchant.name_normalised)
        .having(func.count() > 1)
        .subquery()
    )
    query = scope.apply(base).join(
        groups,
        (groups.c.market_id == Merchant.market_id) & (groups.c.name_normalised == Merchant.name_normalised),
    )
    return list(session.scalars(query.order_by(Merchant.market_id, Merchant.name_normalised, Merchant.id)))


def list_merchants_named_in_market(
    session: Session, *, market_id: int, name_normalised: str
) -> list[Merchant]:
    """Non-merged merchants of one market with one normalised name."""
    query = select(Merchant).where(
        Merchant.market_id == market_id,
        Merchant.name_normalised == name_normalised,
        Merchant.status != MerchantStatus.MERGED,
    )
    return list(session.scalars(query.order_by(Merchant.id)))


def get_organisation_id(session: Session, code: str) -> int | None:
    """The id of the organisation with ``code`` (any kind), ``None`` when unknown."""
    return session.scalar(select(Organisation.id).where(Organisation.code == code))


def has_synthetic_data(session: Session) -> bool:
    """True when any market or merchant is flagged ``is_synthetic`` (demo data is loaded)."""
    market = session.scalar(select(Market.id).where(Market.is_synthetic.is_(True)).limit(1))
    if market is not None:
        return True
    return session.scalar(select(Merchant.id).where(Merchant.is_synthetic.is_(True)).limit(1)) is not None
