"""Pydantic shapes of the ingest's JSON API (``/api/economy/...``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from smartkotim.economy.ingest.models import IngestBatch


class BatchOut(BaseModel):
    """One batch: provenance, status, progress (0–1) and row counts (``read = accepted + duplicate +
    rejected + quarantined``); ``value_accepted`` is integer rupiah; times are UTC."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    acquirer_code: str
    source: str
    profile_name: str
    file_name: str
    file_sha256: str
    file_size: int
    file_format: str | None
    actor_label: str
    reprocess_of_id: int | None
    job_id: int | None
    status: str
    progress: float
    message: str
    rows_read: int
    rows_accepted: int
    rows_duplicate: int
    rows_rejected: int
    rows_quarantined: int
    value_accepted: int
    error_count: int
    errors_truncated: bool
    months: list[str]
    ledger_version: int | None
    created_at: datetime
    started_at: datetime | None
    committed_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, batch: IngestBatch) -> BatchOut:
        """The schema of a batch row."""
        out = cls.model_validate(batch)
        return out.model_copy(update={"file_format": (batch.details or {}).get("format")})


class RowErrorOut(BaseModel):
    """One row error: row number (header = row 1), source column, raw value (never a payer id), rule."""

    model_config = ConfigDict(from_attributes=True)
    row_no: int
    column: str
    raw_value: str | None
    rule: str


class BatchDetailOut(BaseModel):
    """A batch with its first stored row errors."""

    batch: BatchOut
    errors: list[RowErrorOut]


class UploadRefusedOut(BaseModel):
    """Why an upload was refused (``status``: the HTTP status, 400, 403 or 409); ``batch_id`` points at
    the batch that already holds the same file (null when there is none or it is another bank's)."""

    detail: str
    batch_id: int | None = None
    status: int


class ProfileOut(BaseModel):
    """A report profile: built-in or stored, with its TOML text."""

    name: str
    description: str
    acquirer_code: str | None
    builtin: bool
    toml_text: str


class ProfileCreate(BaseModel):
    """A profile to store (TOML text, see ``docs/ingest.md``)."""

    toml_text: str


class PreviewOut(BaseModel):
    """Dry-run of a profile on the first rows of a sample file."""

    format: str
    columns: list[str]
    decimal: str
    thousands: str
    rows: list[dict[str, Any]]


class ScorecardRowOut(BaseModel):
    """One bank × month of the reporting scorecard (times UTC)."""

    acquirer_code: str
    month: str
    first_reported_at: datetime
    deadline: datetime
    on_time: bool
    revisions: int
    batch_ids: list[int]


class LedgerStatsOut(BaseModel):
    """``smartkotim ledger stats``: rows and value (rupiah) by status, total, per month, per acquirer."""

    total: dict[str, int]
    by_status: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_acquirer: list[dict[str, Any]]


class RollupOut(BaseModel):
    """One rollup row (merchant × WIB day × channel × acquirer)."""

    model_config = ConfigDict(from_attributes=True)
    day: date
    acquirer_code: str
    nmid: str
    channel: str
    txn_count: int
    value: int
    payers: int
    failed_count: int
    reversed_count: int
