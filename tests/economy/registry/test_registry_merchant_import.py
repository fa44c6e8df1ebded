"""Merchant import: exact counts, every desa resolution path, unresolved kept, idempotency, bad rows."""

from __future__ import annotations

import json

import pytest
from registry_helpers import MERCHANT_HEADER, Person, WriteCsv, add_square_boundary
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.registry.market_services import create_market
from smartkotim.economy.registry.merchant_import import import_merchants
from smartkotim.economy.registry.merchant_services import view_unresolved_merchants
from smartkotim.economy.registry.models import Merchant
from smartkotim.economy.registry.schemas import MarketCreate

# A 0.01° square in Terantang (Seranau) stands in for its desa boundary; points inside resolve to it.
SQUARE_DESA = "62.02.12.2002"
INSIDE = ("-2.5950", "113.0050")


def row(**cells: str) -> list[str]:
    return [cells.get(column, "") for column in MERCHANT_HEADER]


GOOD_ROWS = [
    row(
        nmid="ID1000000000001",
        name="Toko Sayur Ani",
        desa_code="62.02.05.1002",
        lat=INSIDE[0],
        lon=INSIDE[1],
        acquirer="BRI",
        criteria="umi",
        category="sayur",
        onboarded_on="2024-03-01",
    ),
    row(
        nmid="ID1000000000002",
        name="Warung Ikan Budi",
        lat=INSIDE[0],
        lon=INSIDE[1],
        postal_code="74311",
        acquirer="BNI",
    ),
    row(name="Pedagang Sembako Citra", market_code="PPM", stall="A-12", category="sembako"),
    row(name="Pakaian Dedi", postal_code="74311", accepts_cashless="tidak"),
    row(nmid="ID1000000000003", name="Kue Eka", address="Jl. Pelita, Mentawa Baru Hulu", acquirer="BRI"),
    row(name="Jasa Fajar", postal_code="74322"),  # two desa use 74322: unresolved
    row(name="Sayur Gita", address="zzz qqq"),  # no desa in the text: unresolved
]
BAD_ROWS = [
    row(nmid="ID123", name="Salah NMID", desa_code="62.02.05.1001"),
    row(name="", desa_code="62.02.05.1001"),
    row(name="Tanpa Lokasi", category="sayur"),
    row(name="Pasar Tak Dikenal", market_code="NOPE"),
    row(name="Bank Tak Dikenal", desa_code="62.02.05.1001", acquirer="XBANK"),
    row(nmid="ID1000000000002", name="NMID Ganda", desa_code="62.02.05.1001"),
    row(name="Setengah Titik", lat="-2.5"),
    row(name="Desa Luar", desa_code="62.01.01.2001"),
    row(name="Tanggal Salah", desa_code="62.02.05.1001", onboarded_on="31/12/2024"),
]


@pytest.fixture
def market_and_square(db: Session, people: dict[str, Person]) -> None:
    add_square_boundary(db, SQUARE_DESA, lon=113.0, lat=-2.6, size=0.01)
    data = MarketCreate(
        code="PPM", name="Pusat Perbelanjaan Mentaya", kind="pasar induk", desa_code="62.02.06.1002"
    )
    create_market(db, data=data, actor=None, regency_code="62.02")


