"""The one call from the register into the transaction ingest: releasing quarantined rows of new NMIDs.

Transactions of an NMID not yet on the register are quarantined by the ingest; once a merchant with
that NMID is registered, they are ingested. The ingest feature owns that operation; the register only
calls it after its own commit.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Collection

from sqlalchemy.orm import Session

from smartkotim.config import Settings

log = logging.getLogger(__name__)


def release_quarantined(session: Session, *, settings: Settings | None, nmids: Collection[str]) -> int:
    """Ask the ingest to release quarantined transactions of ``nmids``; returns how many rows it released.

    Returns 0 when no NMID is given, when no settings are known (no ledger to write to), or while the
    ingest feature has no release operation yet.
    """
    if not nmids or settings is None:
        return 0
    try:
        services = importlib.import_module("smartkotim.economy.ingest.services")
    except ImportError:
        return 0
    release = getattr(services, "release_quarantine", None)
    if release is None:
        return 0
    result = release(session, settings=settings, nmids=sorted(nmids))
    count = getattr(result, "released", result)
    return int(count) if isinstance(count, int) else 0
