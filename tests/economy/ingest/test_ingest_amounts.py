"""Amounts that do not parse or do not fit: a per-row error, the other rows still ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import row, write_csv
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim.economy.ingest.queries import list_row_errors

CASES = [
    ("99999999999999999999999999", "amount_above_ceiling"),
    ("-99999999999999999999999999", "amount_above_ceiling"),
    ("9" * 40, "amount_invalid"),
    # an exponent is not how a report writes rupiah (a spreadsheet's "2.5E+04"): never read as a number
    ("1e30", "amount_invalid"),
    ("1e3", "amount_invalid"),
    ("1e-3", "amount_invalid"),
    ("1e400", "amount_invalid"),
    ("inf", "amount_invalid"),
    ("NaN", "amount_invalid"),
    ("1.2.3", "amount_invalid"),
    ("+5000", "amount_invalid"),
    ("Rp", "amount_invalid"),
    ("12.50", "amount_fraction"),
    ("12.5", "amount_fraction"),
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


@pytest.mark.parametrize(
    ("amount", "rule"),
    [("25.000", "amount_invalid"), ("1.250.000", "amount_invalid"), ("25,000", "amount_invalid")],
)
def test_a_separator_the_sniffed_format_does_not_use_is_an_error_never_a_scaled_value(
    amount: str, rule: str, tmp_path: Path, ingest: Ingest, db: Session
) -> None:
    # 2,100 plain amounts first: the format is sniffed from the first 2,000 (no separators: decimal
    # point, no thousands separator), so "25.000" later would read as Rp25 if three decimals were allowed
    rows = [row(f"T{i}", amount="25000") for i in range(2100)] + [row("TX", amount=amount)]
    batch = ingest(write_csv(tmp_path / "a.csv", rows))
    assert batch.status == "applied", batch.message
    assert (batch.rows_accepted, batch.rows_rejected) == (2100, 1)
    assert batch.value_accepted == 2100 * 25000
    errors = [(e.row_no, e.column, e.raw_value, e.rule) for e in list_row_errors(db, batch.id)]
    assert errors == [(2102, "amount", amount, rule)]


@pytest.mark.parametrize(
    ("amounts", "value", "fractions"),
    [
        (["25.000", "1.250.000", "Rp 7.500", "99"], 25000 + 1250000 + 7500 + 99, []),  # "." groups
        (["25.000,00", "1.250.000,50"], 25000, [1]),  # "," is the decimal mark; 50 sen is a fraction
        (["25,000.00", "7,500", "99.5"], 25000 + 7500, [2]),  # "," groups, "." is the decimal mark
    ],
)
def test_sniffed_formats_read_grouped_amounts_exactly(
    amounts: list[str], value: int, fractions: list[int], tmp_path: Path, ingest: Ingest, db: Session
) -> None:
    batch = ingest(write_csv(tmp_path / "a.csv", [row(f"T{i}", amount=a) for i, a in enumerate(amounts)]))
    assert batch.status == "applied", batch.message
    assert (batch.rows_accepted, batch.value_accepted) == (len(amounts) - len(fractions), value)
    errors = [(e.row_no, e.rule) for e in list_row_errors(db, batch.id)]
    assert errors == [(i + 2, "amount_fraction") for i in fractions]
