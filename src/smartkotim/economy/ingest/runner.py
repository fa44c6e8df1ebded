"""Running one batch end to end: lock, reconcile, pipeline, one ledger commit, rollups, status.

The order makes a batch atomic across the two stores: (1) rows are written as unpublished Parquet files,
(2) one Delta commit publishes them (the batch is then ``committed``), (3) the rollups of the touched
``(acquirer, day)`` pairs are recomputed from the ledger and stored with the status ``applied`` in one
state-database transaction. A kill before (2) leaves unreferenced files only (removed by reconcile);
a kill between (2) and (3) is finished by reconcile, which reads the batch id back from the Delta log.
One file lock (``DATA_DIR/ledger/.ingest.lock``) serialises ingests so two batches never race on a key.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smartkotim.config import Settings
from smartkotim.db import utcnow
from smartkotim.economy.ingest import pipeline as steps
from smartkotim.economy.ingest.parsing import FileFormatError, SourceFile, open_source, sniff_amount_format
from smartkotim.economy.ingest.profiles import REQUIRED_FIELDS, Profile
from smartkotim.economy.ingest.validation import CheckContext, Rule
from smartkotim.ledger import TRANSACTIONS, commit_files, connect

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
PAUSE_ENV = "SMARTKOTIM_INGEST_TEST_PAUSE"  # "step:/path/marker" — test hook, see tests/economy/ingest


@dataclass(slots=True)
class RunInput:
    """What one run needs: the file (or kept upload), the effective profile and the context."""

    batch_id: int
    path: Path
    kept: Path
    profile: Profile
    bank_code: str
    known_nmids: set[str]
    payer_key: str
    reprocess: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class RunOutput:
    """What a run produced before its ledger commit."""

    counts: steps.PipelineCounts
    errors: list[tuple[Any, ...]]
    ledger_files: list[Any]
    details: dict[str, Any]


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """Hold the ingest lock (an exclusive ``flock``) for the duration of the block."""
    settings.ledger_dir.mkdir(parents=True, exist_ok=True)
    with (settings.ledger_dir / ".ingest.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def try_ingest_lock(settings: Settings) -> Iterator[bool]:
    """Take the ingest lock if it is free (yields ``True``), without waiting (yields ``False``)."""
    settings.ledger_dir.mkdir(parents=True, exist_ok=True)
    with (settings.ledger_dir / ".ingest.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def test_pause(step: str) -> None:
    """Test hook: when ``SMARTKOTIM_INGEST_TEST_PAUSE`` is ``step:marker``, touch marker and sleep."""
    wanted = os.environ.get(PAUSE_ENV, "")
    if wanted.split(":", 1)[0] == step:
        Path(wanted.split(":", 1)[1]).touch()
        time.sleep(3600)


_SAFE_LINE = re.compile(
    r"^(CSV Error on Line: \d+|Expected Number of Columns: \d+ Found: \d+|"
    r"Invalid unicode.*|Maximum line size.*|.*Error: [^:]*$)"
)


def safe_message(exc: BaseException) -> str:
    """A DuckDB error reduced to lines that cannot hold data values (its "Original Line" is dropped)."""
    kept = [line.strip() for line in str(exc).splitlines() if _SAFE_LINE.match(line.strip())]
    text = "; ".join(kept) if kept else type(exc).__name__
    return text[:500]


@contextmanager
def _step(
    con: Any, progress: Progress, low: float, high: float, label: str, timings: dict[str, float]
) -> Iterator[None]:
    # Progress moves at step boundaries (DuckDB's query_progress() polled from a thread slowed scans).
    progress(low, label)
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[label] = round(time.perf_counter() - started, 3)
        progress(high, label)


def effective_profile(profile: Profile, header: tuple[str, ...]) -> Profile:
    """``profile`` with its column names matched case-insensitively to ``header``; optional columns the
    file lacks are dropped.

    Raises:
        FileFormatError: a required column is missing (naming it and the columns found).
    """
    by_lower = {name.lower(): name for name in header}
    mapped: dict[str, str] = {}
    missing = []
    for field_name, column in profile.source_columns().items():
        actual = by_lower.get(column.lower())
        if actual is not None:
            mapped[field_name] = actual
        elif field_name in REQUIRED_FIELDS or field_name in ("channel", "payer_id"):
            missing.append(column)
    if missing:
        raise FileFormatError(
            f"kolom wajib tidak ada: {', '.join(missing)} (kolom berkas: {', '.join(header)}; "
            f"profil '{profile.name}')"
        )
    empty = dict.fromkeys(profile.columns.model_dump(), "")
    return profile.model_copy(update={"columns": profile.columns.model_copy(update=empty | mapped)})


def _open_upload(con: Any, run: RunInput) -> tuple[SourceFile, Profile, int]:
    """Open the kept upload (writing it from the file first unless re-processing); return its row count."""
    if run.reprocess:
        steps.open_upload(con, run.kept)
        header = tuple(str(r[0]) for r in con.execute("DESCRIBE upload").fetchall())[1:]
        source = SourceFile(
            run.path,
            str(run.details.get("format", "csv")),
            header,
            row_offset=int(run.details.get("row_offset", 2)),
        )
        profile = effective_profile(run.profile, header)
        # the kept upload holds pseudonyms already: they are read as they are
        count = con.execute("SELECT count(*) FROM upload").fetchone()
        return source, profile, int(count[0]) if count else 0
    source, relation = open_source(con, run.path, run.profile)
    profile = effective_profile(run.profile, source.header)
    payer = profile.source_columns().get("payer_id")
    try:
        rows = steps.stage_upload(con, source, relation, payer, run.payer_key, run.kept)
    except FileFormatError:
        raise
    except Exception as exc:  # duckdb.Error and friends: a malformed file
        raise FileFormatError(f"berkas tidak dapat dibaca: {safe_message(exc)}") from exc
    return source, profile, rows


def check_context(settings: Settings, con: Any, profile: Profile, bank_code: str) -> CheckContext:
    amount_column = profile.source_columns()["amount"]
    sample = [
        str(r[0])
        for r in con.execute(
            f'SELECT "{amount_column.replace(chr(34), chr(34) * 2)}" FROM upload '
            f'WHERE "{amount_column.replace(chr(34), chr(34) * 2)}" IS NOT NULL LIMIT 2000'
        ).fetchall()
    ]
    decimal, thousands = sniff_amount_format(
        sample, profile.amount.decimal_separator, profile.amount.thousands_separator
    )
    return CheckContext(
        profile=profile,
        bank_code=bank_code,
        started_at=utcnow(),
        earliest=settings.ingest_earliest_date,
        ceiling=settings.ingest_amount_ceiling_idr,
        decimal=decimal,
        thousands=thousands,
    )


def run_pipeline(settings: Settings, run: RunInput, progress: Progress) -> RunOutput:
    """Run the DuckDB pipeline for ``run`` up to (not including) the ledger commit.

    Raises:
        FileFormatError: the file cannot be read, has no data rows or lacks required columns.
    """
    con = connect(settings, memory_limit=f"{settings.ingest_memory_limit_mib}MB")
    timings: dict[str, float] = {}
    counts = steps.PipelineCounts()
    try:
        with _step(con, progress, 0.02, 0.45, "stage", timings):
            source, profile, counts.read = _open_upload(con, run)
        if counts.read == 0:
            raise FileFormatError("berkas tidak berisi baris data (hanya header atau kosong)")
        test_pause("after_stage")
        ctx = check_context(settings, con, profile, run.bank_code)
        steps.register_known(con, run.known_nmids)
        with _step(con, progress, 0.45, 0.65, "check", timings):
            rule_list = steps.check_rows(con, ctx, source, run.batch_id)
            _, counts.rejected, counts.quarantined = steps.count_rows(con, _quarantine_bit(rule_list))
        with _step(con, progress, 0.65, 0.7, "errors", timings):
            errors = steps.collect_errors(
                con, rule_list, profile.source_columns(), settings.ingest_max_error_rows
            )
            counts.error_count = steps.count_errors(con, rule_list) if errors else 0
        with _step(con, progress, 0.7, 0.75, "quarantine", timings):
            quarantine_files = steps.write_quarantine(con, settings, _quarantine_bit(rule_list), run.batch_id)
        with _step(con, progress, 0.75, 0.9, "ledger_write", timings):
            files, counts.accepted, counts.value_accepted = steps.write_new_rows(con, settings, run.batch_id)
        counts.duplicate = counts.read - counts.rejected - counts.quarantined - counts.accepted
        counts.months = sorted({str(f[5].get("month")) for f in files if f[5]})
        details = {
            "format": source.format,
            "encoding": source.encoding,
            "delimiter": source.delimiter,
            "row_offset": source.row_offset,
            "decimal": ctx.decimal,
            "thousands": ctx.thousands,
            "timings": timings,
            "quarantine_files": quarantine_files,
        }
    finally:
        con.close()
    return RunOutput(counts, errors, files, details)


def _quarantine_bit(rule_list: list[Rule]) -> int:
    return next(r.bit for r in rule_list if r.key == steps.quarantine_rule_key())


def commit_run(settings: Settings, output: RunOutput, batch_id: int) -> int | None:
    """Publish the run's quarantine files and then its ledger files, each in one Delta commit."""
    from smartkotim.ledger import QUARANTINE

    quarantine_files = output.details.pop("quarantine_files", [])
    commit_files(settings, QUARANTINE, quarantine_files, batch_id=batch_id, operation="quarantine")
    test_pause("before_commit")
    version = commit_files(settings, TRANSACTIONS, output.ledger_files, batch_id=batch_id, operation="ingest")
    test_pause("after_commit")
    return version


def session_progress(session_factory: sessionmaker[Session], batch_id: int, job: Progress | None) -> Progress:
    """A progress callback that stores the fraction on the batch (and forwards it to a job or bar)."""
    from sqlalchemy import update

    from smartkotim.economy.ingest.models import IngestBatch

    last = [0.0]

    def report(fraction: float, message: str) -> None:
        if fraction - last[0] < 0.01 and fraction < 1.0:
            return
        last[0] = fraction
        with session_factory() as session:
            session.execute(
                update(IngestBatch).where(IngestBatch.id == batch_id).values(progress=round(fraction, 3))
            )
            session.commit()
        if job is not None:
            job(fraction, message)

    return report
