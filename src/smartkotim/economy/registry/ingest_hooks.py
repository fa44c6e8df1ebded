"""What the register asks of other features after it commits a change.

- The ingest releases quarantined rows of new NMIDs: transactions of an NMID not yet on the register
  are quarantined; once a merchant with that NMID is registered, they are ingested.
- The metrics store refreshes the latest periods' denominators (traders, registered merchants): a
  background job ``economy.metrics.register_changed`` is queued, at most one at a time, so a
  registration never waits for a recompute.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.jobs import Job, JobStatus, enqueue_job

log = logging.getLogger(__name__)


def release_quarantined(session: Session, *, settings: Settings | None, nmids: Collection[str]) -> int:
    """Ask the ingest to release quarantined transactions of ``nmids``; returns how many rows it released.

    Returns 0 when no NMID is given or when no settings are known (no ledger to write to).
    """
    if not nmids or settings is None:
        return 0
    from smartkotim.economy.ingest.services import release_quarantine  # ingest builds on the register

    return release_quarantine(session, settings=settings, nmids=sorted(nmids)).released


METRICS_REFRESH_JOB = "economy.metrics.register_changed"


def queue_metrics_refresh(session: Session) -> bool:
    """Queue one refresh of the register-derived metrics unless one is already waiting; commits.

    Returns True when a job was queued.
    """
    import smartkotim.economy.metrics.hooks  # noqa: F401 — registers the job kind (metrics builds on us)

    waiting = session.query(Job.id).filter(Job.kind == METRICS_REFRESH_JOB, Job.status == JobStatus.QUEUED)
    if waiting.first() is not None:
        return False
    enqueue_job(session, kind=METRICS_REFRESH_JOB, payload={})
    session.commit()
    return True


def after_register_change(session: Session, *, settings: Settings | None, nmids: Collection[str]) -> int:
    """Run after a committed register change: release quarantined rows of ``nmids`` and queue the
    metrics refresh. Returns how many quarantined rows were released."""
    released = release_quarantined(session, settings=settings, nmids=nmids)
    queue_metrics_refresh(session)
    return released