def test_merchant_import_counts_and_resolution_paths(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    path = write_csv("pedagang.csv", MERCHANT_HEADER, GOOD_ROWS + BAD_ROWS)
    report = import_merchants(db, path=path, actor=None, settings=settings)
    assert (report.rows, report.created, report.updated, report.unchanged) == (16, 7, 0, 0)
    assert (report.unresolved, report.rejected) == (2, 9)
    stored = {m.name: (m.desa_code, m.desa_resolution) for m in db.scalars(select(Merchant))}
    assert stored == {
        "Toko Sayur Ani": ("62.02.05.1002", "code"),  # the given code wins over the point
        "Warung Ikan Budi": (SQUARE_DESA, "point"),  # the point wins over the postal code
        "Pedagang Sembako Citra": ("62.02.06.1002", "market"),
        "Pakaian Dedi": ("62.02.05.1001", "postal_code"),  # 74311 names Baamang Hilir only
        "Kue Eka": ("62.02.06.1001", "address"),
        "Jasa Fajar": (None, "unresolved"),
        "Sayur Gita": (None, "unresolved"),
    }
    ani = db.scalars(select(Merchant).where(Merchant.nmid == "ID1000000000001")).one()
    assert (ani.criteria, ani.category, ani.acquirer_code, ani.accepts_cashless) == (
        "UMI",
        "sayur",
        "BRI",
        True,
    )
    citra = db.scalars(select(Merchant).where(Merchant.name == "Pedagang Sembako Citra")).one()
    assert (citra.nmid, citra.accepts_cashless, citra.stall) == (None, False, "A-12")


def test_rejected_rows_name_file_row_column_value_and_rule(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    path = write_csv("pedagang.csv", MERCHANT_HEADER, GOOD_ROWS + BAD_ROWS)
    report = import_merchants(db, path=path, actor=None, settings=settings)
    first_bad = len(GOOD_ROWS) + 2  # header is row 1
    found = {(e.row - first_bad, e.column, e.value) for e in report.errors}
    assert found == {
        (0, "nmid", "ID123"),
        (1, "name", ""),
        (2, "desa_code", ""),
        (3, "market_code", "NOPE"),
        (4, "acquirer", "XBANK"),
        (5, "nmid", "ID1000000000002"),
        (6, "lon", ""),
        (7, "desa_code", "62.01.01.2001"),
        (8, "onboarded_on", "31/12/2024"),
    }
    assert all(e.file == "pedagang.csv" and e.rule for e in report.errors)
    duplicate = next(e for e in report.errors if e.value == "ID1000000000002")
    assert "baris 3" in duplicate.rule


def test_same_file_twice_changes_nothing(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    path = write_csv("pedagang.csv", MERCHANT_HEADER, GOOD_ROWS)
    import_merchants(db, path=path, actor=None, settings=settings)
    before = [(m.id, m.updated_at) for m in db.scalars(select(Merchant).order_by(Merchant.id))]
    again = import_merchants(db, path=path, actor=None, settings=settings)
    assert (again.created, again.updated, again.unchanged, again.unresolved) == (0, 0, 7, 2)
    assert [(m.id, m.updated_at) for m in db.scalars(select(Merchant).order_by(Merchant.id))] == before


def test_changed_rows_update_and_a_trader_gets_an_nmid(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    import_merchants(db, path=write_csv("a.csv", MERCHANT_HEADER, GOOD_ROWS), actor=None, settings=settings)
    changed = [r[:] for r in GOOD_ROWS]
    changed[0][MERCHANT_HEADER.index("stall")] = "B-7"
    changed[2][MERCHANT_HEADER.index("nmid")] = "ID1000000000009"  # Citra now has QRIS
    report = import_merchants(
        db, path=write_csv("b.csv", MERCHANT_HEADER, changed), actor=None, settings=settings
    )
    assert (report.created, report.updated, report.unchanged) == (0, 2, 5)
    citra = db.scalars(select(Merchant).where(Merchant.name == "Pedagang Sembako Citra")).one()
    assert (citra.nmid, citra.accepts_cashless) == ("ID1000000000009", True)
    assert db.scalar(select(Merchant.stall).where(Merchant.nmid == "ID1000000000001")) == "B-7"
    assert len(db.scalars(select(Merchant)).all()) == 7


def test_unresolved_merchants_are_listed_for_review(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None, people: dict[str, Person]
) -> None:
    import_merchants(db, path=write_csv("a.csv", MERCHANT_HEADER, GOOD_ROWS), actor=None, settings=settings)
    listed = view_unresolved_merchants(db, actor=people["admin"].principal)
    assert sorted(m.name for m in listed) == ["Jasa Fajar", "Sayur Gita"]


def test_merchants_import_command_prints_counts_as_json(
    db: Session,
    settings: Settings,
    write_csv: WriteCsv,
    market_and_square: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from smartkotim.economy.registry.commands import app

    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", "x" * 40)
    path = write_csv("pedagang.csv", MERCHANT_HEADER, GOOD_ROWS + BAD_ROWS[:2])
    result = CliRunner().invoke(app, ["merchants", "import", str(path), "--json"])
    assert result.exit_code == 1, result.output  # some rows were rejected
    report = json.loads(result.output.strip().splitlines()[-1])
    assert (report["created"], report["unresolved"], report["rejected"]) == (7, 2, 2)
    assert [e["column"] for e in report["errors"]] == ["nmid", "name"]
    second = CliRunner().invoke(app, ["merchants", "import", str(path), "--json"])
    assert json.loads(second.output.strip().splitlines()[-1])["unchanged"] == 7


def test_trader_row_and_qris_row_of_the_same_place_stay_two_records_across_runs(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    rows = [
        row(name="Kelontong Siti", desa_code="62.02.05.1001"),
        row(nmid="ID1000000000005", name="Kelontong Siti", desa_code="62.02.05.1001"),
    ]
    path = write_csv("dua.csv", MERCHANT_HEADER, rows)
    first = import_merchants(db, path=path, actor=None, settings=settings)
    second = import_merchants(db, path=path, actor=None, settings=settings)
    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)


def test_merchant_import_blank_optional_cells_keep_stored_values(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    import_merchants(
        db, path=write_csv("a.csv", MERCHANT_HEADER, GOOD_ROWS[:1]), actor=None, settings=settings
    )
    sparse = [row(nmid="ID1000000000001", name="Toko Sayur Ani Baru", desa_code="62.02.05.1002")]
    report = import_merchants(
        db, path=write_csv("b.csv", MERCHANT_HEADER, sparse), actor=None, settings=settings
    )
    assert (report.updated, report.rejected) == (1, 0)
    assert report.blank_cells_kept >= 5  # lat, lon, acquirer, criteria, category, onboarded_on
    ani = db.scalars(select(Merchant).where(Merchant.nmid == "ID1000000000001")).one()
    assert ani.name == "Toko Sayur Ani Baru"
    assert (ani.lat, ani.lon) == (float(INSIDE[0]), float(INSIDE[1]))
    assert (ani.acquirer_code, ani.category, str(ani.onboarded_on)) == ("BRI", "sayur", "2024-03-01")


ODD = row(
    name="Toko Aneh",
    desa_code="62.02.05.1001",
    criteria="XYZ",
    acquirer="BANK-ANEH",
    accepts_cashless="mungkin",
)
ODD_ERRORS = [("criteria", "XYZ"), ("acquirer", "BANK-ANEH"), ("accepts_cashless", "mungkin")]


def test_merchant_import_reports_every_broken_rule_of_a_row_in_column_order(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    rows = [
        GOOD_ROWS[0],
        ODD,
        row(name="Titik Rusak", lat="utara", lon="112.9", onboarded_on="20240501", postal_code="7431"),
    ]
    report = import_merchants(
        db, path=write_csv("aneh.csv", MERCHANT_HEADER, rows), actor=None, settings=settings
    )
    assert (report.rows, report.created, report.updated, report.unresolved, report.rejected) == (
        3,
        1,
        0,
        0,
        2,
    )
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        *((3, column, value) for column, value in ODD_ERRORS),
        # the refused lat is the only location error: no "give a location" rule on top of it
        (4, "lat", "utara"),
        (4, "postal_code", "7431"),
        (4, "onboarded_on", "20240501"),
    ]
    assert all(e.file == "aneh.csv" and e.rule for e in report.errors)
    assert "UMI" in report.errors[0].rule and "ya/tidak" in report.errors[2].rule
    assert db.scalars(select(Merchant.name)).all() == ["Toko Sayur Ani"]


def test_an_onboarding_date_after_today_is_a_row_error(
    db: Session, settings: Settings, write_csv: WriteCsv, market_and_square: None
) -> None:
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone(timedelta(hours=7))).date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    rows = [
        row(name="Toko Hari Ini", desa_code="62.02.05.1001", onboarded_on=today.isoformat()),
        row(name="Toko Besok", desa_code="62.02.05.1001", onboarded_on=tomorrow),
    ]
    report = import_merchants(
        db, path=write_csv("besok.csv", MERCHANT_HEADER, rows), actor=None, settings=settings
    )
    assert (report.created, report.rejected) == (1, 1)
    assert [(e.row, e.column, e.value, e.rule) for e in report.errors] == [
        (3, "onboarded_on", tomorrow, f"tanggal tidak boleh sesudah hari ini ({today})")
    ]


def test_merchants_import_command_prints_every_error_of_a_row(
    db: Session,
    settings: Settings,
    write_csv: WriteCsv,
    market_and_square: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from smartkotim.economy.registry.commands import app

    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("COLUMNS", "200")
    path = write_csv("aneh.csv", MERCHANT_HEADER, [ODD])
    result = CliRunner().invoke(app, ["merchants", "import", str(path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert (report["created"], report["rejected"]) == (0, 1)
    assert [(e["row"], e["column"], e["value"]) for e in report["errors"]] == [
        (2, column, value) for column, value in ODD_ERRORS
    ]
    plain = CliRunner().invoke(app, ["merchants", "import", str(path)])
    # the console may have been made narrower by an earlier test: compare with the line breaks folded
    shown = " ".join(plain.output.split())
    assert plain.exit_code == 1 and "ditolak 1" in shown
    for column, value in ODD_ERRORS:
        assert column in shown and value in shown
