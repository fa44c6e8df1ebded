"""Helpers of the ingest tests: report files written by the tests themselves."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from smartkotim.economy.ingest.models import BatchSource
from smartkotim.economy.ingest.services import UploadSpec, file_sha256

HEADER = ("acquirer", "txn_id", "timestamp", "nmid", "amount", "channel", "status", "payer_id")


def nmid(i: int) -> str:
    """A valid NMID (``ID`` + 13 digits) numbered ``i``."""
    return f"ID{1025380000000 + i:013d}"


def row(
    txn: str,
    *,
    ts: str = "2026-10-05T10:00:00+07:00",
    m: int = 1,
    amount: str = "25000",
    channel: str = "qris",
    status: str = "success",
    payer: str = "CIF-0001",
    bank: str = "BANKA",
) -> tuple[str, ...]:
    """One row in the default profile's column order."""
    return (bank, txn, ts, nmid(m), amount, channel, status, payer)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """Write ``rows`` under ``header`` (``encoding`` ``utf-8-sig`` adds a BOM)."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def add_sukses_profile(db: Session, name: str = "banka") -> str:
    """Add the profile ``name``: the built-in default that also reads the status ``SUKSES`` as success
    (the usual "profile fix" of the re-processing tests); return its name."""
    from smartkotim.economy.ingest import profile_services, services

    toml = (Path(services.__file__).parent / "profiles" / "default.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "default"', f'name = "{name}"').replace(
        'success = ["success"]', 'success = ["success", "sukses"]'
    )
    profile_services.add_profile(db, toml_text=toml, principal=None)
    return name


def upload_spec(
    path: Path, *, bank: str = "BANKA", profile: str = "default", source: BatchSource = BatchSource.CLI
) -> UploadSpec:
    """The ``UploadSpec`` of a file the test wrote (its real SHA-256 and size)."""
    sha, size = file_sha256(path)
    return UploadSpec(
        path=path,
        file_name=path.name,
        sha256=sha,
        size=size,
        bank_code=bank,
        profile_name=profile,
        source=source,
    )
