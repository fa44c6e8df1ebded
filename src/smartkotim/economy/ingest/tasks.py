"""The ``economy.ingest`` job kind: the worker runs a queued upload's batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from smartkotim.accounts.roles import Principal
from smartkotim.economy.ingest.models import BatchStatus, IngestBatch
from smartkotim.jobs import JobContext, enqueue_job, register_job_kind

JOB_KIND = "economy.ingest"


def run_ingest_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Run the batch named in ``payload`` (``batch_id``, ``path``, ``delete_after``); return its counts.

    A batch that ends ``failed`` (bad file, or an unexpected error already logged and recorded on the
    batch by ``run_batch``) returns ``"status": "failed"`` with the batch's user-facing ``message``: the
    job is then ``failed`` with that message (``jobs`` handler contract), never an exception's text.
    """
    from smartkotim.economy.ingest.guards import INTERNAL_ERROR, log_internal_error
    from smartkotim.economy.ingest.services import run_batch

    batch_id = int(payload["batch_id"])
    try:
        batch = run_batch(
            context.settings,
            context.session_factory,
            batch_id=batch_id,
            path=Path(str(payload.get("path", ""))),
            delete_after=bool(payload.get("delete_after", False)),
            progress=context.report_progress,
            metrics="queue",
        )
    except Exception as exc:  # logged (without data values) and recorded on the batch by run_batch
        with context.session_factory() as session:
            batch = session.get_one(IngestBatch, batch_id)
        if batch.status != BatchStatus.FAILED:
            log_internal_error(batch_id, exc)
            raise RuntimeError(INTERNAL_ERROR) from None
    return {
        "batch_id": batch.id,
        "status": batch.status,
        "message": batch.message,
        "rows_read": batch.rows_read,
        "rows_accepted": batch.rows_accepted,
        "rows_duplicate": batch.rows_duplicate,
        "rows_rejected": batch.rows_rejected,
        "rows_quarantined": batch.rows_quarantined,
    }


def enqueue_batch(
    session: Session,
    batch: IngestBatch,
    *,
    path: Path | None,
    delete_after: bool,
    principal: Principal | None,
) -> int:
    """Queue the job that runs ``batch``; store its id on the batch and commit. Returns the job id."""
    job = enqueue_job(
        session,
        kind=JOB_KIND,
        payload={"batch_id": batch.id, "path": str(path or ""), "delete_after": delete_after},
        created_by_user_id=principal.user_id if principal else None,
        organisation_id=batch.organisation_id,
    )
    batch.job_id = job.id
    session.commit()
    return job.id


register_job_kind(JOB_KIND, run_ingest_job)
