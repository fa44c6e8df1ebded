"""Background jobs: a small database-backed queue with one worker.

Why not a library: huey's SQL storage needs peewee beside SQLAlchemy and a second connection setup,
and no other well-kept queue serves both SQLite and PostgreSQL without a broker; a ``jobs`` table
works on both, survives restarts (jobs left ``running`` by a dead worker are re-queued at start) and
is a few dozen lines (see ``docs/architecture.md``).

Job kinds are a plain registry: ``register_job_kind("economy.ingest", handler)``; a handler gets a
``JobContext`` (session factory, settings, progress reporter) and the job's JSON payload.

Handler contract — how a job ends:

* it returns a JSON-able ``dict`` → the job ``succeeded`` (progress 1.0) with that dict as ``result``;
* it returns a dict with ``"status": "failed"`` → the job ``failed``, the dict is still kept as
  ``result`` (counts, ids) and ``result["message"]`` (a string, if present) becomes the job's message.
  Use this when the work ended in a recorded failure the handler handled itself (e.g. an ingest
  batch that failed validation), so the jobs page never says "succeeded" for it;
* it raises → the job ``failed`` with ``str(exception)`` as message and an empty result (the
  traceback goes to the debug log only).

Any other ``status`` value in the result (``"applied"``, ``"committed"`` …) is the handler's own and
means success.
"""

from __future__ import annotations

import importlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CursorResult, Float, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from smartkotim.config import Settings
from smartkotim.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)


class JobStatus(StrEnum):
    """Lifecycle of a job."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(Base):
    """One unit of background work; ``progress`` is 0.0–1.0, ``result`` a JSON object."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), index=True, default=JobStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job handler gets besides its payload."""

    job_id: int
    settings: Settings
    session_factory: sessionmaker[Session]

    def report_progress(self, fraction: float, message: str = "") -> None:
        """Record progress (0.0–1.0) in its own short transaction, visible to the status page at once."""
        with self.session_factory() as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(progress=max(0.0, min(1.0, fraction)), message=message)
            )
            session.commit()


JobHandler = Callable[[JobContext, dict[str, Any]], dict[str, Any]]
JOB_KINDS: dict[str, JobHandler] = {}
# The modules that register job kinds when imported; the worker imports them all before it polls, so a
# worker outside the web app (``smartkotim worker``, ``serve --workers N``) knows every kind.
JOB_MODULES = ("smartkotim.economy.ingest.tasks", "smartkotim.economy.metrics.hooks")


def load_job_kinds() -> None:
    """Import every module of ``JOB_MODULES`` (each registers its kinds)."""
    for module_name in JOB_MODULES:
        importlib.import_module(module_name)


def register_job_kind(kind: str, handler: JobHandler) -> None:
    """Make ``kind`` runnable by the worker."""
    JOB_KINDS[kind] = handler


def enqueue_job(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    created_by_user_id: int | None = None,
    organisation_id: int | None = None,
) -> Job:
    """Add a job to the queue (the caller commits).

    Raises:
        KeyError: when ``kind`` is not registered.
    """
    if kind not in JOB_KINDS:
        raise KeyError(f"unknown job kind {kind!r}; known: {sorted(JOB_KINDS)}")
    job = Job(
        kind=kind,
        payload=payload,
        status=JobStatus.QUEUED,
        created_by_user_id=created_by_user_id,
        organisation_id=organisation_id,
        message="",
        result={},
    )
    session.add(job)
    session.flush()
    return job


def requeue_interrupted_jobs(session_factory: sessionmaker[Session]) -> int:
    """Put jobs left ``running`` by a worker that died back in the queue; returns how many."""
    with session_factory() as session:
        result = session.execute(
            update(Job).where(Job.status == JobStatus.RUNNING).values(status=JobStatus.QUEUED, progress=0.0)
        )
        count = result.rowcount if isinstance(result, CursorResult) else 0
        session.commit()
    return int(count or 0)


def _claim_next(session_factory: sessionmaker[Session]) -> int | None:
    """Mark the oldest queued job as running and return its id (one worker, so no race to lose)."""
    with session_factory() as session:
        job_id = session.scalars(
            select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id).limit(1)
        ).first()
        if job_id is None:
            return None
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=utcnow(), attempts=Job.attempts + 1)
        )
        claimed = result.rowcount if isinstance(result, CursorResult) else 0
        session.commit()
        return job_id if claimed else None


def _outcome(result: dict[str, Any]) -> tuple[JobStatus, str]:
    """``(job status, message)`` for a handler's returned ``result`` (see the module docstring)."""
    if result.get("status") == JobStatus.FAILED:
        message = result.get("message")
        return JobStatus.FAILED, message if isinstance(message, str) else ""
    return JobStatus.SUCCEEDED, ""


def run_next_job(settings: Settings, session_factory: sessionmaker[Session]) -> int | None:
    """Run the oldest queued job to its end; return its id, or ``None`` when the queue is empty."""
    job_id = _claim_next(session_factory)
    if job_id is None:
        return None
    with session_factory() as session:
        job = session.get_one(Job, job_id)
        kind, payload = job.kind, dict(job.payload)
    context = JobContext(job_id=job_id, settings=settings, session_factory=session_factory)
    try:
        result = JOB_KINDS[kind](context, payload)
        status, message = _outcome(result)
        if status == JobStatus.FAILED:
            log.warning("job %s (%s) reported failure: %s", job_id, kind, message)
    except Exception as exc:  # a failed job is recorded, never kills the worker
        log.error("job %s (%s) failed: %s", job_id, kind, exc)
        log.debug("job %s traceback:\n%s", job_id, traceback.format_exc())
        result, status, message = {}, JobStatus.FAILED, str(exc)
    with session_factory() as session:
        values: dict[str, Any] = {
            "status": status,
            "result": result,
            "finished_at": utcnow(),
            "message": message,
        }
        if status == JobStatus.SUCCEEDED:
            values["progress"] = 1.0
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()
    return job_id


class Worker(threading.Thread):
    """The one worker: a daemon thread polling the jobs table until ``stop()``."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]) -> None:
        super().__init__(name="smartkotim-worker", daemon=True)
        self._settings = settings
        self._session_factory = session_factory
        self._stopping = threading.Event()

    def run(self) -> None:
        load_job_kinds()
        requeue_interrupted_jobs(self._session_factory)
        while not self._stopping.is_set():
            try:
                ran = run_next_job(self._settings, self._session_factory)
            except Exception:  # database hiccup: log and keep polling
                log.exception("worker loop error")
                ran = None
            if ran is None:
                self._stopping.wait(self._settings.job_poll_seconds)

    def stop(self) -> None:
        """Ask the worker to finish its current job and stop."""
        self._stopping.set()
