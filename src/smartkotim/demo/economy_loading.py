"""Storing the economy demo: banks, the register (through the register's imports) and the monthly bank
reports (through the real ingest, one file per bank per month)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.demo.economy import DemoRegister, write_register_csvs
from smartkotim.demo.economy_transactions import BankMonth, write_report_csv
from smartkotim.economy.registry.market_services import import_markets
from smartkotim.economy.registry.merchant_import import import_merchant_rows
from smartkotim.economy.registry.models import MerchantSource
from smartkotim.economy.registry.schemas import ImportReport
from smartkotim.economy.registry.tabular import Row
from smartkotim.runtime import Runtime


def ensure_banks(session: Session, *, regency_code: str) -> tuple[int, int]:
    """Create the partner banks (BRI, BNI, MANDIRI, BPD-KALTENG, BSI) and offices that are missing.

    Returns ``(banks created, banks already there)`` — counting bank organisations only (the accounts
    demo usually created them already).
    """
    from smartkotim.accounts.organisations import BANK_SEED, seed_organisations

    created = set(seed_organisations(session, regency_code=regency_code, include_banks=True).created)
    banks = [code for code, _ in BANK_SEED]
    made = sum(code in created for code in banks)
    return made, len(banks) - made


def load_register(
    session: Session, settings: Settings, register: DemoRegister
) -> tuple[ImportReport, ImportReport]:
    """Upsert the demo markets and merchants (flagged synthetic, source ``demo``)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="smartkotim-demo-register-") as folder:
        markets_csv, _ = write_register_csvs(register, Path(folder))
        markets = import_markets(
            session,
            path=markets_csv,
            actor=None,
            regency_code=settings.regency_code,
            is_synthetic=True,
            actor_label="demo",
        )
    rows = [Row(i + 2, cells) for i, cells in enumerate(register.merchants)]
    merchants = import_merchant_rows(
        session,
        rows=rows,
        file_name="demo_pedagang.csv",
        actor=None,
        settings=settings,
        actor_label="demo",
        source=MerchantSource.DEMO,
        is_synthetic=True,
    )
    return markets, merchants


def arrival_time(acquirer: str, month: str, now: datetime) -> datetime | None:
    """When the synthetic report of ``acquirer`` for ``month`` (``YYYY-MM``) "arrived" (UTC): a working
    hour (09–16 WIB) of a day of the next month — mostly the 2nd–9th, one report in seven on the
    11th–20th (late against the default deadline, the 10th) — derived from a checksum of the pair, so
    every load gives the same times. ``None`` when that time is not yet past (the report arrives now).
    The reporting scorecard of the demo then shows banks reporting on time and late, not all late
    because every demo batch was created on the day of ``demo load``."""
    year, mon = int(month[:4]), int(month[5:7])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    draw = zlib.crc32(f"{acquirer}:{month}".encode())
    day = 2 + draw % 8 if draw % 7 else 11 + draw % 10
    wib = timezone(timedelta(hours=7))
    at = datetime(year, mon, day, 9 + (draw >> 8) % 8, (draw >> 16) % 60, tzinfo=wib).astimezone(UTC)
    return at if at < now else None


def ingest_reports(runtime: Runtime, reports: Iterable[BankMonth], folder: Path) -> tuple[int, int]:
    """Write each report as CSV in ``folder`` and ingest it; returns (rows recorded, reports already in).

    The CSV (which holds the synthetic payer ids) is deleted by the ingest when its batch ends. Each
    batch is dated at its report's ``arrival_time`` (when past).
    """
    from smartkotim.db import utcnow
    from smartkotim.economy.ingest.models import BatchSource, IngestBatch
    from smartkotim.economy.ingest.services import DuplicateFileError, UploadSpec, file_sha256, ingest_file

    added = skipped = 0
    for report in reports:
        path = write_report_csv(report, folder)
        sha, size = file_sha256(path)
        spec = UploadSpec(
            path=path,
            file_name=path.name,
            sha256=sha,
            size=size,
            bank_code=report.acquirer,
            profile_name="default",
            source=BatchSource.CLI,
            actor_label="demo",
            delete_after=True,
        )
        try:
            batch = ingest_file(runtime.settings, runtime.session_factory, spec)
        except DuplicateFileError:
            skipped += 1
            path.unlink(missing_ok=True)
            continue
        added += int(batch.rows_accepted)
        arrived = arrival_time(report.acquirer, report.month, utcnow())
        if arrived is not None:
            with runtime.session_factory() as session:
                stored = session.get(IngestBatch, batch.id)
                if stored is not None:
                    stored.created_at = arrived
                    session.commit()
    return added, skipped
