"""Recording a new batch: simultaneous uploads of one file, and a file another bank already sent."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi.testclient import TestClient
from ingest_helpers import row, upload_spec, write_csv
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from conftest import Ingest
from smartkotim.config import Settings
from smartkotim.economy.ingest import services
from smartkotim.economy.ingest.models import BatchSource, IngestBatch


def test_simultaneous_uploads_of_one_new_file_record_one_batch(
    tmp_path: Path, settings: Settings, session_factory: sessionmaker[Session], merchants: list[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [row("T1"), row("T2", amount="3000")])
    spec = upload_spec(path, source=BatchSource.API)
    sha = spec.sha256
    uploads = 6
    start = threading.Barrier(uploads)
    outcomes: list[str] = []

    def offer() -> None:
        with session_factory() as session:
            start.wait()
            try:
                batch = services.start_batch(session, settings, spec)
                outcomes.append(f"batch {batch.id}")
            except services.DuplicateFileError as exc:
                outcomes.append(f"refused, see {exc.batch_id}")

    threads = [threading.Thread(target=offer) for _ in range(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_factory() as session:
        ids = list(session.scalars(select(IngestBatch.id).where(IngestBatch.file_sha256 == sha)))
    assert len(ids) == 1
    assert sorted(outcomes) == [f"batch {ids[0]}"] + [f"refused, see {ids[0]}"] * (uploads - 1)


def test_a_file_another_bank_sent_is_refused_without_naming_its_batch(
    tmp_path: Path, ingest: Ingest, client: TestClient, db: Session, banks: dict[str, int]
) -> None:
    from test_ingest_web import make_token, upload

    path = write_csv(tmp_path / "laporan.csv", [row("T1")])
    first = ingest(path)  # BANKA's report, ingested by the CLI
    bank_b = make_token(db, username="bank-b", role="bank_partner", org_id=banks["BANKB"], scopes=["ingest"])
    bank_a = make_token(db, username="bank-a", role="bank_partner", org_id=banks["BANKA"], scopes=["ingest"])

    refused = upload(client, bank_b, path)
    assert refused.status_code == 409  # type: ignore[attr-defined]
    body = refused.json()  # type: ignore[attr-defined]
    assert body["batch_id"] is None
    assert f"batch {first.id}" not in body["detail"] and "organisasi lain" in body["detail"]

    own = upload(client, bank_a, path)  # the bank that sent it is pointed at its batch
    assert own.status_code == 409  # type: ignore[attr-defined]
    assert own.json()["batch_id"] == first.id  # type: ignore[attr-defined]
    assert db.scalar(select(func.count()).select_from(IngestBatch)) == 1
