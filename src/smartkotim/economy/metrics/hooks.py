"""The post-batch hook of the metrics store and the job kinds that run recomputes in the background.

The ingest calls ``on_batch_recorded`` after a batch is recorded in both the ledger and the state
database (or enqueues the job kind ``economy.metrics.update`` with ``{"days": ["2026-10-05", …]}``);
``days`` are the WIB days whose rollups the batch replaced (its own rows' days and the days of the
transactions its reversals cancel). Only the periods containing those days are recomputed.
``economy.metrics.recompute`` rebuilds all. After a change of the merchant register (new, edited or
merged merchants) ``refresh_register_metrics`` (or the job kind ``economy.metrics.register_changed``)
refreshes the latest periods' denominators without waiting for the next batch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, timedelta
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
from smartkotim.lib.periods import today_wib

# Called after the merchant register changed (committed): ``hook(session, settings)``. The metrics
# feature appends ``refresh_register_metrics``; the registry (or anyone) runs ``run_register_hooks``.
REGISTER_HOOKS: list[Callable[[Session, Settings], None]] = []


def run_register_hooks(session: Session, settings: Settings) -> None:
    """Run every hook of ``REGISTER_HOOKS`` (after a committed register change)."""
    for hook in REGISTER_HOOKS:
        hook(session, settings)


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


def register_refresh_days(today: date) -> set[date]:
    """The days whose periods a register change refreshes: ``today`` (the running day, week, month,
    quarter, year and the relative periods) and the last day of the previous month (the month the
    dashboards show by default, its week and quarter)."""
    return {today, today.replace(day=1) - timedelta(days=1)}


def refresh_register_metrics(session: Session, settings: Settings) -> None:
    """Refresh the figures that depend on the merchant register (traders known, registered, reporting
    expected) after merchants were added, changed or merged, without waiting for the next bank batch.

    Recomputes only the latest periods (``register_refresh_days``: the running and the previous month
    with their weeks, quarters, year and the relative periods) from the rollups, in one transaction
    (readers see old or new figures, never a mix); older periods keep their denominators until the next
    full recompute (``smartkotim metrics recompute``). Cost: one incremental update (no full ledger
    scan). Commits its own transaction; call it after the registry's transaction has committed.
    """
    update_metrics_for_days(
        session, settings, days=register_refresh_days(today_wib()), trigger="register", source=ROLLUPS
    )


REGISTER_HOOKS.append(refresh_register_metrics)


def _register_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    with context.session_factory() as session:
        refresh_register_metrics(session, context.settings)
    return {"refreshed": True}


def _result(result: RecomputeResult | None) -> dict[str, Any]:
    if result is None:
        return {"rows": 0}
    return {"mode": result.mode, "periods": result.periods, "rows": result.rows, "seconds": result.seconds}


def _update_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    days = [date.fromisoformat(d) for d in payload.get("days", [])]
    batch_id = int(payload.get("batch_id", 0))
    with context.session_factory() as session:
        result = _result(on_batch_recorded(session, context.settings, batch_id=batch_id, days=days))
    # the jobs page shows which batches and how many days a refresh was for
    return {"batch_ids": payload.get("batch_ids", [batch_id]), "days": len(days)} | result


def _recompute_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    with context.session_factory() as session:
        return _result(recompute_metrics(session, context.settings, trigger="job"))


register_job_kind("economy.metrics.update", _update_job)
register_job_kind("economy.metrics.recompute", _recompute_job)
register_job_kind("economy.metrics.register_changed", _register_job)
