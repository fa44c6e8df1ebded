"""``smartkotim batches reprocess``: re-reads a batch's failing rows with a fixed profile, inline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_helpers import add_sukses_profile, row, write_csv
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from conftest import Ingest
from smartkotim.config import Settings
from smartkotim.economy.ingest.commands import app
from smartkotim.economy.ingest.queries import summarise_rollups


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose commands open the test's database and data folder (``SMARTKOTIM_*``)."""
    monkeypatch.setenv("SMARTKOTIM_DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("SMARTKOTIM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SMARTKOTIM_SECRET_KEY", settings.secret_key.get_secret_value())
    return CliRunner()


def test_reprocess_command_applies_a_fixed_profile_and_refuses_what_it_cannot_do(
    cli: CliRunner, ingest: Ingest, tmp_path: Path, db: Session
) -> None:
    first = ingest(write_csv(tmp_path / "a.csv", [row("T1"), row("T2", status="SUKSES", amount="4000")]))
    assert (first.rows_accepted, first.rows_rejected) == (1, 1)
    add_sukses_profile(db)
    result = cli.invoke(app, ["batches", "reprocess", str(first.id), "--profile", "banka", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (payload["rows_read"], payload["rows_accepted"], payload["status"]) == (1, 1, "applied")
    db.expire_all()
    assert summarise_rollups(db)["value"] == 25000 + 4000
    # nothing failed any more in the new batch; an unknown batch; an unknown profile
    again = cli.invoke(app, ["batches", "reprocess", str(payload["id"])])
    assert again.exit_code == 1 and "tidak ada yang perlu" in again.output
    missing = cli.invoke(app, ["batches", "reprocess", "999999", "--json"])
    assert missing.exit_code == 1 and "tidak ditemukan" in json.loads(missing.output)["refused"]
    unknown = cli.invoke(app, ["batches", "reprocess", str(first.id), "--profile", "tidak-ada"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output


def test_ingest_command_prints_counts_and_refuses_a_repeated_file(
    cli: CliRunner, merchants: list[str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [row("T1"), row("T2", amount="x")])
    first = cli.invoke(app, ["ingest", str(path), "--bank", "BANKA", "--json"])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.output)
    assert (payload["rows_read"], payload["rows_accepted"], payload["rows_rejected"]) == (2, 1, 1)
    again = cli.invoke(app, ["ingest", str(path), "--bank", "BANKA", "--json"])
    assert again.exit_code == 1 and json.loads(again.output)["batch_id"] == payload["id"]
    text = cli.invoke(app, ["ingest", str(write_csv(tmp_path / "b.csv", [row("T3")])), "--bank", "BANKA"])
    assert text.exit_code == 0 and "accepted 1" in text.output


def test_ingest_command_takes_the_bank_code_in_any_case(
    cli: CliRunner, merchants: list[str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [row("T1")])
    done = cli.invoke(app, ["ingest", str(path), "--bank", " banka ", "--json"])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.output)
    assert (payload["acquirer_code"], payload["rows_accepted"]) == ("BANKA", 1)
    unknown = cli.invoke(app, ["ingest", str(write_csv(tmp_path / "b.csv", [row("T2")])), "--bank", "bankz"])
    assert unknown.exit_code == 1 and "'BANKZ'" in unknown.output
