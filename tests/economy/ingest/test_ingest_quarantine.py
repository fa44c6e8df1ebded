"""Unknown NMIDs are quarantined (not dropped) and ingested once the merchant is registered."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from ingest_helpers import row, write_csv
from sqlalchemy.orm import Session, sessionmaker

from conftest import Ingest, add_merchants
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest import services
from smartkotim.economy.ingest.queries import list_batches, summarise_rollups


def test_unknown_nmid_is_quarantined_then_released_after_registration(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session, session_factory: sessionmaker[Session]
) -> None:
    rows = [row("T1", m=1, amount="1000"), row("T2", m=77, amount="2000"), row("T3", m=77, amount="3000")]
    batch = ingest(write_csv(tmp_path / "a.csv", rows))
    assert (batch.rows_accepted, batch.rows_quarantined, batch.rows_rejected) == (1, 2, 0)
    assert ledger.summarise_ledger(settings)["total"] == {"rows": 1, "value": 1000, "quarantined": 2}
    assert services.release_quarantine(db, settings=settings).released == 0  # still unknown

    add_merchants(db, [77])
    result = services.release_quarantine(db, settings=settings, nmids=["ID1025380000077"])
    assert (result.released, len(result.batch_ids)) == (2, 1)
    assert ledger.summarise_ledger(settings)["total"] == {"rows": 3, "value": 6000, "quarantined": 0}
    assert summarise_rollups(db)["value"] == 6000
    release = next(b for b in list_batches(db, None) if b.source == "release")
    assert (release.status, release.rows_accepted) == ("applied", 2)
    assert services.release_quarantine(db, settings=settings).released == 0  # nothing left, nothing twice


def test_quarantined_rows_are_released_before_the_next_ingest(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    ingest(write_csv(tmp_path / "a.csv", [row("T1", m=88, amount="4000")]))
    add_merchants(db, [88])
    ingest(write_csv(tmp_path / "b.csv", [row("T2", m=1, amount="500")]))
    assert ledger.summarise_ledger(settings)["total"] == {"rows": 2, "value": 4500, "quarantined": 0}


def test_a_batch_page_says_where_its_quarantined_and_reprocessed_rows_went(
    tmp_path: Path,
    ingest: Ingest,
    settings: Settings,
    db: Session,
    session_factory: sessionmaker[Session],
    client: TestClient,
) -> None:
    from ingest_helpers import add_sukses_profile
    from test_ingest_web import admin_token

    from smartkotim.economy.ingest import intake, queries

    first = ingest(
        write_csv(tmp_path / "a.csv", [row("T1"), row("T2", m=77), row("T3", m=77), row("T4", m=78)])
    )
    second = ingest(write_csv(tmp_path / "b.csv", [row("T5", m=77), row("T6", status="SUKSES")]))
    assert (first.rows_quarantined, second.rows_quarantined, second.rows_rejected) == (3, 1, 1)
    add_merchants(db, [77])
    result = services.release_quarantine(db, settings=settings, nmids=["ID1025380000077"])
    assert (result.released, len(result.batch_ids)) == (3, 1)
    add_sukses_profile(db)
    redo = intake.reprocess_batch(db, settings, batch_id=second.id, profile_name="banka", principal=None)
    services.run_batch(settings, session_factory, batch_id=redo.id, path=Path(""))

    db.expire_all()
    release_id = result.batch_ids[0]
    reprocessings, releases = queries.list_followups(db, queries.get_batch(db, first.id))  # type: ignore[arg-type]
    assert (reprocessings, [(r.id, n) for r, n in releases]) == (
        [],
        [(release_id, 2)],
    )  # T4's NMID is unknown
    reprocessings, releases = queries.list_followups(db, queries.get_batch(db, second.id))  # type: ignore[arg-type]
    assert ([b.id for b in reprocessings], [(r.id, n) for r, n in releases]) == ([redo.id], [(release_id, 1)])

    headers = admin_token(db, ["read"])
    page = client.get(f"/ekonomi/batch/{second.id}", headers=headers).text
    assert (
        f'dilepas dari karantina: 1 baris, batch <a href="/ekonomi/batch/{release_id}">{release_id}</a>'
        in page
    )
    assert f'batch <a href="/ekonomi/batch/{redo.id}">{redo.id}</a> (banka, Selesai)' in page
    release_page = client.get(f"/ekonomi/batch/{release_id}", headers=headers).text
    assert "<th>SHA-256</th>" not in release_page and "<th>Profil laporan</th>" not in release_page
    assert "<th>SHA-256</th>" in page and "<th>Profil laporan</th>" in page  # a file's batch has both
