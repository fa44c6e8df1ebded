"""The precomputed metrics store: one row per area (region level + code, or market) and period.

Rows hold the counts and sums of ``docs/metrics.md`` §1 as computed from the ledger and the register;
ratios, growth, the index and the class are derived from these rows when read (``derive.py``), so a
change of thresholds or weights takes effect at once and an incremental update touches only the
periods a batch changed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from smartkotim.db import Base, UTCDateTime, utcnow


class AreaLevel(StrEnum):
    """What a metrics row describes: a region at one level, or a market."""

    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"
    MARKET = "market"


class EconomyMetric(Base):
    """Counts and sums of one area in one period (``period_id`` as in ``lib.periods``).

    Money in integer rupiah. ``merchants_habitual`` is ``None`` for periods shorter than 28 days.
    ``attempted`` counts transactions of every status (for the success rate); ``reporting_expected``
    and ``reporting_received`` count (acquirer, month) pairs (for reporting completeness).
    """

    __tablename__ = "economy_metrics"
    __table_args__ = (
        UniqueConstraint("level", "area_code", "period_id", name="uq_economy_metrics_area_period"),
        Index("ix_economy_metrics_period_level", "period_id", "level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(12))
    area_code: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(40))
    period_id: Mapped[str] = mapped_column(String(24))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    traders_known: Mapped[int] = mapped_column(Integer, default=0)
    merchants_registered: Mapped[int] = mapped_column(Integer, default=0)
    merchants_active: Mapped[int] = mapped_column(Integer, default=0)
    merchants_habitual: Mapped[int | None] = mapped_column(Integer)
    transactions: Mapped[int] = mapped_column(BigInteger, default=0)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    unique_payers: Mapped[int] = mapped_column(Integer, default=0)
    median_ticket: Mapped[int | None] = mapped_column(BigInteger)
    attempted: Mapped[int] = mapped_column(BigInteger, default=0)
    adults: Mapped[int | None] = mapped_column(Integer)
    reporting_expected: Mapped[int] = mapped_column(Integer, default=0)
    reporting_received: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MetricsRun(Base):
    """One recompute of the store (full or incremental): what triggered it, what it covered, how long."""

    __tablename__ = "economy_metrics_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(12))
    trigger: Mapped[str] = mapped_column(String(80))
    periods: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)
    seconds_ms: Mapped[int] = mapped_column(Integer)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
