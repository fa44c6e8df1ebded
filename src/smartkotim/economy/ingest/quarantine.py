"""Quarantine release: rows of NMIDs that were unknown are ingested once the merchant is registered.

Quarantined rows sit in the ``quarantine`` Delta table, already parsed, validated and pseudonymised.
A release takes the rows whose NMID is now on the register, one batch (``source = release``) per
acquirer: they go through the same dedupe and the same single ledger commit as a file, then are deleted
from the quarantine (a second commit; if the process dies between the two, the next release finds them
already in the ledger, counts them as duplicates and deletes them). Runs before each ingest and whenever
the register calls ``release_quarantine`` after creating merchants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from smartkotim.accounts.audit import record_audit
from smartkotim.config import Settings
from smartkotim.db import make_session_factory, utcnow
from smartkotim.economy.ingest import pipeline as steps
from smartkotim.economy.ingest.models import BatchSource, BatchStatus, IngestBatch
from smartkotim.economy.ingest.reconcile import apply_batch_rollups
from smartkotim.economy.registry.queries import list_known_nmids
from smartkotim.ledger import (
    QUARANTINE,
    TRANSACTIONS,
    commit_files,
    connect,
    delete_quarantined,
    list_files,
    scan_sql,
)


@dataclass(slots=True)
class ReleaseResult:
    """``released``: rows added to the ledger; ``batch_ids``: the release batches made."""

    released: int = 0
    duplicate: int = 0
    batch_ids: list[int] = field(default_factory=list)


def _releasable(settings: Settings, known: set[str], nmids: list[str] | None) -> dict[str, list[str]]:
    """``{acquirer_code: [nmid, …]}`` of quarantined NMIDs that are now known."""
    files = list_files(settings, QUARANTINE)
    if not files:
        return {}
    wanted = known if nmids is None else known & {n.upper() for n in nmids}
    if not wanted:
        return {}
    con = connect(settings, memory_limit="512MB")
    try:
        rows = con.execute(f"SELECT DISTINCT acquirer_code, nmid FROM {scan_sql(files)}").fetchall()
    finally:
        con.close()
    found: dict[str, list[str]] = {}
    for acquirer, nmid in rows:
        if nmid in wanted:
            found.setdefault(str(acquirer), []).append(str(nmid))
    return found


def _new_release_batch(session_factory: sessionmaker[Session], acquirer: str, nmids: list[str]) -> int:
    with session_factory() as session:
        batch = IngestBatch(
            acquirer_code=acquirer,
            source=BatchSource.RELEASE,
            profile_name="-",
            file_name=f"karantina: {len(nmids)} NMID",
            file_sha256="",
            file_size=0,
            actor_label="system",
            status=BatchStatus.RUNNING,
            started_at=utcnow(),
            message="",
            months=[],
            details={"nmids": sorted(nmids)[:1000]},
        )
        session.add(batch)
        session.commit()
        return batch.id


def _release_one(
    settings: Settings, session_factory: sessionmaker[Session], acquirer: str, nmids: list[str]
) -> tuple[int, int, int]:
    batch_id = _new_release_batch(session_factory, acquirer, nmids)
    con = connect(settings, memory_limit=f"{settings.ingest_memory_limit_mib}MB")
    try:
        con.register("released_nmids", __import__("pyarrow").table({"nmid": nmids}))
        con.execute(
            f"""CREATE TEMP TABLE released AS SELECT row_number() OVER () AS r, row_no, acquirer_code,
                batch_id AS source_batch, txn_id, ts, day, nmid,
                amount, channel, status, payer, issuer, mcc, status = 'reversed' AS is_reversal
            FROM {scan_sql(list_files(settings, QUARANTINE))}
            WHERE acquirer_code = ? AND nmid IN (SELECT nmid FROM released_nmids)""",
            [acquirer],
        )
        total = con.execute("SELECT count(*) FROM released").fetchone()
        # the batches whose quarantined rows this release takes (their pages say where the rows went)
        sources = con.execute("SELECT source_batch, count(*) FROM released GROUP BY 1 ORDER BY 1").fetchall()
        steps.register_types(con, acquirer, with_known=False)
        files, accepted, value = steps.write_new_rows(
            con, settings, batch_id=batch_id, bank_code=acquirer, source="released"
        )
    finally:
        con.close()
    version = commit_files(settings, TRANSACTIONS, files, batch_id=batch_id, operation="release")
    read = int(total[0]) if total else 0
    with session_factory() as session:
        batch = session.get_one(IngestBatch, batch_id)
        batch.rows_read, batch.rows_accepted, batch.value_accepted = read, accepted, value
        batch.rows_duplicate, batch.ledger_version = read - accepted, version
        batch.months = sorted({str(f[5].get("month")) for f in files if f[5]})
        batch.status, batch.committed_at = BatchStatus.COMMITTED, utcnow()
        released_from = {str(int(source)): int(n) for source, n in sources if source is not None}
        batch.details = {**(batch.details or {}), "released_from": released_from}
        record_audit(
            session,
            event="economy.quarantine.released",
            actor=None,
            actor_label="system",
            object_type="ingest_batch",
            object_id=batch_id,
            details={"bank": acquirer, "nmids": len(nmids), "rows": accepted},
        )
        session.commit()
    apply_batch_rollups(settings, session_factory, batch_id)
    delete_quarantined(settings, nmids, batch_id=batch_id)
    return batch_id, accepted, read - accepted


def release_locked(
    settings: Settings, session_factory: sessionmaker[Session], nmids: list[str] | None = None
) -> ReleaseResult:
    """Release quarantined rows of known NMIDs (all, or only ``nmids``); the caller holds the ingest lock."""
    with session_factory() as session:
        known = list_known_nmids(session)
    result = ReleaseResult()
    for acquirer, found in sorted(_releasable(settings, known, nmids).items()):
        batch_id, accepted, duplicate = _release_one(settings, session_factory, acquirer, found)
        result.batch_ids.append(batch_id)
        result.released += accepted
        result.duplicate += duplicate
    return result


def release_quarantine(
    session: Session, *, settings: Settings, nmids: list[str] | None = None
) -> ReleaseResult:
    """Ingest the quarantined rows of ``nmids`` (default: every NMID now on the register).

    Called by the register after it creates merchants (``economy.registry.ingest_hooks``); ``session``
    only supplies the database connection (the release commits in its own transactions).
    """
    from smartkotim.economy.ingest.guards import ingest_lock

    factory = make_session_factory(session.get_bind())  # type: ignore[arg-type]
    with ingest_lock(settings):
        return release_locked(settings, factory, nmids)
