"""Atomicity: an ingest killed with SIGKILL midway leaves ledger and rollups as they were; retry succeeds.

The CLI runs in a subprocess with the test hook ``SMARTKOTIM_INGEST_TEST_PAUSE=step:marker``: at ``step``
it touches ``marker`` and sleeps, and the test kills it there with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingest_helpers import row, write_csv
from sqlalchemy.orm import Session, sessionmaker

from conftest import Ingest
from smartkotim import ledger
from smartkotim.config import Settings
from smartkotim.economy.ingest.models import IngestBatch
from smartkotim.economy.ingest.queries import summarise_rollups
from smartkotim.economy.ingest.reconcile import reconcile

ROOT = Path(__file__).resolve().parents[3]


def run_cli(settings: Settings, path: Path, pause: str | None, marker: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTKOTIM_")}
    env |= {
        "SMARTKOTIM_DATA_DIR": str(settings.data_dir),
        "SMARTKOTIM_DATABASE_URL": settings.sqlalchemy_url,
        "SMARTKOTIM_SECRET_KEY": settings.secret_key.get_secret_value() if settings.secret_key else "",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if pause:
        env["SMARTKOTIM_INGEST_TEST_PAUSE"] = f"{pause}:{marker}"
    command = [
        str(Path(sys.executable).parent / "smartkotim"),
        "ingest",
        str(path),
        "--bank",
        "BANKA",
        "--json",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_at(process: subprocess.Popen[bytes], marker: Path) -> None:
    for _ in range(1200):
        if marker.exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), process.communicate()
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reaps the process and closes its pipes


def state(settings: Settings, db: Session) -> tuple[object, object]:
    db.expire_all()
    return ledger.summarise_ledger(settings)["total"], summarise_rollups(db)


@pytest.mark.parametrize("step", ["after_stage", "before_commit"])
def test_kill_before_the_ledger_commit_changes_nothing_and_retry_succeeds(
    step: str,
    tmp_path: Path,
    ingest: Ingest,
    settings: Settings,
    db: Session,
    session_factory: sessionmaker[Session],
) -> None:
    ingest(write_csv(tmp_path / "first.csv", [row("T0", amount="1000")]))
    before = state(settings, db)
    path = write_csv(tmp_path / "second.csv", [row(f"T{i}", amount="500") for i in range(1, 201)])
    kill_at(run_cli(settings, path, step, tmp_path / "marker"), tmp_path / "marker")
    assert state(settings, db) == before
    retry = run_cli(settings, path, None, tmp_path / "unused")
    _, err = retry.communicate(timeout=300)
    assert retry.returncode == 0, err.decode()
    ledger_total, rollup_total = state(settings, db)
    assert ledger_total["rows"] == 201  # type: ignore[index]
    assert rollup_total["value"] == 1000 + 200 * 500  # type: ignore[index]
    statuses = [b.status for b in db.query(IngestBatch).order_by(IngestBatch.id)]
    assert statuses == ["applied", "failed", "applied"]
    assert not list(ledger.table_path(settings, ledger.TRANSACTIONS).glob("month=*/b2_*.parquet"))


def test_kill_after_the_ledger_commit_is_finished_by_reconcile(
    tmp_path: Path, ingest: Ingest, settings: Settings, db: Session, session_factory: sessionmaker[Session]
) -> None:
    path = write_csv(tmp_path / "a.csv", [row(f"T{i}", amount="700") for i in range(1, 51)])
    kill_at(run_cli(settings, path, "after_commit", tmp_path / "marker"), tmp_path / "marker")
    assert ledger.summarise_ledger(settings)["total"]["rows"] == 50
    assert summarise_rollups(db)["txn_count"] == 0
    report = reconcile(settings, session_factory)
    assert report.applied == [1]
    _, rollup_total = state(settings, db)
    assert rollup_total["value"] == 50 * 700  # type: ignore[index]
    retry = run_cli(settings, path, None, tmp_path / "unused")
    out, _ = retry.communicate(timeout=300)
    assert retry.returncode == 1 and b"batch_id" in out  # refused: already in the ledger as batch 1
