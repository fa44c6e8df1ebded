"""Reads of the market and merchant register."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.economy.registry.models import Merchant, MerchantStatus


def list_known_nmids(session: Session) -> set[str]:
    """The NMIDs of every registered, non-merged merchant (the ingest's "known NMID" check)."""
    rows = session.scalars(
        select(Merchant.nmid).where(Merchant.nmid.is_not(None), Merchant.status != MerchantStatus.MERGED)
    )
    return {nmid for nmid in rows if nmid}
