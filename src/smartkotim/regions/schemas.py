"""Typed JSON responses of the regions API (documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class RegionOut(BaseModel):
    """One region of the register (Kemendagri code, name, level, kind, parent, kode pos)."""

    code: str = Field(examples=["62.02.06.1001"])
    name: str
    level: str = Field(description="kabupaten, kecamatan or desa")
    kind: str = Field(description="kabupaten/kota, kecamatan, desa or kelurahan")
    parent_code: str | None
    postal_code: str | None
    url: str = Field(description="The region's page")


class RegionNodeOut(RegionOut):
    """A region with its children: the register tree kabupaten → kecamatan → desa."""

    children: list[RegionNodeOut] = Field(default_factory=list)


class BoundaryOut(BaseModel):
    """The region's geometry in the current import of its level (area in km², centroid in degrees)."""

    import_id: int
    area_km2: float
    centroid_lon: float
    centroid_lat: float


class RegionDetailOut(BaseModel):
    """A region, its parents (kabupaten first), its children and its map."""

    region: RegionOut
    ancestors: list[RegionOut]
    children: list[RegionOut]
    boundary: BoundaryOut | None
    map_url: str = Field(description="GeoJSON of the map drawn on the page")
    map_is_schematic: bool = Field(description="True until boundaries of the mapped level are imported")


class BoundaryImportOut(BaseModel):
    """One boundary import (a geometry version of one level)."""

    id: int
    level: str
    version: int = Field(description="1 for the first import of the level, then 2, 3 …")
    file_name: str
    file_sha256: str
    feature_count: int
    matched_count: int
    is_current: bool
    created_by: str
    created_at: datetime


class BoundaryImportDetailOut(BoundaryImportOut):
    """An import with its full match report (matched with method, unmatched, ambiguous, repaired …)."""

    report: dict[str, Any]


class GeoFeatureOut(BaseModel):
    """A GeoJSON feature: ``id`` is the region code; geometry in WGS84 lon/lat."""

    type: Literal["Feature"] = "Feature"
    id: str
    properties: dict[str, Any]
    geometry: dict[str, Any]


class FeatureCollectionOut(BaseModel):
    """A GeoJSON FeatureCollection plus what the map needs to say about itself."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    region: str | None = Field(default=None, description="The region whose map this is")
    level: str = Field(description="Level of the features")
    schematic: bool = Field(description="True when the features are schematic tiles, not boundaries")
    import_id: int | None = Field(default=None, description="Boundary import the geometry comes from")
    missing_codes: list[str] = Field(default_factory=list, description="Regions without imported geometry")
    features: list[GeoFeatureOut]


class AddressMatchOut(BaseModel):
    """The desa an address points to, with lokal-id's confidence (high/medium/low) and issues."""

    code: str
    name: str
    kecamatan_code: str
    confidence: str
    issues: list[str]


class LookupOut(BaseModel):
    """Answers of ``/api/regions/lookup`` for whichever inputs were given."""

    point_desa_code: str | None = None
    point_note: str | None = None
    postal_code_desa_codes: list[str] | None = None
    address_match: AddressMatchOut | None = None
