"""The post-batch hook of the metrics store and the job kinds that run recomputes in the background.

The ingest calls ``on_batch_recorded`` after a batch is recorded in both the ledger and the state
database (or enqueues the job kind ``economy.metrics.update`` with ``{"days": ["2026-10-05", …]}``);
``days`` are the WIB days whose rollups the batch replaced (its own rows' days and the days of the
transactions its reversals cancel). Only the periods containing those days are recomputed.
``economy.metrics.recompute`` rebuilds all.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics.services import (
    ROLLUPS,
    RecomputeResult,
    recompute_metrics,
    update_metrics_for_days,
)
from smartkotim.jobs import JobContext, register_job_kind


def on_batch_recorded(
    session: Session,
    settings: Settings,
    *,
    batch_id: int,
    days: Collection[date],
    source: str = ROLLUPS,
    as_of: date | None = None,
) -> RecomputeResult | None:
    """Refresh the metrics of the periods containing ``days`` after batch ``batch_id`` (no days: nothing);
    ``source`` ``rollups`` (default) or a ``sources.TXN_SOURCES`` key; ``as_of`` anchors the relative
    periods (default today, WIB). Commits its own transaction."""
    if not days:
        return None
    return update_metrics_for_days(
        session, settings, days=days, trigger=f"batch {batch_id}", source=source, as_of=as_of
    )


def _result(result: RecomputeResult | None) -> dict[str, Any]:
    if result is None:
        return {"rows": 0}
    return {"mode": result.mode, "periods": result.periods, "rows": result.rows, "seconds": result.seconds}


def _update_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    days = [date.fromisoformat(d) for d in payload.get("days", [])]
    with context.session_factory() as session:
        return _result(
            on_batch_recorded(session, context.settings, batch_id=int(payload.get("batch_id", 0)), days=days)
        )


def _recompute_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    with context.session_factory() as session:
        return _result(recompute_metrics(session, context.settings, trigger="job"))


register_job_kind("economy.metrics.update", _update_job)
register_job_kind("economy.metrics.recompute", _recompute_job)
