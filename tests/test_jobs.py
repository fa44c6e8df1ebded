"""The database-backed job queue: run, fail, progress, restart, and the scoped job API."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from smartkotim.accounts.audit import Actor
from smartkotim.accounts.organisations import create_organisation
from smartkotim.accounts.services import create_user
from smartkotim.accounts.tokens import create_token
from smartkotim.config import Settings
from smartkotim.jobs import (
    JOB_KINDS,
    Job,
    JobContext,
    JobStatus,
    Worker,
    enqueue_job,
    requeue_interrupted_jobs,
    run_next_job,
)


def _add(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    return {"sum": payload["a"] + payload["b"]}


def _fail(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    raise ValueError(f"baris {payload['row']}: kolom amount kosong")


@pytest.fixture(autouse=True)
def _test_job_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(JOB_KINDS, "test.add", _add)
    monkeypatch.setitem(JOB_KINDS, "test.fail", _fail)


def _enqueue(
    factory: sessionmaker[Session], kind: str, payload: dict[str, Any], org: int | None = None
) -> int:
    with factory() as session:
        job = enqueue_job(session, kind=kind, payload=payload, organisation_id=org)
        session.commit()
        return job.id


def _job(factory: sessionmaker[Session], job_id: int) -> Job:
    with factory() as session:
        return session.get_one(Job, job_id)


def test_enqueued_job_runs_and_records_its_result(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    job_id = _enqueue(session_factory, "test.add", {"a": 2, "b": 40})
    assert _job(session_factory, job_id).status == JobStatus.QUEUED
    assert run_next_job(settings, session_factory) == job_id
    job = _job(session_factory, job_id)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"sum": 42}
    assert job.progress == 1.0
    assert job.attempts == 1
    assert job.started_at is not None and job.finished_at is not None
    assert job.started_at <= job.finished_at
    assert run_next_job(settings, session_factory) is None  # the queue is empty now


def test_unknown_job_kind_is_refused(db: Session) -> None:
    with pytest.raises(KeyError, match=r"tidak\.ada"):
        enqueue_job(db, kind="tidak.ada", payload={})


def test_failed_job_is_recorded_and_the_next_one_still_runs(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    failing = _enqueue(session_factory, "test.fail", {"row": 7})
    following = _enqueue(session_factory, "test.add", {"a": 1, "b": 1})
    assert run_next_job(settings, session_factory) == failing
    job = _job(session_factory, failing)
    assert job.status == JobStatus.FAILED
    assert job.message == "baris 7: kolom amount kosong"
    assert job.result == {}
    assert job.finished_at is not None
    assert run_next_job(settings, session_factory) == following
    assert _job(session_factory, following).status == JobStatus.SUCCEEDED


def test_jobs_run_in_the_order_they_were_queued(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    ids = [_enqueue(session_factory, "test.add", {"a": i, "b": 0}) for i in range(3)]
    ran = [run_next_job(settings, session_factory) for _ in ids]
    assert ran == ids


def test_progress_is_visible_to_other_sessions_while_the_job_runs(
    settings: Settings, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def halfway(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        context.report_progress(0.5, "setengah jalan")
        seen = _job(context.session_factory, context.job_id)  # what the status page would read now
        context.report_progress(7.0)  # out of range: clamped
        clamped = _job(context.session_factory, context.job_id).progress
        return {
            "status": str(seen.status),
            "progress": seen.progress,
            "message": seen.message,
            "clamped": clamped,
        }

    monkeypatch.setitem(JOB_KINDS, "test.halfway", halfway)
    job_id = _enqueue(session_factory, "test.halfway", {})
    run_next_job(settings, session_factory)
    result = _job(session_factory, job_id).result
    assert result == {"status": "running", "progress": 0.5, "message": "setengah jalan", "clamped": 1.0}


def test_job_left_running_by_a_dead_worker_is_requeued_and_finished(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    job_id = _enqueue(session_factory, "test.add", {"a": 20, "b": 22})
    done = _enqueue(session_factory, "test.add", {"a": 0, "b": 0})
    run_next_job(settings, session_factory)  # runs job_id
    run_next_job(settings, session_factory)  # runs done
    with session_factory() as session:  # the worker "died" while running job_id the second time
        session.execute(
            update(Job).where(Job.id == job_id).values(status=JobStatus.RUNNING, progress=0.3, result={})
        )
        session.commit()
    assert requeue_interrupted_jobs(session_factory) == 1
    job = _job(session_factory, job_id)
    assert (job.status, job.progress) == (JobStatus.QUEUED, 0.0)
    assert _job(session_factory, done).status == JobStatus.SUCCEEDED  # finished jobs are left alone
    assert run_next_job(settings, session_factory) == job_id
    job = _job(session_factory, job_id)
    assert (job.status, job.result, job.attempts) == (JobStatus.SUCCEEDED, {"sum": 42}, 2)


def test_worker_thread_requeues_at_start_and_drains_the_queue(
    settings: Settings, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    finished = threading.Event()

    def last(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        finished.set()
        return {}

    monkeypatch.setitem(JOB_KINDS, "test.last", last)
    interrupted = _enqueue(session_factory, "test.add", {"a": 1, "b": 2})
    with session_factory() as session:
        session.execute(update(Job).where(Job.id == interrupted).values(status=JobStatus.RUNNING))
        session.commit()
    final = _enqueue(session_factory, "test.last", {})
    worker = Worker(settings.model_copy(update={"job_poll_seconds": 0.05}), session_factory)
    worker.start()
    try:
        assert finished.wait(60), "the worker did not reach the last job"
    finally:
        worker.stop()
        worker.join(60)
    assert not worker.is_alive()
    assert _job(session_factory, interrupted).result == {"sum": 3}
    assert _job(session_factory, final).status == JobStatus.SUCCEEDED


# --- the job API: scoped by organisation ---------------------------------------------------------


BY = Actor(label="test")
PASSWORD = "kata-sandi-uji-2025"


def _token_for(db: Session, *, username: str, role: str, org: str) -> str:
    """A user of ``role`` in organisation ``org`` with a fresh read token; returns the raw bearer token."""
    user = create_user(db, username=username, role=role, organisation_code=org, password=PASSWORD, by=BY)
    _token, raw = create_token(db, user_id=user.id, name="test", scopes=["read"], days=1, by=BY)
    return raw


def _org(db: Session, code: str, kind: str) -> int:
    return create_organisation(db, kind=kind, code=code, name=f"Organisasi {code}", by=BY).id


def _ids(client: TestClient, token: str) -> set[int]:
    response = client.get("/api/jobs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return {job["id"] for job in response.json()}


def test_job_api_shows_a_bank_only_its_own_jobs(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    bank_a, bank_b = _org(db, "BANK-A", "bank"), _org(db, "BANK-B", "bank")
    _org(db, "DISKOMINFO", "opd")
    token_a = _token_for(db, username="mitra_a", role="bank_partner", org="BANK-A")
    token_b = _token_for(db, username="mitra_b", role="bank_partner", org="BANK-B")
    analyst = _token_for(db, username="analis", role="analyst", org="DISKOMINFO")
    job_a = _enqueue(session_factory, "test.add", {"a": 1, "b": 1}, org=bank_a)
    job_b = _enqueue(session_factory, "test.add", {"a": 2, "b": 2}, org=bank_b)

    assert _ids(client, token_a) == {job_a}
    assert _ids(client, token_b) == {job_b}
    assert _ids(client, analyst) == {job_a, job_b}
    headers_a = {"Authorization": f"Bearer {token_a}"}
    own = client.get(f"/api/jobs/{job_a}", headers=headers_a)
    assert own.status_code == 200
    assert own.json()["status"] == JobStatus.QUEUED
    assert client.get(f"/api/jobs/{job_b}", headers=headers_a).status_code == 404


def test_job_api_and_page_need_a_login(client: TestClient) -> None:
    assert client.get("/api/jobs").status_code == 401
    page = client.get("/jobs", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/masuk")


def _login(client: TestClient, username: str, password: str) -> None:
    page = client.get("/masuk").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the login page"
    form = {"username": username, "password": password, "csrf_token": match.group(1), "next": "/jobs"}
    response = client.post("/masuk", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text


def test_job_page_shows_a_logged_in_bank_only_its_own_jobs(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    bank_a, bank_b = _org(db, "BANK-A", "bank"), _org(db, "BANK-B", "bank")
    create_user(
        db, username="mitra_a", role="bank_partner", organisation_code="BANK-A", password=PASSWORD, by=BY
    )
    own = _enqueue(session_factory, "test.add", {"a": 1, "b": 1}, org=bank_a)
    ingest = _enqueue(session_factory, "economy.ingest", {"batch_id": 1}, org=bank_a)
    other = _enqueue(session_factory, "test.fail", {"row": 1}, org=bank_b)
    _login(client, "mitra_a", PASSWORD)
    html = client.get("/jobs").text
    assert f"<td>{own}</td><td>test.add<br>" in html  # a kind without a label shows its key
    # a known kind in words, its key beside it
    assert f"<td>{ingest}</td><td>Impor laporan transaksi bank<br>" in html
    assert "<code>economy.ingest</code>" in html
    assert f"<td>{other}</td>" not in html
    assert "test.fail" not in html


def test_a_handler_reporting_failure_fails_the_job_and_keeps_its_result(
    settings: Settings, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def batch_failed(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        return {"batch_id": 9, "status": "failed", "message": "kolom amount tidak ada", "rows_read": 0}

    def batch_applied(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        return {"batch_id": 10, "status": "applied", "rows_read": 3}

    monkeypatch.setitem(JOB_KINDS, "test.batch_failed", batch_failed)
    monkeypatch.setitem(JOB_KINDS, "test.batch_applied", batch_applied)
    failed = _enqueue(session_factory, "test.batch_failed", {})
    applied = _enqueue(session_factory, "test.batch_applied", {})
    run_next_job(settings, session_factory)
    run_next_job(settings, session_factory)
    job = _job(session_factory, failed)
    assert (job.status, job.message) == (JobStatus.FAILED, "kolom amount tidak ada")
    assert job.result["batch_id"] == 9 and job.finished_at is not None
    assert _job(session_factory, applied).status == JobStatus.SUCCEEDED  # a handler's own status word


def test_a_huge_job_id_is_a_422_not_a_server_error(client: TestClient, db: Session) -> None:
    _org(db, "DISKOMINFO", "opd")
    token = _token_for(db, username="analis", role="analyst", org="DISKOMINFO")
    headers = {"Authorization": f"Bearer {token}"}
    for bad in ("99999999999999999999", "2147483648", "0", "-1"):
        assert client.get(f"/api/jobs/{bad}", headers=headers).status_code == 422, bad
    assert client.get("/api/jobs/2147483647", headers=headers).status_code == 404


def test_job_page_shows_times_in_wib_and_failed_jobs_as_failed(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    _org(db, "DISKOMINFO", "opd")
    create_user(
        db, username="analis", role="analyst", organisation_code="DISKOMINFO", password=PASSWORD, by=BY
    )
    job_id = _enqueue(session_factory, "test.fail", {"row": 3})
    with session_factory() as session:  # a known creation time: 06:05 UTC is 13:05 WIB
        session.execute(
            update(Job).where(Job.id == job_id).values(created_at=datetime(2026, 11, 30, 6, 5, tzinfo=UTC))
        )
        session.commit()
    run_next_job(client.app.state.settings, session_factory)  # type: ignore[attr-defined]
    _login(client, "analis", PASSWORD)
    html = client.get("/jobs").text
    assert "30-11-2026 13:05 WIB" in html
    assert "2026-11-30T06:05" not in html
    assert 'data-status="failed"' in html
