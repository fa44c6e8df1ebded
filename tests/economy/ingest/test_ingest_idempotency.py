"""Exactly-once: the same file twice, overlapping files, repeats inside a file, the same id at two banks."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import add_sukses_profile, row, write_csv
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest import intake, queries, services
from smartkotim.economy.ingest.queries import summarise_rollups


def test_same_file_twice_is_refused_with_a_pointer_to_its_batch(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    path = write_csv(tmp_path / "a.csv", [row("T1"), row("T2", amount="3000")])
    first = ingest(path)
    before = (ledger.summarise_ledger(settings)["total"], summarise_rollups(db))
    with pytest.raises(services.DuplicateFileError) as refused:
        ingest(path)
    assert refused.value.batch_id == first.id
    assert str(first.id) in str(refused.value)
    assert (ledger.summarise_ledger(settings)["total"], summarise_rollups(db)) == before


def test_overlapping_files_add_only_the_new_rows(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session
) -> None:
    ingest(write_csv(tmp_path / "a.csv", [row(f"T{i}", amount=str(1000 * i)) for i in range(1, 6)]))
    batch = ingest(write_csv(tmp_path / "b.csv", [row(f"T{i}", amount=str(1000 * i)) for i in range(3, 9)]))
    assert (batch.rows_read, batch.rows_accepted, batch.rows_duplicate) == (6, 3, 3)
    assert batch.value_accepted == 6000 + 7000 + 8000
    totals = summarise_rollups(db)
    assert (totals["txn_count"], totals["value"]) == (8, sum(1000 * i for i in range(1, 9)))
    assert ledger.summarise_ledger(settings)["total"]["rows"] == 8


def test_repeat_inside_one_file_is_counted_once(tmp_path: Path, ingest: Ingest, db: Session) -> None:
    batch = ingest(write_csv(tmp_path / "a.csv", [row("T1"), row("T1"), row("T2")]))
    assert (batch.rows_accepted, batch.rows_duplicate) == (2, 1)
    assert summarise_rollups(db)["txn_count"] == 2


def test_same_txn_id_from_two_banks_is_two_transactions(tmp_path: Path, ingest: Ingest, db: Session) -> None:
    a = ingest(write_csv(tmp_path / "a.csv", [row("T1", amount="1000")]), bank="BANKA")
    b = ingest(write_csv(tmp_path / "b.csv", [row("T1", amount="2000", bank="BANKB")]), bank="BANKB")
    assert (a.rows_accepted, b.rows_accepted) == (1, 1)
    assert summarise_rollups(db)["value"] == 3000


def test_reversal_before_and_after_in_one_file_and_its_repeat(
    tmp_path: Path, ingest: Ingest, db: Session
) -> None:
    rows = [row("T1", amount="9000"), row("T1", amount="9000", status="reversed"), row("T2", amount="1000")]
    batch = ingest(write_csv(tmp_path / "a.csv", rows))
    assert batch.rows_accepted == 3
    again = ingest(write_csv(tmp_path / "b.csv", [row("T1", amount="9000", status="reversed"), row("T3")]))
    assert (again.rows_accepted, again.rows_duplicate) == (1, 1)
    totals = summarise_rollups(db)
    assert (totals["txn_count"], totals["value"], totals["reversed_count"]) == (2, 1000 + 25000, 1)


def test_reprocess_after_profile_fix_adds_only_fixed_rows(
    tmp_path: Path, ingest: Ingest, settings: Settings, session_factory, db: Session
) -> None:  # type: ignore[no-untyped-def]
    rows = [row("T1", status="success"), row("T2", status="SUKSES"), row("T3", amount="abc")]
    first = ingest(write_csv(tmp_path / "a.csv", rows))
    assert (first.rows_accepted, first.rows_rejected) == (1, 2)
    add_sukses_profile(db)
    batch = intake.reprocess_batch(db, settings, batch_id=first.id, profile_name="banka", principal=None)
    done = services.run_batch(settings, session_factory, batch_id=batch.id, path=Path(""))
    assert done.status == "applied", done.message
    # only the two rows that broke a rule are re-read: T2 is now valid, T3 still is not
    assert (done.rows_read, done.rows_accepted, done.rows_duplicate, done.rows_rejected) == (2, 1, 0, 1)
    assert summarise_rollups(db)["txn_count"] == 2
    # the error keeps the row number of the original file (header = row 1, T3 = row 4)
    errors = [(e.row_no, e.column, e.raw_value, e.rule) for e in queries.list_row_errors(db, done.id)]
    assert errors == [(4, "amount", "abc", "amount_invalid")]
    clean = ingest(write_csv(tmp_path / "b.csv", [row("T9")]))
    with pytest.raises(services.IngestError, match="tidak ada yang perlu"):
        intake.reprocess_batch(db, settings, batch_id=clean.id, profile_name="banka", principal=None)


def test_reprocess_reads_amounts_with_the_original_files_separators(
    tmp_path: Path, ingest: Ingest, settings: Settings, session_factory, db: Session
) -> None:  # type: ignore[no-untyped-def]
    # the file's first amount fixes "." as the decimal separator; "12.500" then has three decimals (an
    # error), whatever the failing row alone would suggest (sniffed alone it reads as Rp12,500)
    rows = [row("T1", amount="25000.00"), row("T2", amount="12.500", status="SUKSES")]
    first = ingest(write_csv(tmp_path / "a.csv", rows))
    assert (first.rows_accepted, first.rows_rejected) == (1, 1)
    add_sukses_profile(db)
    batch = intake.reprocess_batch(db, settings, batch_id=first.id, profile_name="banka", principal=None)
    done = services.run_batch(settings, session_factory, batch_id=batch.id, path=Path(""))
    assert (done.rows_read, done.rows_accepted, done.rows_rejected) == (1, 0, 1), done.message
    errors = [(e.row_no, e.raw_value, e.rule) for e in queries.list_row_errors(db, done.id)]
    assert errors == [(3, "12.500", "amount_invalid")]
    assert summarise_rollups(db)["value"] == 25000
