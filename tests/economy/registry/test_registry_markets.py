"""Markets: create/update rules and the CSV/XLSX import (good file, bad rows, idempotent)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError
from registry_helpers import WriteCsv
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import Person
from smartkotim.accounts.models import AuditEntry
from smartkotim.economy.registry.access import NotPermittedError
from smartkotim.economy.registry.market_services import create_market, import_markets, update_market
from smartkotim.economy.registry.models import Market
from smartkotim.economy.registry.schemas import MarketCreate, MarketUpdate
from smartkotim.economy.registry.tabular import ImportFileError

HEADER = [
    "code",
    "name",
    "kind",
    "kios_count",
    "los_count",
    "managing_office",
    "desa_code",
    "lat",
    "lon",
    "market_days",
    "opening_hours",
]
GOOD = [
    [
        "PPM",
        "Pusat Perbelanjaan Mentaya",
        "pasar induk",
        "350",
        "250",
        "DKUKMPP",
        "62.02.06.1002",
        "-2.5405",
        "112.9480",
        "Setiap hari",
        "05:00-17:00",
    ],
    [
        "psr-keramat",
        "Pasar Keramat",
        "Pasar Induk",
        "",
        "120",
        "DKUKMPP",
        "62.02.05.1001",
        "",
        "",
        "Setiap hari",
        "05:00-12:00",
    ],
    ["PIM", "Pasar Ikan Mentaya", "pasar_malam", "", "60", "", "", "", "", "Setiap malam", "17:00-23:00"],
]


def test_market_import_stores_every_good_row(db: Session, orgs: dict[str, int], write_csv: WriteCsv) -> None:
    report = import_markets(db, path=write_csv("pasar.csv", HEADER, GOOD), actor=None, regency_code="62.02")
    assert (report.rows, report.created, report.updated, report.rejected) == (3, 3, 0, 0)
    assert report.unresolved == 1  # PIM has neither desa code nor point
    keramat = db.scalar(select(Market).where(Market.code == "PSR-KERAMAT"))
    assert keramat is not None
    assert (keramat.kind, keramat.kios_count, keramat.los_count) == ("pasar_induk", None, 120)
    assert keramat.desa_code == "62.02.05.1001"
    events = db.scalars(select(AuditEntry.event)).all()
    assert "economy.market.imported" in events


def test_market_import_twice_changes_nothing_then_updates(
    db: Session, orgs: dict[str, int], write_csv: WriteCsv
) -> None:
    path = write_csv("pasar.csv", HEADER, GOOD)
    import_markets(db, path=path, actor=None, regency_code="62.02")
    again = import_markets(db, path=path, actor=None, regency_code="62.02")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [row[:] for row in GOOD]
    changed[0][4] = "260"
    third = import_markets(
        db, path=write_csv("pasar2.csv", HEADER, changed), actor=None, regency_code="62.02"
    )
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert db.scalars(select(Market.los_count).where(Market.code == "PPM")).one() == 260
    assert len(db.scalars(select(Market)).all()) == 3


def test_bad_market_rows_are_rejected_with_file_row_column_value_and_rule(
    db: Session, orgs: dict[str, int], write_csv: WriteCsv
) -> None:
    bad = [
        GOOD[0],
        ["PX1", "Pasar X", "supermarket", "", "", "", "", "", "", "", ""],
        ["PX2", "Pasar Y", "pasar desa", "12.5", "", "", "", "", "", "", ""],
        ["PX3", "Pasar Z", "pasar desa", "", "", "", "62.01.01.2001", "", "", "", ""],
        ["PX4", "Pasar W", "pasar desa", "", "", "DINAS-X", "", "", "", "", ""],
        ["PX5", "Pasar V", "pasar desa", "", "", "", "", "-2.5", "", "", ""],
        ["PX6", "Pasar U", "pasar desa", "", "", "", "", "", "", "", "pagi"],
        ["PPM", "PPM lagi", "pasar induk", "", "", "", "", "", "", "", ""],
    ]
    report = import_markets(db, path=write_csv("buruk.csv", HEADER, bad), actor=None, regency_code="62.02")
    assert (report.created, report.rejected) == (1, 7)
    found = {(e.row, e.column, e.value) for e in report.errors}
    assert found == {
        (3, "kind", "supermarket"),
        (4, "kios_count", "12.5"),
        (5, "desa_code", "62.01.01.2001"),
        (6, "managing_office", "DINAS-X"),
        (7, "lon", ""),
        (8, "opening_hours", "pagi"),
        (9, "code", "PPM"),
    }
    assert all(e.file == "buruk.csv" and e.rule for e in report.errors)
    assert db.scalars(select(Market.code)).all() == ["PPM"]


def test_unreadable_market_files_store_nothing(db: Session, orgs: dict[str, int], tmp_path: Path) -> None:
    empty = tmp_path / "kosong.csv"
    empty.write_text("", encoding="utf-8")
    missing = tmp_path / "kolom.csv"
    missing.write_text("code,name\nA,B\n", encoding="utf-8")
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"not a zip")
    for path, words in ((empty, "kosong"), (missing, "kind"), (broken, "XLSX")):
        with pytest.raises(ImportFileError, match=words) as info:
            import_markets(db, path=path, actor=None, regency_code="62.02")
        assert path.name in str(info.value)
    assert db.scalars(select(Market)).all() == []


def test_market_import_reads_xlsx(db: Session, orgs: dict[str, int], tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        [
            "PSR-SAMUDA",
            "Pasar H. Umar Hasyim",
            "pasar induk",
            80,
            40,
            "DKUKMPP",
            "62.02.08.1008",
            -2.87,
            112.91,
            "Setiap hari",
            "06:00-12:00",
        ]
    )
    path = tmp_path / "pasar.xlsx"
    book.save(path)
    report = import_markets(db, path=path, actor=None, regency_code="62.02")
    assert (report.created, report.rejected) == (1, 0)
    market = db.scalars(select(Market)).one()
    assert (market.kios_count, market.lat, market.desa_code) == (80, -2.87, "62.02.08.1008")


def test_only_admins_and_the_market_office_edit_markets(db: Session, people: dict[str, Person]) -> None:
    data = MarketCreate(code="PSR-1", name="Pasar Satu", kind="pasar desa", desa_code="62.02.10.2001")
    with pytest.raises(NotPermittedError):
        create_market(db, data=data, actor=people["kominfo_officer"].principal, regency_code="62.02")
    officer = people["dkukmpp"].principal
    market = create_market(db, data=data, actor=officer, regency_code="62.02")
    update = MarketUpdate(name="Pasar Satu Baru", kind="pasar_desa", los_count=40, desa_code="62.02.10.2001")
    update_market(db, code=market.code, data=update, actor=officer, regency_code="62.02")
    assert db.scalars(select(Market.name)).one() == "Pasar Satu Baru"


def test_market_import_blank_optional_cells_keep_stored_values(
    db: Session, orgs: dict[str, int], write_csv: WriteCsv
) -> None:
    import_markets(db, path=write_csv("pasar.csv", HEADER, GOOD[:1]), actor=None, regency_code="62.02")
    sparse = [["PPM", "Pusat Perbelanjaan Mentaya", "pasar induk", "", "260", "", "", "", "", "", ""]]
    report = import_markets(
        db, path=write_csv("jarang.csv", HEADER, sparse), actor=None, regency_code="62.02"
    )
    assert (report.updated, report.rejected) == (1, 0)
    assert report.blank_cells_kept == 7  # kios, office, desa, lat, lon, days, hours were stored
    ppm = db.scalars(select(Market).where(Market.code == "PPM")).one()
    assert (ppm.lat, ppm.lon) == (-2.5405, 112.9480)
    assert (ppm.market_days, ppm.opening_hours, ppm.kios_count) == ("Setiap hari", "05:00-17:00", 350)
    assert (ppm.desa_code, ppm.los_count) == ("62.02.06.1002", 260)


def test_market_import_reports_every_broken_rule_of_a_row_in_column_order(
    db: Session, orgs: dict[str, int], write_csv: WriteCsv
) -> None:
    broken = ["PX1", "", "pasar desa", "abc", "", "", "99.99.99.9999", "", "", "", "25:00-12:00"]
    path = write_csv("buruk.csv", HEADER, [GOOD[0], broken])
    report = import_markets(db, path=path, actor=None, regency_code="62.02")
    assert (report.rows, report.created, report.updated, report.unresolved, report.rejected) == (
        2,
        1,
        0,
        0,
        1,
    )
    assert [(e.file, e.row, e.column, e.value) for e in report.errors] == [
        ("buruk.csv", 3, "name", ""),
        ("buruk.csv", 3, "kios_count", "abc"),
        ("buruk.csv", 3, "desa_code", "99.99.99.9999"),
        ("buruk.csv", 3, "opening_hours", "25:00-12:00"),
    ]
    texts = [e.rule for e in report.errors]
    assert texts[0] == "wajib diisi" and "pemisah ribuan" in texts[1]
    assert "62.02" in texts[2] and "HH:MM-HH:MM" in texts[3]
    assert db.scalars(select(Market.code)).all() == ["PPM"]


def test_market_import_reports_a_repeated_code_next_to_the_other_errors_of_the_row(
    db: Session, orgs: dict[str, int], write_csv: WriteCsv
) -> None:
    again = ["ppm", "PPM lagi", "pasar induk", "", "1.000", "DINAS-X", "", "", "", "", ""]
    report = import_markets(
        db, path=write_csv("ganda.csv", HEADER, [GOOD[0], again]), actor=None, regency_code="62.02"
    )
    assert (report.created, report.rejected) == (1, 1)
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (3, "code", "ppm"),
        (3, "los_count", "1.000"),
        (3, "managing_office", "DINAS-X"),
    ]
    assert "baris 2" in report.errors[0].rule


def test_market_import_and_form_schema_share_the_count_and_coordinate_rules(
    db: Session, orgs: dict[str, int], write_csv: WriteCsv
) -> None:
    rows = [
        ["P1", "Pasar Satu", "pasar desa", "1.000", "", "", "", "", "", "", ""],
        ["P2", "Pasar Dua", "pasar desa", "", "2,5", "", "", "", "", "", ""],
        ["P3", "Pasar Tiga", "pasar desa", "350.0", "1000", "", "", "-2,5405", "112.948", "", ""],
        ["P4", "Pasar Empat", "pasar desa", "", "", "", "", "1e1", "112.948", "", ""],
    ]
    report = import_markets(db, path=write_csv("angka.csv", HEADER, rows), actor=None, regency_code="62.02")
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (2, "kios_count", "1.000"),
        (3, "los_count", "2,5"),
        (5, "lat", "1e1"),
    ]
    stored = db.scalars(select(Market)).one()
    assert (stored.code, stored.kios_count, stored.los_count, stored.lat) == ("P3", 350, 1000, -2.5405)
    for raw, column in (({"los_count": "1.000"}, "los_count"), ({"kios_count": "2,5"}, "kios_count")):
        with pytest.raises(ValidationError) as caught:
            MarketCreate.model_validate({"code": "PX", "name": "Pasar X", "kind": "pasar_desa", **raw})
        assert [e["loc"][0] for e in caught.value.errors()] == [column]
