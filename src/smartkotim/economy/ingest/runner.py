"""Running one batch end to end: lock, reconcile, pipeline, one ledger commit, rollups, status.

The order makes a batch atomic across the two stores: (1) rows are written as unpublished Parquet files,
(2) one Delta commit publishes them (the batch is then ``committed``), (3) the rollups of the touched
``(acquirer, day)`` pairs are recomputed from the ledger and stored with the status ``applied`` in one
state-database transaction. A kill before (2) leaves unreferenced files only (removed by reconcile);
a kill between (2) and (3) is finished by reconcile, which reads the batch id back from the Delta log.
The ingest lock and the failure messages are in ``guards``.
"""

from __future__ import annotations

import logging
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
from smartkotim.economy.ingest.guards import safe_message, test_pause
from smartkotim.economy.ingest.kept import (
    check_reserved,
    pseudonym_sql,
    stage_select,
    upload_view,
    write_kept,
)
from smartkotim.economy.ingest.parsing import (
    FileFormatError,
    SourceFile,
    ident,
    open_source,
    sample_values,
    sniff_amount_format,
)
from smartkotim.economy.ingest.profiles import REQUIRED_FIELDS, Profile
from smartkotim.economy.ingest.validation import CheckContext, Rule, clean
from smartkotim.ledger import TRANSACTIONS, commit_files, connect, work_dir

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


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
def _step(
    progress: Progress, low: float, high: float, label: str, timings: dict[str, float]
) -> Iterator[None]:
    # Progress moves at step boundaries (DuckDB's query_progress() polled from a thread slowed scans).
    # ``timings`` gets the wall seconds of the step and, as ``<label>_cpu``, the CPU seconds of the process.
    progress(low, label)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        timings[label] = round(time.perf_counter() - started, 3)
        timings[f"{label}_cpu"] = round(time.process_time() - cpu, 3)
        progress(high, label)


def effective_profile(profile: Profile, header: tuple[str, ...]) -> Profile:
    """``profile`` with its column names matched case-insensitively to ``header``; optional columns the
    file lacks are dropped.

    Raises:
        FileFormatError: a required column is missing (naming it and the columns found), a header
            uses the reserved ``__sk_`` prefix, or the payer column is also mapped to another field.
    """
    check_reserved(header)
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
    payer = mapped.get("payer_id")
    shared = [f for f, c in mapped.items() if c == payer and f != "payer_id"]
    if shared:
        raise FileFormatError(f"kolom {payer!r} dipetakan ke payer_id dan juga ke {', '.join(shared)}")
    empty = dict.fromkeys(profile.columns.model_dump(), "")
    return profile.model_copy(update={"columns": profile.columns.model_copy(update=empty | mapped)})


@dataclass(slots=True)
class _Source:
    """The rows pass A reads: sniffed file facts, the SQL table expression, the effective profile, the
    SQL that turns the raw payer column into its pseudonym and, when re-processing, the record index."""

    file: SourceFile
    relation: str
    profile: Profile
    payer_sql: str
    record: str | None = None  # SQL of the record index when the relation is not the file itself


@dataclass(slots=True)
class _Staged:
    """The output of pass A: the Parquet file written, what was read and the rules evaluated."""

    kept: Path
    source: _Source
    ctx: CheckContext
    rule_list: list[Rule]
    typed: list[str]


def _open_input(con: Any, run: RunInput) -> _Source:
    """Open the upload (or, when re-processing, the kept upload restored as the file had it)."""
    if run.reprocess:
        # only the rows that broke a rule can change with a fixed profile: the others are in the ledger
        # (or were duplicates) and would only count as duplicates again
        header = upload_view(con, run.kept, "upload_src", failing_only=True)
        file = SourceFile(
            run.path,
            str(run.details.get("format", "csv")),
            header,
            row_offset=int(run.details.get("row_offset", 2)),
        )
        profile = effective_profile(run.profile, header)
        payer = profile.source_columns().get("payer_id")
        # the kept upload holds pseudonyms already: they are read as they are
        payer_sql = f"TRY_CAST({clean(ident(payer))} AS BIGINT)" if payer else "CAST(NULL AS BIGINT)"
        return _Source(file, "(SELECT * FROM upload_src)", profile, payer_sql, record="__r")
    file, relation = open_source(con, run.path, run.profile)
    profile = effective_profile(run.profile, file.header)
    payer = profile.source_columns().get("payer_id")
    payer_sql = pseudonym_sql(clean(ident(payer)), run.payer_key) if payer else "CAST(NULL AS BIGINT)"
    return _Source(file, relation, profile, payer_sql)


def check_context(
    settings: Settings, con: Any, source: _Source, bank_code: str, sniffed: tuple[str, str] | None = None
) -> CheckContext:
    """The context of the row checks, with the amount separators sniffed from the first 2,000 amounts.

    ``sniffed``: ``(decimal, thousands)`` as an earlier pass over the same file found them (re-processing
    reads only the failing rows, too few and too odd to sniff from); separators the profile fixes win.
    """
    profile = source.profile
    decimal_setting: str = profile.amount.decimal_separator
    thousands_setting: str = profile.amount.thousands_separator
    if sniffed is not None:
        decimal_setting = sniffed[0] if decimal_setting == "auto" else decimal_setting
        thousands_setting = sniffed[1] if thousands_setting == "auto" else thousands_setting
    sample: list[str] = []
    if "auto" in (decimal_setting, thousands_setting):
        sample = sample_values(con, source.file, source.relation, profile.source_columns()["amount"])
    decimal, thousands = sniff_amount_format(sample, decimal_setting, thousands_setting)
    return CheckContext(
        profile=profile,
        bank_code=bank_code,
        started_at=utcnow(),
        earliest=settings.ingest_earliest_date,
        ceiling=settings.ingest_amount_ceiling_idr,
        decimal=decimal,
        thousands=thousands,
    )


