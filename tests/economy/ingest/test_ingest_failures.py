"""Failed batches: binary files refused up front, failed jobs, no internal text shown, reprocess refusals."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from ingest_helpers import row, write_csv
from sqlalchemy.orm import Session, sessionmaker
from test_ingest_web import make_token, upload

from conftest import Ingest
from smartkotim.config import Settings
from smartkotim.economy.ingest import services
from smartkotim.economy.ingest.guards import INTERNAL_ERROR
from smartkotim.economy.ingest.models import IngestBatch
from smartkotim.jobs import Job, run_next_job

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)

SECRET = "CIF-" + "SECRET-1"  # built, so the traceback's source lines do not hold it


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("logo.png", PNG, "PNG"),
        ("logo.csv", PNG, "PNG"),
        ("scan.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("nul.csv", b"acquirer,txn_id\nBANKA,T\x001\n", "NUL"),
    ],
)
def test_binary_file_is_refused_as_not_text(
    name: str, content: bytes, kind: str, tmp_path: Path, ingest: Ingest, settings: Settings
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    batch = ingest(path)
    assert batch.status == "failed"
    assert batch.message == f"berkas bukan CSV/teks (terdeteksi biner/{kind})"
    assert not list(settings.uploads_dir.glob("*"))


def _run_job(settings: Settings, session_factory: sessionmaker[Session], batch_id: int) -> tuple[Job, str]:
    job_id = run_next_job(settings, session_factory)
    assert job_id is not None
    with session_factory() as session:
        job = session.get_one(Job, job_id)
        return job, session.get_one(IngestBatch, batch_id).message


def test_failed_batch_fails_its_job_with_the_batch_message(
    client: TestClient,
    db: Session,
    merchants: list[str],
    banks: dict[str, int],
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    bank_a = make_token(
        db, username="a", role="bank_partner", org_id=banks["BANKA"], scopes=["read", "ingest"]
    )
    path = write_csv(tmp_path / "a.csv", [], header=("x", "y"))
    response = upload(client, bank_a, path)
    assert response.status_code == 202, response.text
    job, message = _run_job(settings, session_factory, response.json()["id"])
    assert "kolom wajib tidak ada" in message
    assert (job.status, job.message, job.result["status"]) == ("failed", message, "failed")


def test_unexpected_error_shows_a_generic_message_and_logs_no_values(
    client: TestClient,
    db: Session,
    merchants: list[str],
    banks: dict[str, int],
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"Conversion Error: value '{SECRET}' is bad")

    monkeypatch.setattr(services, "commit_run", broken)
    bank_a = make_token(
        db, username="a", role="bank_partner", org_id=banks["BANKA"], scopes=["read", "ingest"]
    )
    response = upload(client, bank_a, write_csv(tmp_path / "a.csv", [row("T1", payer=SECRET)]))
    with caplog.at_level(logging.DEBUG):
        job, message = _run_job(settings, session_factory, response.json()["id"])
    assert message == INTERNAL_ERROR == "kesalahan internal; dicatat di log server"
    assert (job.status, job.message) == ("failed", INTERNAL_ERROR)
    assert "RuntimeError" in caplog.text
    assert SECRET not in caplog.text
    detail = client.get(f"/api/economy/batches/{response.json()['id']}", headers=bank_a).json()
    assert detail["batch"]["message"] == INTERNAL_ERROR


def test_reprocess_refusals_say_why(
    client: TestClient,
    db: Session,
    merchants: list[str],
    banks: dict[str, int],
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    bank_a = make_token(
        db, username="a", role="bank_partner", org_id=banks["BANKA"], scopes=["read", "ingest"]
    )
    bank_b = make_token(
        db, username="b", role="bank_partner", org_id=banks["BANKB"], scopes=["read", "ingest"]
    )
    bad = tmp_path / "a.csv"
    bad.write_bytes(PNG)
    batch_id = upload(client, bank_a, bad).json()["id"]
    assert run_next_job(settings, session_factory) is not None
    url = f"/api/economy/batches/{batch_id}/reprocess"
    refused = client.post(url, headers=bank_a)
    assert refused.status_code == 400
    assert "gagal sebelum salinan unggahannya disimpan" in refused.json()["detail"]
    assert "unggah ulang berkasnya" in refused.json()["detail"]
    assert client.post(url, headers=bank_b).status_code == 404  # another bank's batch
    assert client.post("/api/economy/batches/999999/reprocess", headers=bank_a).status_code == 404
    huge = "/api/economy/batches/99999999999999999999999"
    assert client.post(f"{huge}/reprocess", headers=bank_a).status_code == 422
    assert client.get(huge, headers=bank_a).status_code == 422
    # the same file may be uploaded again after its batch failed
    assert upload(client, bank_a, bad).status_code == 202
