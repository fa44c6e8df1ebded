"""Amounts that do not parse or do not fit: a per-row error, the other rows still ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import row, write_csv
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim.economy.ingest.queries import list_row_errors

CASES = [
    ("1e30", "amount_above_ceiling"),
    ("-1e30", "amount_above_ceiling"),
    ("99999999999999999999999999", "amount_above_ceiling"),
    ("9" * 40, "amount_invalid"),
    ("1e400", "amount_invalid"),
    ("inf", "amount_invalid"),
    ("NaN", "amount_invalid"),
    ("1.2.3", "amount_invalid"),
    ("1e-3", "amount_fraction"),
]


@pytest.mark.parametrize(("amount", "rule"), CASES, ids=[c[0][:12] for c in CASES])
def test_bad_amount_is_a_row_error_and_good_rows_ingest(
    amount: str, rule: str, tmp_path: Path, ingest: Ingest, db: Session
) -> None:
    good = [row("T1", amount="25000"), row("T2", amount="1000")]
    batch = ingest(write_csv(tmp_path / "a.csv", [good[0], row("T9", amount=amount), good[1]]))
    assert batch.status == "applied", batch.message
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (3, 2, 1)
    assert batch.value_accepted == 25000 + 1000
    errors = [(e.row_no, e.column, e.raw_value, e.rule) for e in list_row_errors(db, batch.id)]
    assert errors == [(3, "amount", amount, rule)]
