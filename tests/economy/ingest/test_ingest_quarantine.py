"""Unknown NMIDs are quarantined (not dropped) and ingested once the merchant is registered."""

from __future__ import annotations

from pathlib import Path

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
