"""Ingest services: accept a file, run or queue its batch, re-process, profiles, preview.

Entry points for the three sources (web upload → job; API upload → job; CLI → inline):
``start_batch`` refuses a file already ingested (same SHA-256, in well under a second: one indexed
lookup) and creates the batch; ``run_batch`` does the work (``runner``) and records the outcome.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from smartkotim.accounts.audit import record_audit
from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings, secret_key
from smartkotim.db import utcnow
from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.guards import INTERNAL_ERROR, ingest_lock, intake_lock, log_internal_error
from smartkotim.economy.ingest.models import BatchSource, BatchStatus, IngestBatch
from smartkotim.economy.ingest.parsing import FileFormatError
from smartkotim.economy.ingest.profiles import Profile, ProfileError, builtin_profiles, parse_profile
from smartkotim.economy.ingest.quarantine import ReleaseResult, release_locked, release_quarantine
from smartkotim.economy.ingest.reconcile import (
    apply_batch_rollups,
    fail_batch,
    queue_metrics_refresh,
    reconcile_locked,
    refresh_metrics,
)
from smartkotim.economy.ingest.runner import (
    Progress,
    RunInput,
    commit_run,
    run_pipeline,
    session_progress,
)
from smartkotim.economy.registry.queries import list_known_nmids
from smartkotim.ledger import LedgerError

MetricsRefresh = Literal["inline", "queue", "none"]
"""How ``run_batch`` refreshes the metrics after a batch is applied (see ``run_batch``)."""

__all__ = ["ReleaseResult", "release_quarantine"]  # the register calls release_quarantine from here
log = logging.getLogger(__name__)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


class IngestError(ValueError):
    """A request the ingest refuses (unknown bank or profile, not allowed, file too large)."""


class UploadForbiddenError(IngestError):
    """A bank partner uploading for another bank (403)."""


class BatchNotFoundError(IngestError):
    """No such batch, or (for a bank partner) another bank's: the web layer answers 404."""


class DuplicateFileError(IngestError):
    """The same file (SHA-256) was already ingested; ``batch_id`` points at that batch, or is ``None``
    when the uploader may not see it (a bank partner offering another bank's file learns no batch id)."""

    def __init__(self, batch_id: int | None, sha256: str) -> None:
        if batch_id is None:
            message = (
                f"berkas yang sama persis (SHA-256 {sha256[:12]}…) sudah diproses dalam batch organisasi "
                "lain; hubungi admin SmartKotim bila berkas ini memang laporan bank Anda"
            )
        else:
            message = f"berkas ini (SHA-256 {sha256[:12]}…) sudah diproses sebagai batch {batch_id}"
        super().__init__(message)
        self.batch_id = batch_id


@dataclass(frozen=True, slots=True)
class UploadSpec:
    """A file to ingest: where it is, what the user called it, its hash and size, who sent it."""

    path: Path
    file_name: str
    sha256: str
    size: int
    bank_code: str
    profile_name: str
    source: BatchSource
    principal: Principal | None = None
    actor_label: str = "cli"
    delete_after: bool = False


def payer_key(settings: Settings) -> str:
    """The payer-pseudonym sub-key: the first 128 bits of HMAC-SHA256(secret key, "payer-pseudonym"), as
    32 hex characters (short enough that key, colon and a payer id fit in one SHA-256 block)."""
    return hmac.new(secret_key(settings).encode(), b"payer-pseudonym", hashlib.sha256).hexdigest()[:32]


def pseudonymise(settings: Settings, payer_id: str) -> int:
    """The pseudonym the pipeline stores for ``payer_id`` (same formula, in Python; for tests and support).

    Edge spaces are dropped as the pipeline drops them (DuckDB's ``trim`` removes spaces only).
    """
    digest = hashlib.sha256(f"{payer_key(settings)}:{payer_id.strip(' ')}".encode()).hexdigest()
    return int(digest[:15], 16)


