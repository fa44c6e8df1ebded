"""A register change queues one refresh of the metrics' denominators (issue 4 §5 freshness)."""

from __future__ import annotations

from registry_helpers import Person
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.registry.ingest_hooks import METRICS_REFRESH_JOB
from smartkotim.economy.registry.merchant_services import register_merchant
from smartkotim.economy.registry.schemas import MerchantCreate
from smartkotim.jobs import Job, JobStatus


def _refresh_jobs(db: Session) -> list[Job]:
    db.expire_all()
    return list(db.scalars(select(Job).where(Job.kind == METRICS_REFRESH_JOB)))


def test_registering_merchants_queues_a_single_metrics_refresh(
    db: Session, settings: Settings, people: dict[str, Person]
) -> None:
    assert _refresh_jobs(db) == []
    for n in (1, 2):
        data = MerchantCreate(name=f"Toko {n}", desa_code="62.02.05.1001")
        register_merchant(db, data=data, actor=people["admin"].principal, settings=settings)
    jobs = _refresh_jobs(db)
    assert [job.status for job in jobs] == [JobStatus.QUEUED]  # the second waits on the first


def test_a_new_refresh_is_queued_once_the_previous_one_ran(
    db: Session, settings: Settings, people: dict[str, Person]
) -> None:
    data = MerchantCreate(name="Toko A", desa_code="62.02.05.1001")
    register_merchant(db, data=data, actor=people["admin"].principal, settings=settings)
    first = _refresh_jobs(db)[0]
    first.status = JobStatus.SUCCEEDED
    db.commit()
    data = MerchantCreate(name="Toko B", desa_code="62.02.05.1001")
    register_merchant(db, data=data, actor=people["admin"].principal, settings=settings)
    assert sorted(job.status for job in _refresh_jobs(db)) == [JobStatus.QUEUED, JobStatus.SUCCEEDED]
