"""Reporting scorecard per bank: which months were reported, on time or late, and revisions.

A month counts as reported by a bank when an applied file batch of that bank holds transactions of
that month. It is on time when the first such batch arrived by the deadline: day
``SMARTKOTIM_REPORTING_DEADLINE_DAY`` of the next month, 23:59:59 WIB. Every later upload holding the
same month is a revision. A re-processing batch corrects its upload (the same file read again with a
fixed profile), and a quarantine release brings rows an upload already sent: the months either brings
count as reported by that upload, at that upload's time, and are no revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from smartkotim.economy.ingest import queries
from smartkotim.economy.ingest.models import BatchSource, IngestBatch

WIB = timezone(timedelta(hours=7))


@dataclass(frozen=True, slots=True)
class MonthReport:
    """One bank × month: first report time (UTC), deadline (UTC), on time, revisions, batch ids."""

    acquirer_code: str
    month: str
    first_reported_at: datetime
    deadline: datetime
    on_time: bool
    revisions: int
    batch_ids: tuple[int, ...]


def deadline_for(month: str, deadline_day: int) -> datetime:
    """Deadline (UTC) of ``month`` (``YYYY-MM``): ``deadline_day`` of the next month, 23:59:59 WIB."""
    year, mon = int(month[:4]), int(month[5:7])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    local = datetime.combine(datetime(year, mon, deadline_day).date(), time(23, 59, 59), tzinfo=WIB)
    return local.astimezone(UTC)


def summarise_scorecard(
    session: Session, *, deadline_day: int, acquirer_code: str | None = None
) -> list[MonthReport]:
    """The scorecard rows, by bank then month (only banks scoped to ``acquirer_code`` when given)."""
    batches = queries.list_reported_batches(session, acquirer_code)
    by_id = {b.id: b for b in batches}
    seen: dict[tuple[str, str], dict[int, datetime]] = {}  # (bank, month) → {upload id: its time}
    for batch in batches:
        upload = _upload_of(batch, by_id)
        if upload is None:
            continue
        for month in batch.months or []:
            seen.setdefault((batch.acquirer_code, month), {})[upload.id] = upload.created_at
    rows = []
    for (bank, month), uploads in sorted(seen.items()):
        reports = sorted((at, upload_id) for upload_id, at in uploads.items())
        first = reports[0][0]
        deadline = deadline_for(month, deadline_day)
        rows.append(
            MonthReport(
                bank,
                month,
                first,
                deadline,
                first <= deadline,
                len(reports) - 1,
                tuple(i for _, i in reports),
            )
        )
    return rows


def _upload_of(batch: IngestBatch, by_id: dict[int, IngestBatch]) -> IngestBatch | None:
    """The upload that reported ``batch``'s rows: itself; for a re-processing batch the upload it
    re-processed; for a quarantine release the earliest upload whose quarantined rows it took (``None``
    when it does not say, as releases before 2026-12-01 do not)."""
    if batch.source == BatchSource.RELEASE:
        sources = [
            by_id[int(i)] for i in ((batch.details or {}).get("released_from") or {}) if int(i) in by_id
        ]
        return min(sources, key=lambda b: (b.created_at, b.id)) if sources else None
    upload = batch
    while upload.reprocess_of_id is not None and upload.reprocess_of_id in by_id:
        upload = by_id[upload.reprocess_of_id]
    return upload