def file_sha256(path: Path) -> tuple[str, int]:
    """``(SHA-256 hex, size in bytes)`` of a file, streamed."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), path.stat().st_size


def clean_file_name(name: str) -> str:
    """A user's file name safe to store and show: no path, no control characters, at most 200 chars
    (a longer name is cut before its extension, which stays: ``aaa….csv``)."""
    base = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "upload"
    if len(base) <= 200:
        return base
    stem, dot, extension = base.rpartition(".")
    if dot and stem and 0 < len(extension) <= 10:
        return f"{stem[: 199 - len(extension)]}.{extension}"
    return base[:200]


def resolve_profile(session: Session, name: str) -> Profile:
    """The built-in or stored profile called ``name``.

    Raises:
        IngestError: no such profile, or a stored profile that no longer parses.
    """
    builtin = builtin_profiles().get(name)
    if builtin is not None:
        return builtin[0]
    row = queries.get_profile_row(session, name)
    if row is None:
        known = sorted([*builtin_profiles(), *(p.name for p in queries.list_profiles(session))])
        raise IngestError(f"profil {name!r} tidak dikenal; yang ada: {', '.join(known)}")
    try:
        return parse_profile(row.toml_text, source=f"profil {name}")
    except ProfileError as exc:
        raise IngestError(str(exc)) from exc


def check_may_upload(principal: Principal | None, bank_code: str) -> None:
    """A bank partner may upload only for its own bank.

    Raises:
        UploadForbiddenError: naming both codes.
    """
    if principal is not None and queries.is_scoped(principal) and principal.organisation_code != bank_code:
        raise UploadForbiddenError(
            f"akun bank {principal.organisation_code} tidak boleh mengunggah laporan bank {bank_code}"
        )


def check_profile_bank(profile: Profile, bank_code: str) -> None:
    """A profile made for one bank (``acquirer_code``) reads only that bank's reports.

    Raises:
        IngestError: naming the profile, its bank and the bank of the report.
    """
    if profile.acquirer_code and profile.acquirer_code.upper() != bank_code.upper():
        raise IngestError(
            f"profil {profile.name!r} khusus untuk laporan bank {profile.acquirer_code}, "
            f"bukan bank {bank_code}"
        )


def start_batch(session: Session, settings: Settings, spec: UploadSpec) -> IngestBatch:
    """Check and record a new batch (status ``queued``) for ``spec``; the caller then runs or queues it.

    Raises:
        DuplicateFileError: the same file is already ingested (or being ingested).
        IngestError: unknown bank or profile, not allowed for this principal, file too large.
    """
    check_may_upload(spec.principal, spec.bank_code)
    with intake_lock(settings):  # the check and the insert below, atomic against other uploads
        return _record_batch(session, settings, spec)


def _record_batch(session: Session, settings: Settings, spec: UploadSpec) -> IngestBatch:
    existing = queries.get_batch_by_sha256(session, spec.sha256)
    if existing is not None and existing.status == BatchStatus.RUNNING:
        _reconcile_if_idle(
            settings, session
        )  # a "running" batch with no ingest running died with its process
        existing = queries.get_batch_by_sha256(session, spec.sha256)
    if existing is not None:
        principal = spec.principal
        visible = not queries.is_scoped(principal) or (
            principal is not None and existing.acquirer_code == principal.organisation_code
        )
        raise DuplicateFileError(existing.id if visible else None, spec.sha256)
    if spec.size > settings.ingest_max_upload_mib * 1024 * 1024:
        raise IngestError(f"berkas {spec.size} bita melebihi batas {settings.ingest_max_upload_mib} MiB")
    bank = queries.get_bank(session, spec.bank_code)
    if bank is None:
        raise IngestError(f"bank dengan kode {spec.bank_code!r} tidak terdaftar sebagai organisasi bank")
    check_profile_bank(resolve_profile(session, spec.profile_name), spec.bank_code)
    batch = IngestBatch(
        organisation_id=bank.id,
        acquirer_code=spec.bank_code,
        source=spec.source,
        profile_name=spec.profile_name,
        file_name=clean_file_name(spec.file_name),
        file_sha256=spec.sha256,
        file_size=spec.size,
        user_id=spec.principal.user_id if spec.principal else None,
        token_id=spec.principal.token_id if spec.principal else None,
        actor_label=spec.principal.username if spec.principal else spec.actor_label,
        status=BatchStatus.QUEUED,
        progress=0.0,
        message="",
        months=[],
        details={},
    )
    session.add(batch)
    session.flush()
    record_audit(
        session,
        event="economy.batch.created",
        actor=spec.principal,
        actor_label=spec.actor_label,
        object_type="ingest_batch",
        object_id=batch.id,
        details={"bank": spec.bank_code, "sha256": spec.sha256, "source": str(spec.source)},
    )
    session.commit()
    return batch


def _reconcile_if_idle(settings: Settings, session: Session) -> None:
    from smartkotim.db import make_session_factory
    from smartkotim.economy.ingest.guards import try_ingest_lock

    with try_ingest_lock(settings) as idle:
        if idle:
            reconcile_locked(settings, make_session_factory(session.get_bind()))  # type: ignore[arg-type]
    session.expire_all()


def run_batch(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    batch_id: int,
    path: Path,
    delete_after: bool = False,
    progress: Progress | None = None,
    metrics: MetricsRefresh = "inline",
) -> IngestBatch:
    """Run a queued batch to its end (``applied`` or ``failed``) and return it.

    ``path`` is the uploaded file (deleted at the end when ``delete_after``: a web spool file) or, for
    a re-processing batch, ignored in favour of the kept upload. Never raises for bad input: the batch
    records the error; raises only for infrastructure failures after marking the batch failed.

    ``metrics`` says how the Smart Economy metrics of the batch's days are refreshed once the batch is
    ``applied`` (issue 4 §5), after the ingest lock is released: ``"inline"`` before returning (CLI),
    ``"queue"`` as the job ``economy.metrics.update`` (the web worker: the batch's job ends seconds
    earlier and the next job refreshes the dashboards), ``"none"`` not at all (the caller does it;
    ``bench/ingest.py`` times it separately).
    """
    report = session_progress(session_factory, batch_id, progress)
    days: list[date] = []
    try:
        with ingest_lock(settings):
            reconcile_locked(settings, session_factory)
            release_locked(settings, session_factory)
            days = _run_locked(settings, session_factory, batch_id, path, report)
    finally:
        if delete_after:
            path.unlink(missing_ok=True)
    if days and metrics == "inline":
        refresh_metrics(settings, session_factory, batch_id, days)
    elif days and metrics == "queue":
        queue_metrics_refresh(session_factory, batch_id, days)
    with session_factory() as session:
        return session.get_one(IngestBatch, batch_id)


def _run_input(session: Session, settings: Settings, batch: IngestBatch, path: Path) -> RunInput:
    from smartkotim.economy.ingest.pipeline import kept_path

    kept = kept_path(settings, batch.file_sha256)
    reprocess = batch.source == BatchSource.REPROCESS
    details = dict(batch.details or {})
    return RunInput(
        batch_id=batch.id,
        path=path,
        kept=kept if reprocess else kept.with_name(kept.name + ".partial"),
        profile=resolve_profile(session, batch.profile_name),
        bank_code=batch.acquirer_code,
        known_nmids=list_known_nmids(session),
        payer_key=payer_key(settings),
        reprocess=reprocess,
        details=details,
    )


def _run_locked(
    settings: Settings, session_factory: sessionmaker[Session], batch_id: int, path: Path, report: Progress
) -> list[date]:
    """Run the batch under the ingest lock; return the WIB days whose rollups it replaced (none when
    it failed)."""
    with session_factory() as session:
        batch = session.get_one(IngestBatch, batch_id)
        batch.status, batch.started_at = BatchStatus.RUNNING, utcnow()
        session.commit()
        run = _run_input(session, settings, batch, path)
    run.kept.parent.mkdir(parents=True, exist_ok=True)
    if not run.reprocess:
        run.kept.unlink(missing_ok=True)
    try:
        output = run_pipeline(settings, run, report)
        version = commit_run(settings, output, batch_id)
    except (FileFormatError, LedgerError, IngestError) as exc:
        fail_batch(settings, session_factory, batch_id, str(exc), kept=None if run.reprocess else run.kept)
        return []
    except Exception as exc:
        log_internal_error(batch_id, exc)
        fail_batch(
            settings, session_factory, batch_id, INTERNAL_ERROR, kept=None if run.reprocess else run.kept
        )
        raise
    if not run.reprocess:
        run.kept.replace(run.kept.with_name(run.kept.name.removesuffix(".partial")))
    _record_committed(session_factory, batch_id, output, version)
    report(0.92, "rollups")
    days = apply_batch_rollups(settings, session_factory, batch_id, refresh=False)
    report(1.0, "selesai")
    return days


def _record_committed(
    session_factory: sessionmaker[Session], batch_id: int, output: Any, version: int | None
) -> None:
    counts = output.counts
    with session_factory() as session:
        batch = session.get_one(IngestBatch, batch_id)
        batch.rows_read, batch.rows_accepted = counts.read, counts.accepted
        batch.rows_duplicate, batch.rows_rejected = counts.duplicate, counts.rejected
        batch.rows_quarantined, batch.value_accepted = counts.quarantined, counts.value_accepted
        batch.error_count = max(counts.error_count, len(output.errors))
        batch.errors_truncated = len(output.errors) < batch.error_count
        batch.months, batch.ledger_version = counts.months, version
        batch.details = {**(batch.details or {}), **output.details}
        batch.status, batch.committed_at = BatchStatus.COMMITTED, utcnow()
        queries.insert_row_errors(session, batch_id, output.errors)
        session.commit()


def ingest_file(
    settings: Settings,
    session_factory: sessionmaker[Session],
    spec: UploadSpec,
    progress: Progress | None = None,
    metrics: MetricsRefresh = "inline",
) -> IngestBatch:
    """Start and run a batch inline (CLI); see ``start_batch`` for the errors raised and ``run_batch``
    for ``metrics``."""
    with session_factory() as session:
        batch = start_batch(session, settings, spec)
    return run_batch(
        settings,
        session_factory,
        batch_id=batch.id,
        path=spec.path,
        delete_after=spec.delete_after,
        progress=progress,
        metrics=metrics,
    )
