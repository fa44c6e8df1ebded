"""Storing the economy demo: banks, the register (through the register's imports) and the monthly bank
reports (through the real ingest, one file per bank per month)."""

from __future__ import annotations

from collections.abc import Iterable
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


def ingest_reports(runtime: Runtime, reports: Iterable[BankMonth], folder: Path) -> tuple[int, int]:
    """Write each report as CSV in ``folder`` and ingest it; returns (rows recorded, reports already in).

    The CSV (which holds the synthetic payer ids) is deleted by the ingest when its batch ends.
    """
    from smartkotim.economy.ingest.models import BatchSource
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
    return added, skipped
