"""Fixtures of the metrics tests: the hand-made dataset (``metrics_dataset.py``) in the real database,
as a registered Arrow source (``seeded``) or ingested from CSV files by the real ingest (``ingested``)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import metrics_dataset as ds
import pyarrow as pa
import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from smartkotim.accounts.models import Organisation
from smartkotim.config import Settings
from smartkotim.economy.ingest import services
from smartkotim.economy.ingest.models import BatchSource, IngestBatch
from smartkotim.economy.metrics.sources import TXN_SOURCES
from smartkotim.economy.registry.models import Market, Merchant
from smartkotim.regions.models import Region


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with the web app checking the metrics version on every request."""
    return settings.model_copy(update={"metrics_version_check_seconds": 0.0})


@pytest.fixture
def metrics_tables(engine: Engine) -> Engine:
    """The migrated database (migration 0004 makes the metrics tables)."""
    return engine


def dataset_transactions(transactions: list[ds.T] | None = None) -> pa.Table:
    """The dataset's transactions in the computation's input shape."""
    by_key = {m.key: m for m in ds.MERCHANTS}
    rows: list[dict[str, Any]] = [
        {
            "nmid": by_key[t.merchant].nmid,
            "day": t.day,
            "amount": t.amount,
            "payer": t.payer,
            "ok": t.status == "success",
            "attempted": t.status in ("success", "failed"),
            "acquirer": by_key[t.merchant].acquirer,
        }
        for t in (ds.TRANSACTIONS if transactions is None else transactions)
    ]
    return pa.Table.from_pylist(rows)


def seed_register(db: Session) -> None:
    """The dataset's market, merchants and adult populations."""
    market = Market(
        code=ds.MARKET, name="Pasar Satu", kind="pasar_desa", desa_code=ds.A, lat=-2.55, lon=112.95
    )
    db.add(market)
    db.flush()
    for m in ds.MERCHANTS:
        db.add(
            Merchant(
                nmid=m.nmid,
                name=f"Pedagang {m.key}",
                name_normalised=f"pedagang {m.key}",
                market_id=market.id if m.market else None,
                desa_code=m.desa,
                desa_resolution="code",
                accepts_cashless=m.registered,
                onboarded_on=m.onboarded_on,
                acquirer_code=m.acquirer,
                status="active",
            )
        )
    for code, adults in ds.ADULTS.items():
        db.execute(update(Region).where(Region.code == code).values(adult_population=adults))
    db.commit()


@pytest.fixture
def seeded(db: Session, metrics_tables: Engine, settings: Settings) -> Iterator[Session]:
    """The register of the dataset, with its transactions as the ``dataset`` source."""
    seed_register(db)
    TXN_SOURCES["dataset"] = lambda _settings, _con, _months: dataset_transactions()
    yield db
    TXN_SOURCES.pop("dataset", None)


BANKS = ("BNK1", "BNK2")
HEADER = ("acquirer", "txn_id", "timestamp", "nmid", "amount", "channel", "status", "payer_id")


def csv_rows(transactions: list[ds.T], bank: str) -> list[tuple[str, ...]]:
    """The transactions of ``bank`` in the default profile (10:00 WIB on their day; channel qris)."""
    by_key = {m.key: m for m in ds.MERCHANTS}
    return [
        (
            bank,
            t.txn_id,
            f"{t.day.isoformat()}T10:00:00+07:00",
            by_key[t.merchant].nmid or "",
            str(t.amount),
            "qris",
            t.status,
            t.payer,
        )
        for t in transactions
        if by_key[t.merchant].acquirer == bank
    ]


def ingest_csv(
    settings: Settings, factory: sessionmaker[Session], path: Path, rows: list[tuple[str, ...]], bank: str
) -> IngestBatch:
    """Write ``rows`` as a CSV report and run it through the real ingest (as the CLI does)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    sha, size = services.file_sha256(path)
    spec = services.UploadSpec(
        path=path,
        file_name=path.name,
        sha256=sha,
        size=size,
        bank_code=bank,
        profile_name="default",
        source=BatchSource.CLI,
    )
    batch = services.ingest_file(settings, factory, spec)
    assert batch.status == "applied", batch.message
    return batch


@pytest.fixture
def ingested(
    db: Session,
    metrics_tables: Engine,
    settings: Settings,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> Session:
    """The dataset's register and banks, its transactions ingested from one CSV file per bank."""
    for code in BANKS:
        db.add(Organisation(code=code, name=f"Bank {code}", kind="bank"))
    db.commit()
    seed_register(db)
    for bank in BANKS:
        ingest_csv(settings, session_factory, tmp_path / f"{bank}.csv", csv_rows(ds.TRANSACTIONS, bank), bank)
    return db
