"""``smartkotim metrics recompute``: a readable summary, JSON on request, a clean error for a bad date."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from smartkotim.config import Settings
from smartkotim.economy.metrics import queries
from smartkotim.economy.metrics.commands import app


@pytest.fixture
def cli(settings: Settings, ingested: Session, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands open the test's database and data folder (``SMARTKOTIM_*``)."""
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", settings.secret_key.get_secret_value())
    return CliRunner()


def test_recompute_prints_a_summary_and_json(cli: CliRunner, ingested: Session) -> None:
    result = cli.invoke(app, ["recompute", "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    ingested.expire_all()
    run = queries.get_latest_run(ingested)
    assert run is not None and run.mode == "full" and run.as_of.isoformat() == "2026-11-30"
    assert (
        f"{run.periods:,} periode, {run.rows:,} baris, data {run.first_day} s.d. {run.last_day}"
        in result.output
    )
    assert "{" not in result.output  # no dict repr
    as_json = cli.invoke(app, ["recompute", "--as-of", "2026-11-30", "--json"])
    payload = json.loads(as_json.output)
    assert payload["mode"] == "full" and payload["rows"] == run.rows


def test_recompute_refuses_a_bad_date_without_a_traceback(cli: CliRunner) -> None:
    result = cli.invoke(app, ["recompute", "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert "--as-of '2026-13-01'" in result.output and "Traceback" not in result.output
