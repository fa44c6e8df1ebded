"""Helpers of the register tests (imported by name: the test folder is on ``sys.path``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lokal import qris_crc
from sqlalchemy.orm import Session

from smartkotim.accounts.roles import Principal, Role
from smartkotim.regions.models import BoundaryImport, RegionBoundary


@dataclass(frozen=True, slots=True)
class Person:
    """A user of the tests: the principal (for service calls) and a bearer token (for HTTP calls)."""

    principal: Principal
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_principal(
    role: Role, org_code: str, org_id: int = 1, region_code: str | None = None, user_id: int = 1
) -> Principal:
    """A principal for service calls (services check role, organisation and region scope)."""
    return Principal(
        user_id=user_id,
        username=f"{role}-{org_code}".lower(),
        display_name=f"{role} {org_code}",
        role=role,
        organisation_id=org_id,
        organisation_code=org_code,
        region_code=region_code,
    )


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def make_qris(
    nmid: str,
    name: str,
    *,
    city: str = "SAMPIT",
    postal: str = "74311",
    criteria: str = "UMI",
    mcc: str = "5411",
) -> str:
    """A valid static QRIS payload with the CRC computed by ``lokal.qris_crc``."""
    account = tlv("00", "ID.CO.QRIS.WWW") + tlv("02", nmid) + tlv("03", criteria)
    body = (
        tlv("00", "01")
        + tlv("01", "11")
        + tlv("51", account)
        + tlv("52", mcc)
        + tlv("53", "360")
        + tlv("58", "ID")
        + tlv("59", name)
        + tlv("60", city)
        + tlv("61", postal)
        + "6304"
    )
    return body + qris_crc(body)


WriteCsv = Callable[[str, Sequence[str], Sequence[Sequence[object]]], Path]


MERCHANT_HEADER = [
    "nmid",
    "name",
    "criteria",
    "category",
    "market_code",
    "stall",
    "desa_code",
    "lat",
    "lon",
    "postal_code",
    "address",
    "acquirer",
    "onboarded_on",
    "accepts_cashless",
]


def add_square_boundary(session: Session, desa_code: str, *, lon: float, lat: float, size: float) -> None:
    """Store a current desa-level boundary set holding one square polygon for ``desa_code``.

    (Made directly in the regions tables: the regions feature's import service takes a whole file.)
    """
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    imp = BoundaryImport(
        level="desa",
        file_name="uji.geojson",
        file_sha256="0" * 64,
        feature_count=1,
        matched_count=1,
        report={},
        is_current=True,
        created_by="test",
    )
    session.add(imp)
    session.flush()
    session.add(
        RegionBoundary(
            import_id=imp.id,
            region_code=desa_code,
            geometry_geojson=json.dumps({"type": "Polygon", "coordinates": [ring]}),
            area_km2=1.0,
            centroid_lon=lon + size / 2,
            centroid_lat=lat + size / 2,
        )
    )
    session.commit()