def stage(
    con: Any, settings: Settings, run: RunInput, target: Path, *, limit: int | None = None
) -> tuple[_Staged, int]:
    """Pass A: read the input (only its first ``limit`` rows when given) once into ``target`` (see
    ``kept``); return it and its row count.

    Raises:
        FileFormatError: the file cannot be read, lacks required columns or is malformed.
    """
    source = _open_input(con, run)
    if limit is not None:
        source.relation = f"(SELECT * FROM {source.relation} LIMIT {int(limit)})"
    sniffed = None
    if run.reprocess and "decimal" in run.details and "thousands" in run.details:
        sniffed = (str(run.details["decimal"]), str(run.details["thousands"]))
    ctx = check_context(settings, con, source, run.bank_code, sniffed)
    steps.register_known(con, run.known_nmids)
    steps.register_types(con, run.bank_code, with_known=True)
    select, spec, rule_list = stage_select(
        source.relation, source.file.header, ctx, source.payer_sql, record=source.record
    )
    try:
        rows = write_kept(con, select, spec, target, ctx.profile.timestamp.timezone)
    except Exception as exc:  # duckdb.Error and friends: a malformed file
        raise FileFormatError(f"berkas tidak dapat dibaca: {safe_message(exc)}") from exc
    return _Staged(target, source, ctx, rule_list, list(spec["typed"])), rows


def run_pipeline(settings: Settings, run: RunInput, progress: Progress) -> RunOutput:
    """Run the DuckDB pipeline for ``run`` up to (not including) the ledger commit.

    Raises:
        FileFormatError: the file cannot be read, has no data rows or lacks required columns.
    """
    con = connect(settings, memory_limit=f"{settings.ingest_memory_limit_mib}MB")
    timings: dict[str, float] = {}
    counts = steps.PipelineCounts()
    # pass A writes the kept upload; a re-processing batch reads the kept upload and writes a scratch copy
    target = work_dir(settings) / f"reprocess-{run.batch_id}.parquet" if run.reprocess else run.kept
    try:
        with _step(progress, 0.02, 0.6, "stage", timings):
            staged, counts.read = stage(con, settings, run, target)
        if counts.read == 0:
            raise FileFormatError("berkas tidak berisi baris data (hanya header atau kosong)")
        test_pause("after_stage")
        errors, quarantine_files, files = _finish_rows(
            con, settings, run, staged, counts, (progress, timings)
        )
    finally:
        con.close()
        if run.reprocess:
            target.unlink(missing_ok=True)
    counts.months = sorted({str(f[5].get("month")) for f in files if f[5]})
    file, ctx = staged.source.file, staged.ctx
    details = {
        "format": file.format,
        "encoding": file.encoding,
        "delimiter": file.delimiter,
        "row_offset": file.row_offset,
        "decimal": ctx.decimal,
        "thousands": ctx.thousands,
        "timings": timings,
        "quarantine_files": quarantine_files,
    }
    return RunOutput(counts, errors, files, details)


def _finish_rows(
    con: Any,
    settings: Settings,
    run: RunInput,
    staged: _Staged,
    counts: steps.PipelineCounts,
    report: tuple[Progress, dict[str, float]],
) -> tuple[list[tuple[Any, ...]], list[Any], list[Any]]:
    """Counts, errors, quarantine and the ledger write over the output of pass A."""
    kept, qbit = staged.kept, _quarantine_bit(staged.rule_list)
    offset = staged.source.file.row_offset
    where: dict[str, Any] = {
        "bank_code": run.bank_code,
        "row_offset": offset,
        "fixed_wib": staged.ctx.earliest.year >= 1970,
        "typed": staged.typed,
    }
    with _step(report[0], 0.6, 0.62, "check", report[1]):
        _, counts.rejected, counts.quarantined = steps.count_rows(con, kept, qbit)
    errors: list[tuple[Any, ...]] = []
    if counts.rejected or counts.quarantined:
        with _step(report[0], 0.62, 0.64, "errors", report[1]):
            errors = _errors(con, settings, staged, counts)
    quarantine_files: list[Any] = []
    if counts.quarantined:
        with _step(report[0], 0.64, 0.66, "quarantine", report[1]):
            steps.define_candidates(con, kept, mask=qbit, name="qcand", **where)
            quarantine_files = steps.write_quarantine(
                con, settings, bank_code=run.bank_code, batch_id=run.batch_id, source="qcand"
            )
    with _step(report[0], 0.66, 0.85, "ledger_write", report[1]):
        steps.define_candidates(con, kept, mask=0, name="cand", **where)
        files, counts.accepted, counts.value_accepted = steps.write_new_rows(
            con, settings, batch_id=run.batch_id, bank_code=run.bank_code, source="cand", known_nmids=True
        )
    counts.duplicate = counts.read - counts.rejected - counts.quarantined - counts.accepted
    return errors, quarantine_files, files


def _errors(
    con: Any, settings: Settings, staged: _Staged, counts: steps.PipelineCounts
) -> list[tuple[Any, ...]]:
    columns = staged.source.profile.source_columns()
    limit, offset = settings.ingest_max_error_rows, staged.source.file.row_offset
    errors = steps.collect_errors(con, staged.kept, staged.rule_list, columns, limit=limit, row_offset=offset)
    counts.error_count = steps.count_errors(con, staged.kept, staged.rule_list)
    return errors


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
