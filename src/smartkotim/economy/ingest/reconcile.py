"""Two stores, one truth: finishing batches, reconciling the ledger with the state database.

``apply_batch_rollups`` is the second half of every batch (rollups + ``applied`` in one transaction,
idempotent). ``reconcile`` runs before each ingest and when the web app starts: every batch the Delta
log says is committed but the database does not mark applied is applied; batches that were running
when the process died and never reached the log are marked failed and their unreferenced files
deleted; ledger commits whose batch row is missing (a restored database) get a ``recovered`` batch.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from smartkotim.accounts.audit import record_audit
from smartkotim.config import Settings
from smartkotim.db import utcnow
from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.models import BatchSource, BatchStatus, IngestBatch
from smartkotim.economy.ingest.rollups import compute_all_rollups, compute_batch_rollups
from smartkotim.ledger import TRANSACTIONS, committed_batches, connect, list_files, remove_orphans, scan_sql

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReconcileReport:
    """What reconcile did: batch ids applied, failed (interrupted) and recovered."""

    applied: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)


def apply_batch_rollups(
    settings: Settings, session_factory: sessionmaker[Session], batch_id: int, *, refresh: bool = True
) -> list[date]:
    """Recompute the rollups touched by a committed batch and mark it ``applied`` (one transaction).

    Returns the WIB days whose rollups were replaced. With ``refresh`` (default) the metrics of the
    periods containing them are refreshed afterwards (``refresh_metrics``); without it the caller does
    that (inline later, or by queueing the job ``economy.metrics.update``).
    """
    with session_factory() as session:
        batch = session.get_one(IngestBatch, batch_id)
        months = list(batch.months or [])
        # a batch recreated from the Delta log does not know its bank ("?"): group by the acquirer then
        bank = None if batch.source == BatchSource.RECOVERED else batch.acquirer_code
    started, cpu = time.perf_counter(), time.process_time()
    pairs, rows = (
        compute_batch_rollups(settings, batch_id=batch_id, months=months, acquirer_code=bank)
        if months
        else ([], None)
    )
    computed, computed_cpu = time.perf_counter(), time.process_time()
    with session_factory() as session:
        batch = session.get_one(IngestBatch, batch_id)
        queries.replace_rollups(session, pairs, rows, batch_id=batch_id)
        batch.status, batch.progress, batch.finished_at = BatchStatus.APPLIED, 1.0, utcnow()
        timings = dict((batch.details or {}).get("timings", {}))
        timings |= {
            "rollups": round(computed - started, 3),
            "rollups_cpu": round(computed_cpu - cpu, 3),
            "rollups_store": round(time.perf_counter() - computed, 3),
        }
        rollup_rows = 0 if rows is None else rows.num_rows
        batch.details = {**(batch.details or {}), "timings": timings, "rollup_rows": rollup_rows}
        details = {
            "bank": batch.acquirer_code,
            "read": batch.rows_read,
            "accepted": batch.rows_accepted,
            "duplicate": batch.rows_duplicate,
            "rejected": batch.rows_rejected,
            "quarantined": batch.rows_quarantined,
        }
        record_audit(
            session,
            event="economy.batch.ingested",
            actor=None,
            actor_label=batch.actor_label or "system",
            object_type="ingest_batch",
            object_id=batch_id,
            details=details,
        )
        session.commit()
    days = sorted({day for _acquirer, day in pairs})
    if refresh:
        refresh_metrics(settings, session_factory, batch_id, days)
    return days


def refresh_metrics(
    settings: Settings, session_factory: sessionmaker[Session], batch_id: int, days: list[date]
) -> None:
    """Refresh the Smart Economy metrics of the periods containing ``days`` (issue 4 §5).

    The batch is already recorded when this runs, so a failure here is logged, not raised;
    ``smartkotim metrics recompute`` repairs the metrics store.
    """
    from smartkotim.economy.metrics.hooks import on_batch_recorded  # metrics builds on ingest

    try:
        with session_factory() as session:
            on_batch_recorded(session, settings, batch_id=batch_id, days=days)
    except Exception:
        log.exception("metrics refresh after batch %s failed; run 'smartkotim metrics recompute'", batch_id)


def queue_metrics_refresh(session_factory: sessionmaker[Session], batch_id: int, days: list[date]) -> int:
    """Queue the refresh of the metrics of the WIB ``days`` of batch ``batch_id`` (job
    ``economy.metrics.update``); return the job's id.

    Refreshes coalesce: while a refresh job is still queued (not started), the batch's days and id are
    added to it, so uploads in quick succession cost one refresh, not one each. Payload: ``batch_id``
    (the latest), ``batch_ids`` and ``days`` (ISO dates, sorted).
    """
    from sqlalchemy import select, update

    from smartkotim.economy.metrics import hooks  # noqa: F401  (registers the job kinds)
    from smartkotim.jobs import Job, JobStatus, enqueue_job

    kind = "economy.metrics.update"
    wanted = {d.isoformat() for d in days}
    with session_factory() as session:
        queued = session.scalars(
            select(Job)
            .where(Job.kind == kind, Job.status == JobStatus.QUEUED)
            .order_by(Job.id.desc())
            .limit(1)
        ).first()
        if queued is not None:
            payload = dict(queued.payload or {})
            merged = {
                "batch_id": batch_id,
                "batch_ids": [*payload.get("batch_ids", [payload.get("batch_id")]), batch_id],
                "days": sorted(set(payload.get("days", [])) | wanted),
            }
            # only while it is still queued: the worker may have claimed it since it was read
            changed = session.execute(
                update(Job).where(Job.id == queued.id, Job.status == JobStatus.QUEUED).values(payload=merged)
            )
            session.commit()
            if getattr(changed, "rowcount", 0) == 1:
                return queued.id
        job = enqueue_job(
            session,
            kind=kind,
            payload={"batch_id": batch_id, "batch_ids": [batch_id], "days": sorted(wanted)},
        )
        session.commit()
        return job.id


def fail_batch(
    settings: Settings,
    session_factory: sessionmaker[Session],
    batch_id: int,
    message: str,
    *,
    kept: Path | None,
) -> None:
    """Mark a batch failed with ``message``; delete its unpublished files and its partial kept upload."""
    remove_orphans(settings, batch_id)
    if kept is not None:
        kept.unlink(missing_ok=True)
    with session_factory() as session:
        batch = session.get_one(IngestBatch, batch_id)
        batch.status, batch.message, batch.finished_at = BatchStatus.FAILED, message[:2000], utcnow()
        record_audit(
            session,
            event="economy.batch.failed",
            actor=None,
            actor_label=batch.actor_label or "system",
            object_type="ingest_batch",
            object_id=batch_id,
            details={"message": message[:300]},
        )
        session.commit()


def _ledger_facts(settings: Settings, batch_id: int) -> tuple[int, int, list[str]]:
    """``(rows, success value, months)`` of a batch, read back from the ledger."""
    con = connect(settings, memory_limit="512MB")
    try:
        row = con.execute(
            "SELECT count(*), coalesce(sum(amount) FILTER (WHERE status = 'success'), 0), "
            f"list(DISTINCT month ORDER BY month) FROM {scan_sql(list_files(settings, TRANSACTIONS))} "
            f"WHERE batch_id = {int(batch_id)}"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0]), int(row[1]), [str(m) for m in (row[2] or [])]


def _recover_counts(
    settings: Settings, session_factory: sessionmaker[Session], batch_id: int, version: int
) -> None:
    rows, value, months = _ledger_facts(settings, batch_id)
    with session_factory() as session:
        batch = session.get(IngestBatch, batch_id)
        if batch is None:  # the database lost the batch row: recreate it from the log
            batch = IngestBatch(
                id=batch_id,
                acquirer_code="?",
                source=BatchSource.RECOVERED,
                profile_name="?",
                file_name="(dipulihkan dari ledger)",
                file_sha256="",
                file_size=0,
                message="",
                months=[],
                details={},
            )
            session.add(batch)
        batch.rows_accepted, batch.value_accepted, batch.months = rows, value, months
        batch.ledger_version, batch.status, batch.committed_at = version, BatchStatus.COMMITTED, utcnow()
        batch.message = (
            "dipulihkan: tercatat di ledger sebelum proses terhenti; jumlah baris lain tidak diketahui"
        )
        session.commit()


def reconcile_locked(settings: Settings, session_factory: sessionmaker[Session]) -> ReconcileReport:
    """Reconcile (the caller holds the ingest lock); see the module docstring."""
    report = ReconcileReport()
    committed = committed_batches(settings)
    with session_factory() as session:
        pending = [(b.id, b.status) for b in queries.list_unapplied_batches(session)]
        known_ids = queries.list_batch_ids(session)
    for batch_id, status in pending:
        if batch_id in committed:
            if status == BatchStatus.RUNNING:
                _recover_counts(settings, session_factory, batch_id, committed[batch_id])
            apply_batch_rollups(settings, session_factory, batch_id)
            report.applied.append(batch_id)
        else:
            fail_batch(
                settings,
                session_factory,
                batch_id,
                "terputus sebelum tercatat di ledger; unggah ulang",
                kept=None,
            )
            report.failed.append(batch_id)
    for batch_id, version in sorted(committed.items()):
        if batch_id not in known_ids:
            _recover_counts(settings, session_factory, batch_id, version)
            apply_batch_rollups(settings, session_factory, batch_id)
            report.recovered.append(batch_id)
    if report.applied or report.failed or report.recovered:
        log.info(
            "reconcile: applied %s, failed %s, recovered %s", report.applied, report.failed, report.recovered
        )
    return report


def reconcile(settings: Settings, session_factory: sessionmaker[Session]) -> ReconcileReport:
    """Take the ingest lock and reconcile (``serve`` start, ``smartkotim ledger reconcile``)."""
    from smartkotim.economy.ingest.guards import ingest_lock

    with ingest_lock(settings):
        return reconcile_locked(settings, session_factory)


def rebuild_rollups(settings: Settings, session_factory: sessionmaker[Session]) -> int:
    """Recompute every rollup row from the whole ledger (one transaction); return the number of rows."""
    from smartkotim.economy.ingest.guards import ingest_lock

    with ingest_lock(settings):
        rows = compute_all_rollups(settings)
        with session_factory() as session:
            queries.clear_rollups(session)
            queries.replace_rollups(session, [], rows, batch_id=None)
            record_audit(
                session,
                event="economy.rollups.rebuilt",
                actor=None,
                actor_label="system",
                object_type="txn_rollups",
                details={"rows": len(rows)},
            )
            session.commit()
    return int(rows.num_rows)
