"""Reporting scorecard: on time or late against the deadline, revisions, and re-processing (no revision)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from ingest_helpers import add_sukses_profile, row, write_csv
from sqlalchemy.orm import Session, sessionmaker

from conftest import Ingest, add_merchants
from smartkotim.config import Settings
from smartkotim.economy.ingest import intake, services
from smartkotim.economy.ingest.scorecard import deadline_for, summarise_scorecard

WIB = timezone(timedelta(hours=7))


def test_deadline_is_the_day_of_the_next_month_at_midnight_wib() -> None:
    assert deadline_for("2026-10", 10) == datetime(2026, 11, 10, 16, 59, 59, tzinfo=UTC)
    assert deadline_for("2026-12", 10) == datetime(2027, 1, 10, 16, 59, 59, tzinfo=UTC)


def test_a_reprocessing_is_no_revision_but_a_second_upload_is(
    tmp_path: Path, ingest: Ingest, settings: Settings, session_factory: sessionmaker[Session], db: Session
) -> None:
    first = ingest(write_csv(tmp_path / "a.csv", [row("T1"), row("T2", status="SUKSES")]))
    assert (first.rows_accepted, first.rows_rejected) == (1, 1)
    add_sukses_profile(db)
    again = intake.reprocess_batch(db, settings, batch_id=first.id, profile_name="banka", principal=None)
    fixed = services.run_batch(settings, session_factory, batch_id=again.id, path=Path(""))
    assert fixed.rows_accepted == 1 and fixed.months == ["2026-10"]

    db.expire_all()
    rows = summarise_scorecard(db, deadline_day=10)
    assert [(r.acquirer_code, r.month, r.revisions, r.batch_ids) for r in rows] == [
        ("BANKA", "2026-10", 0, (first.id,))
    ]
    assert rows[0].first_reported_at == first.created_at
    assert rows[0].on_time == (first.created_at <= deadline_for("2026-10", 10))

    second = ingest(write_csv(tmp_path / "b.csv", [row("T3")]))
    db.expire_all()
    rows = summarise_scorecard(db, deadline_day=10)
    assert [(r.month, r.revisions, r.batch_ids) for r in rows] == [("2026-10", 1, (first.id, second.id))]


def test_a_report_is_on_time_until_its_deadline(tmp_path: Path, ingest: Ingest, db: Session) -> None:
    from smartkotim.economy.ingest.models import IngestBatch

    early = ingest(write_csv(tmp_path / "a.csv", [row("T1", ts="2026-09-05T10:00:00+07:00")]))
    late = ingest(write_csv(tmp_path / "b.csv", [row("T2", ts="2026-08-05T10:00:00+07:00")]))
    batch = db.get(IngestBatch, early.id)
    assert batch is not None
    batch.created_at = datetime(2026, 10, 10, 16, 59, 59, tzinfo=UTC)  # the deadline itself
    other = db.get(IngestBatch, late.id)
    assert other is not None
    other.created_at = datetime(2026, 9, 10, 17, 0, 0, tzinfo=UTC)  # 1 s past 10 Sep 23:59:59 WIB
    db.commit()
    rows = {r.month: r.on_time for r in summarise_scorecard(db, deadline_day=10)}
    assert rows == {"2026-09": True, "2026-08": False}


def test_demo_reports_arrive_mostly_on_time_on_a_working_hour_of_the_next_month() -> None:
    from smartkotim.demo.economy_loading import arrival_time

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    months = [f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(11, 35)]  # 2024-11 … 2026-10
    banks = ["BRI", "BNI", "MANDIRI", "BPD-KALTENG", "BSI"]
    late = 0
    for bank in banks:
        for month in months:
            at = arrival_time(bank, month, now)
            assert at is not None and at == arrival_time(bank, month, now)  # the same on every load
            local = at.astimezone(WIB)
            year, mon = int(month[:4]), int(month[5:7])
            assert (local.year, local.month) == ((year + 1, 1) if mon == 12 else (year, mon + 1))
            assert 9 <= local.hour <= 16
            late += at > deadline_for(month, 10)
    assert 0.05 < late / (len(banks) * len(months)) < 0.3
    assert arrival_time("BRI", "2026-11", now) is None  # November's report has not arrived yet


def test_a_month_whose_rows_were_all_quarantined_is_reported_by_its_upload_once_released(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:

    held = ingest(write_csv(tmp_path / "a.csv", [row("T1", m=77, ts="2026-08-05T10:00:00+07:00")]))
    assert (held.rows_quarantined, held.months) == (1, [])
    assert summarise_scorecard(db, deadline_day=10) == []
    add_merchants(db, [77])
    released = services.release_quarantine(db, settings=settings, nmids=["ID1025380000077"])
    assert released.released == 1
    db.expire_all()
    rows = summarise_scorecard(db, deadline_day=10)
    assert [(r.month, r.revisions, r.batch_ids, r.first_reported_at) for r in rows] == [
        ("2026-08", 0, (held.id,), held.created_at)
    ]
