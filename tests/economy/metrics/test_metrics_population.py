"""Adult population import (``smartkotim metrics population``): figures applied at once to payers per
1,000 adults, all-or-nothing refusal naming row, column, value and rule, CSV and XLSX."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import metrics_dataset as ds
import pytest
from metrics_dataset import A, B, C
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_metrics_exact import AS_OF
from typer.testing import CliRunner

from smartkotim.config import Settings
from smartkotim.demo.economy import build_demo_register, write_demo_population
from smartkotim.economy.metrics import queries, readers
from smartkotim.economy.metrics.commands import app
from smartkotim.economy.metrics.population import PopulationImportError, import_adult_population, parse_adults
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.regions.models import Region


def adults_of(db: Session, code: str) -> int | None:
    db.expire_all()
    return db.scalars(select(Region.adult_population).where(Region.code == code)).one()


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_sets_figures_that_apply_without_a_recompute(
    seeded: Session, settings: Settings, tmp_path: Path
) -> None:
    recompute_metrics(seeded, settings, as_of=AS_OF, source="dataset")
    before = {
        i.code: i for i in readers.list_area_metrics(seeded, settings, level="desa", period_id="2026-10")
    }
    assert before[C].adults is None and before[C].payers_per_1000_adults is None
    path = write_csv(
        tmp_path / "dukcapil.csv", ["code,adults,source", f"{C},2.500,Dukcapil 2026", f"{A},1000,"]
    )
    result = import_adult_population(seeded, path, regency_code=settings.regency_code, actor_label="test")
    assert (result.updated, result.unchanged) == ([C], [A])  # A already had 1,000 (the dataset's figure)
    assert adults_of(seeded, C) == 2500
    after = {
        i.code: i for i in readers.list_area_metrics(seeded, settings, level="desa", period_id="2026-10")
    }
    payers_c = len(
        {t.payer for t in ds.TRANSACTIONS if t.merchant == 6 and t.day.strftime("%Y-%m") == "2026-10"}
    )
    assert after[C].adults == 2500
    assert after[C].payers_per_1000_adults == round(payers_c / 2500 * 1000, 2)
    assert after[A].payers_per_1000_adults == round(after[A].unique_payers / 1000 * 1000, 2)


def test_a_bad_row_refuses_the_whole_file_and_names_every_bad_cell(
    seeded: Session, settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        ["code,adults", f"{C},3000", "62.99.01.1001,100", f'{B},"12,5"', f"{C},40", f"{A},", f"{A},99999999"],
    )
    with pytest.raises(PopulationImportError) as caught:
        import_adult_population(seeded, path, regency_code=settings.regency_code, actor_label="test")
    found = {(e.row, e.column, e.value) for e in caught.value.errors}
    assert found == {
        (3, "code", "62.99.01.1001"),
        (4, "adults", "12,5"),
        (5, "code", C),
        (6, "adults", ""),
        (7, "code", A),
        (7, "adults", "99999999"),
    }
    assert "bad.csv" in str(caught.value) and "baris 3" in str(caught.value)
    assert adults_of(seeded, C) is None  # row 2 was fine, but nothing is stored
    assert adults_of(seeded, B) == ds.ADULTS[B]


def test_the_cli_reads_xlsx_and_reports_refusals_as_json(
    seeded: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", settings.secret_key.get_secret_value())
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "adults"])
    sheet.append([C, 4321])
    book.save(tmp_path / "dukcapil.xlsx")
    result = CliRunner().invoke(app, ["population", str(tmp_path / "dukcapil.xlsx"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"file": "dukcapil.xlsx", "updated": [C], "unchanged": []}
    assert adults_of(seeded, C) == 4321
    bad = write_csv(tmp_path / "bad.csv", ["code,adults", f"{C},-5"])
    refused = CliRunner().invoke(app, ["population", str(bad), "--json"])
    assert refused.exit_code == 2
    assert json.loads(refused.output)["errors"] == [
        {"row": 2, "column": "adults", "value": "-5", "rule": parse_error("-5")}
    ]
    assert adults_of(seeded, C) == 4321


def parse_error(text: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse_adults(text)
    return str(caught.value)


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("1234", 1234), ("1.234", 1234), ("12,345,678", None)])
def test_parse_adults(text: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(ValueError, match="lebih dari"):
            parse_adults(text)
    else:
        assert parse_adults(text) == value


def test_demo_population_covers_every_desa_and_imports(
    db: Session, metrics_tables: object, settings: Settings, tmp_path: Path
) -> None:
    register = build_demo_register(settings.regency_code, end=date(2026, 10, 1))
    path = write_demo_population(register, settings.regency_code, tmp_path)
    result = import_adult_population(db, path, regency_code=settings.regency_code, actor_label="test")
    desa = {r["code"]: r for r in queries.list_area_rows(db, regency_code=settings.regency_code)}
    desa_codes = [c for c, r in desa.items() if r["level"] == "desa"]
    assert sorted(result.updated) == sorted(desa_codes) and len(desa_codes) == 185
    traders: dict[str, int] = {}
    for row in register.merchants:
        if row.get("desa_code"):  # some demo traders are placed by market or address only
            traders[row["desa_code"]] = traders.get(row["desa_code"], 0) + 1
    busiest = max(traders, key=lambda c: traders[c])
    assert desa[busiest]["adults"] >= 600 + 90 * traders[busiest]
    # kecamatan and kabupaten get the sums of their desa
    kab = desa[settings.regency_code]["adults"]
    assert kab == sum(desa[c]["adults"] for c in desa_codes)
