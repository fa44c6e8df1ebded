"""Markets and merchants. Traders without cashless acceptance are merchants too (``nmid`` empty):
they are the denominator of adoption."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from smartkotim.db import Base, UTCDateTime, utcnow


class MarketKind(StrEnum):
    """Kinds of market in Kotim."""

    PASAR_INDUK = "pasar_induk"
    PASAR_DESA = "pasar_desa"
    PASAR_MALAM = "pasar_malam"
    PKL_AREA = "pkl_area"


class MerchantCriteria(StrEnum):
    """QRIS merchant criteria (Bank Indonesia): micro, small, medium, large, regular."""

    UMI = "UMI"
    UKE = "UKE"
    UME = "UME"
    UBE = "UBE"
    URE = "URE"


class MerchantStatus(StrEnum):
    """Lifecycle of a merchant record; ``merged`` records point at the record they were merged into."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    MERGED = "merged"


class MerchantSource(StrEnum):
    """How a merchant record came in: a form, a file import, a scanned QRIS payload or the demo loader."""

    FORM = "form"
    IMPORT = "import"
    QRIS = "qris"
    DEMO = "demo"


class DesaResolution(StrEnum):
    """How a merchant's desa was found (in the order tried), or ``unresolved`` (listed for review)."""

    CODE = "code"
    POINT = "point"
    MARKET = "market"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    UNRESOLVED = "unresolved"


class Market(Base):
    """A market (pasar): location, size and opening times; managed by an office (usually DKUKMPP)."""

    __tablename__ = "markets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    kios_count: Mapped[int | None] = mapped_column(Integer)
    los_count: Mapped[int | None] = mapped_column(Integer)
    managing_office: Mapped[str | None] = mapped_column(String(40))
    desa_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    market_days: Mapped[str | None] = mapped_column(String(120))
    opening_hours: Mapped[str | None] = mapped_column(String(40))
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Merchant(Base):
    """A trader or business; ``nmid`` is the QRIS National Merchant ID (``ID`` + 13 digits) if any."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nmid: Mapped[str | None] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalised: Mapped[str] = mapped_column(String(200), index=True)
    criteria: Mapped[str | None] = mapped_column(String(3))
    category: Mapped[str | None] = mapped_column(String(40))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id"), index=True)
    stall: Mapped[str | None] = mapped_column(String(40))
    desa_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    desa_resolution: Mapped[str] = mapped_column(String(12), default=DesaResolution.UNRESOLVED)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    postal_code: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(String(300))
    acquirer_code: Mapped[str | None] = mapped_column(String(40), index=True)
    onboarded_on: Mapped[date | None] = mapped_column(Date)
    accepts_cashless: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=MerchantStatus.ACTIVE, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    source: Mapped[str] = mapped_column(String(12), default="form")
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
