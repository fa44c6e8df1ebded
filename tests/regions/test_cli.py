"""``smartkotim regions import-boundaries``: the report as a table, as JSON, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from regions_helpers import shared_file
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from smartkotim.config import Settings
from smartkotim.regions import queries
from smartkotim.regions.commands import app
from smartkotim.regions.models import RegionLevel

TEST_SECRET = "regions-cli-test-secret-key-0123456789abcdef"


@pytest.fixture
def cli_env(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI (which reads SMARTKOTIM_* variables) at the test database (register loaded)."""
    assert settings.database_url is not None
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", TEST_SECRET)


def test_json_output_parses_and_matches_the_database(cli_env: None, db: Session, boundaries: Path) -> None:
    result = CliRunner().invoke(
        app, ["import-boundaries", str(shared_file(boundaries, RegionLevel.KECAMATAN)), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "imported" and data["version"] == 1
    assert len(data["report"]["matched"]) == 17 and data["report"]["unmatched_register"] == []
    current = queries.get_current_import(db, RegionLevel.KECAMATAN)
    assert current is not None and current.id == data["import_id"]
    assert current.created_by.startswith("cli:")


def test_table_output_names_the_methods(cli_env: None, boundaries: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["import-boundaries", str(shared_file(boundaries, RegionLevel.KABUPATEN)), "--level", "kabupaten"],
    )
    assert result.exit_code == 0, result.output
    assert (
        "62.02" in result.output and "│ code" in result.output and "kabupaten (detected)" not in result.output
    )
    assert "Boundaries imported: import" in result.output


def test_refusal_exits_1_with_json_error(cli_env: None, db: Session, tmp_path: Path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_bytes(b"")
    result = CliRunner().invoke(app, ["import-boundaries", str(path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (
        data["status"] == "refused"
        and data["rule"] == "the file is empty"
        and data["file"] == "empty.geojson"
    )
    assert queries.list_boundary_imports(db) == []


def test_partial_file_refused_then_accepted_with_allow_partial(
    cli_env: None, db: Session, boundaries: Path, tmp_path: Path
) -> None:
    import geopandas as gpd

    frame = gpd.read_file(shared_file(boundaries, RegionLevel.KECAMATAN))
    missing = frame.iloc[5]
    path = tmp_path / "kecamatan_16.geojson"
    frame.drop(index=[5]).to_file(path, driver="GeoJSON")
    refused = CliRunner().invoke(app, ["import-boundaries", str(path)])
    assert refused.exit_code == 1 and "Refused" in refused.output and missing["nama"] in refused.output
    assert queries.list_boundary_imports(db) == []
    accepted = CliRunner().invoke(app, ["import-boundaries", str(path), "--allow-partial", "--json"])
    assert accepted.exit_code == 0, accepted.output
    report = json.loads(accepted.stdout)["report"]
    assert report["unmatched_register"] == [{"code": missing["kode"], "name": missing["nama"]}]
