"""After an ingest the raw payer ids occur nowhere under the data directory, in the database or the log."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import row, write_csv
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from conftest import Ingest
from smartkotim.config import Settings

RAW_IDS = [f"RAWPAYER-7f3a9c-{i:04d}" for i in range(6)]


def logical_text(settings: Settings) -> str:
    """Every value of every Parquet file and kept upload, decoded (compression hides nothing here)."""
    parts = []
    con = duckdb.connect()
    for path in settings.data_dir.rglob("*.parquet"):
        parts.append(str(con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()))
    for path in settings.uploads_dir.glob("*.duckdb"):
        con.execute(f"ATTACH '{path}' AS kept (READ_ONLY)")
        parts.append(str(con.execute("SELECT * FROM kept.upload").fetchall()))
        con.execute("DETACH kept")
    return "\n".join(parts)


def database_dump(engine: Engine) -> str:
    with engine.connect() as conn:
        return "\n".join(
            str(conn.execute(text(f'SELECT * FROM "{table}"')).fetchall())
            for table in inspect(engine).get_table_names()
        )


def test_raw_payer_ids_are_nowhere_after_an_ingest(
    tmp_path: Path, ingest: Ingest, settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rows = [
        row("T1", payer=RAW_IDS[0]),
        row("T1", payer=RAW_IDS[1]),  # duplicate
        row("T2", payer=RAW_IDS[2], amount="-5"),  # rejected
        row("T3", payer=RAW_IDS[3], m=99),  # quarantined
        row("T4", payer=RAW_IDS[4], ts="kemarin"),  # rejected
        row("T5", payer=RAW_IDS[5], status="reversed"),
    ]
    batch = ingest(write_csv(tmp_path / "a.csv", rows))
    assert batch.status == "applied"
    assert batch.rows_rejected == 2 and batch.rows_quarantined == 1
    raw_bytes = [p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()]
    haystacks = [logical_text(settings), database_dump(engine), caplog.text]
    for raw in RAW_IDS:
        assert not any(raw.encode() in blob for blob in raw_bytes), raw
        assert not any(raw in hay for hay in haystacks), raw
    assert "RAWPAYER" not in "".join(haystacks)
    assert not list((settings.data_dir / "tmp").rglob("*.upload"))


def test_a_payer_column_the_profile_does_not_map_is_not_kept_either(
    tmp_path: Path, ingest: Ingest, settings: Settings, engine: Engine, db: Session
) -> None:
    # a profile without payer ids (payer_id = ""): the file's payer_id column is then just a column the
    # profile ignores, and the kept upload must not keep it for the failing rows it quotes
    from smartkotim.economy.ingest import profile_services, services
    from smartkotim.economy.ingest.queries import list_row_errors

    toml = (Path(services.__file__).parent / "profiles" / "default.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "default"', 'name = "tanpa-payer"').replace(
        'payer_id = "payer_id"', 'payer_id = ""'
    )
    profile_services.add_profile(db, toml_text=toml, principal=None)
    rows = [
        row("T1", payer=RAW_IDS[0]),
        row("T2", payer=RAW_IDS[1], amount="-5"),  # rejected: its mapped columns are quoted
        row("T3", payer=RAW_IDS[2], m=99),  # quarantined
    ]
    batch = ingest(write_csv(tmp_path / "a.csv", rows), profile="tanpa-payer")
    assert batch.status == "applied", batch.message
    assert (batch.rows_accepted, batch.rows_rejected, batch.rows_quarantined) == (1, 1, 1)
    assert [(e.row_no, e.column, e.raw_value) for e in list_row_errors(db, batch.id)] == [
        (3, "amount", "-5"),
        (4, "nmid", row("T3", m=99)[3]),
    ]
    raw_bytes = [p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()]
    haystacks = [logical_text(settings), database_dump(engine)]
    for raw in RAW_IDS[:3]:
        assert not any(raw.encode() in blob for blob in raw_bytes), raw
        assert not any(raw in hay for hay in haystacks), raw
