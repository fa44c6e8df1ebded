"""Batches, their row errors, stored report profiles and the merchant × day × channel rollups.

The transactions themselves live in the Delta Lake ledger (``smartkotim.ledger``), not here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartkotim.db import Base, UTCDateTime, utcnow


class BatchStatus(StrEnum):
    """Lifecycle of a batch: ``committed`` = in the ledger, rollups pending; ``applied`` = recorded."""

    QUEUED = "queued"
    RUNNING = "running"
    COMMITTED = "committed"
    APPLIED = "applied"
    FAILED = "failed"


class BatchSource(StrEnum):
    """Where a batch came from."""

    WEB = "web"
    API = "api"
    CLI = "cli"
    REPROCESS = "reprocess"
    RELEASE = "release"
    RECOVERED = "recovered"


ACTIVE_STATUSES = (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.COMMITTED, BatchStatus.APPLIED)


class IngestBatch(Base):
    """One ingest of one file (or one release of quarantined rows): provenance, status, counts."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    acquirer_code: Mapped[str] = mapped_column(String(40), index=True)
    source: Mapped[str] = mapped_column(String(12))
    profile_name: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    file_format: Mapped[str | None] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token_id: Mapped[int | None] = mapped_column(Integer)
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    reprocess_of_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    job_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True, default=BatchStatus.QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    rows_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_accepted: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_duplicate: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_quarantined: Mapped[int] = mapped_column(BigInteger, default=0)
    value_accepted: Mapped[int] = mapped_column(BigInteger, default=0)
    error_count: Mapped[int] = mapped_column(BigInteger, default=0)
    errors_truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    months: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ledger_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IngestRowError(Base):
    """One failed rule of one row: row number, source column, raw value (never a raw payer id), rule."""

    __tablename__ = "ingest_row_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id", ondelete="CASCADE"), index=True)
    row_no: Mapped[int] = mapped_column(BigInteger)
    column: Mapped[str] = mapped_column(String(120))
    raw_value: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(40))


class IngestProfile(Base):
    """A report profile added by an admin (TOML text); built-in profiles ship with the package."""

    __tablename__ = "ingest_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    acquirer_code: Mapped[str | None] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    toml_text: Mapped[str] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TransactionRollup(Base):
    """Effective transactions of one merchant (NMID) on one WIB day through one channel and acquirer.

    ``txn_count``/``value`` (integer rupiah) count successful, not reversed transactions; ``payers`` is
    their exact number of distinct payer pseudonyms in this cell only (never sum it across cells);
    ``failed_count`` and ``reversed_count`` count failed and reversed transactions.
    """

    __tablename__ = "txn_rollups"
    # clustered on the key (SQLite WITHOUT ROWID): one B-tree to insert into, not two
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 (SQLAlchemy reads it once)

    # Primary key order (day, acquirer, nmid, channel): a batch replaces whole (acquirer, day) slices and
    # issue-4 reads scan day ranges, both by this key's prefix, so no secondary index is needed.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    acquirer_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    nmid: Mapped[str] = mapped_column(String(15), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    txn_count: Mapped[int] = mapped_column(BigInteger, default=0)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    payers: Mapped[int] = mapped_column(BigInteger, default=0)
    failed_count: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed_count: Mapped[int] = mapped_column(BigInteger, default=0)
    batch_id: Mapped[int | None] = mapped_column(Integer)
