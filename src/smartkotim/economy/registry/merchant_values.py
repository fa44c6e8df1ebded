"""From a ``MerchantCreate`` (form, API, QRIS or one import row) to the values stored on a ``Merchant``.

Checks the references (market code, acquirer bank code), resolves the desa and derives
``accepts_cashless``. Shared by registration and import so both apply the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from smartkotim.economy.registry import queries, rules
from smartkotim.economy.registry.desa import DesaInput, DesaResolver
from smartkotim.economy.registry.models import DesaResolution, Market, Merchant
from smartkotim.economy.registry.schemas import MerchantCreate

LOCATION_RULE = "isi salah satu: desa_code, lat+lon, postal_code, address atau market_code"
LOCATION_COLUMNS = frozenset({"desa_code", "lat", "lon", "postal_code", "address", "market_code"})


@dataclass(frozen=True, slots=True)
class MerchantValues:
    """Every stored field of a merchant, checked and resolved."""

    nmid: str | None
    name: str
    name_normalised: str
    criteria: str | None
    category: str | None
    market_id: int | None
    stall: str | None
    desa_code: str | None
    desa_resolution: str
    lat: float | None
    lon: float | None
    postal_code: str | None
    address: str | None
    acquirer_code: str | None
    onboarded_on: date | None
    accepts_cashless: bool


FIELDS = tuple(MerchantValues.__dataclass_fields__)


class MerchantContext:
    """What checking a merchant needs, loaded once: markets by code, bank codes, the desa resolver."""

    def __init__(self, session: Session, *, regency_code: str) -> None:
        self.resolver = DesaResolver(session, regency_code=regency_code)
        self.markets: dict[str, Market] = {m.code: m for m in queries.list_markets(session)}
        self.bank_codes = queries.list_bank_codes(session)

    def values(self, data: MerchantCreate) -> MerchantValues:
        """The stored values for ``data``.

        Raises:
            FieldError: the first of ``reference_errors`` (unknown market or acquirer, no way to place
                the merchant, lat without lon, or a desa code outside the regency).
        """
        errors = self.reference_errors(dict(data))
        if errors:
            raise errors[0]
        market = self.markets.get(data.market_code) if data.market_code else None
        point = (data.lat, data.lon) if data.lat is not None and data.lon is not None else None
        given = DesaInput(
            desa_code=data.desa_code,
            point=point,
            market_desa_code=market.desa_code if market else None,
            postal_code=data.postal_code,
            address=data.address,
        )
        desa_code, resolution = self.resolver.resolve(given)
        accepts = data.accepts_cashless if data.accepts_cashless is not None else data.nmid is not None
        return MerchantValues(
            nmid=data.nmid,
            name=data.name,
            name_normalised=rules.normalise_name(data.name),
            criteria=data.criteria,
            category=data.category,
            market_id=market.id if market else None,
            stall=data.stall,
            desa_code=desa_code,
            desa_resolution=str(resolution),
            lat=data.lat,
            lon=data.lon,
            postal_code=data.postal_code,
            address=data.address,
            acquirer_code=data.acquirer,
            onboarded_on=data.onboarded_on,
            accepts_cashless=accepts,
        )

    def reference_errors(
        self, values: Mapping[str, Any], failed: frozenset[str] = frozenset()
    ) -> list[rules.FieldError]:
        """The broken references of a merchant's parsed ``values`` (a missing key counts as empty),
        in column order: unknown market, desa code outside the regency, lat without lon, no way to place
        the merchant, unknown acquirer. ``failed`` names columns already refused by their own rule: the
        "give a location" rule is not added when one of the location columns was given but refused."""
        errors = []
        market_code, desa_code, acquirer = (values.get(k) for k in ("market_code", "desa_code", "acquirer"))
        if market_code is not None and market_code not in self.markets:
            errors.append(rules.FieldError("market_code", market_code, "kode pasar tidak terdaftar"))
        if desa_code is not None and desa_code not in self.resolver.desa_codes:
            rule = f"bukan kode desa/kelurahan di wilayah {self.resolver.regency_code}"
            errors.append(rules.FieldError("desa_code", desa_code, rule))
        lat, lon = values.get("lat"), values.get("lon")
        if (lat is None) != (lon is None):
            errors.append(
                rules.FieldError("lat" if lat is None else "lon", "", "lat dan lon harus diisi berdua")
            )
        if not failed & LOCATION_COLUMNS and not any(values.get(c) is not None for c in LOCATION_COLUMNS):
            errors.append(rules.FieldError("desa_code", "", LOCATION_RULE))
        if acquirer is not None and acquirer not in self.bank_codes:
            errors.append(rules.FieldError("acquirer", acquirer, "bukan kode bank/PJP yang terdaftar"))
        return errors


def apply_values(merchant: Merchant, values: MerchantValues, *, keep: frozenset[str] = frozenset()) -> bool:
    """Copy ``values`` onto ``merchant`` except the fields named in ``keep``; True when anything changed."""
    changed = False
    for name, value in zip(FIELDS, astuple(values), strict=True):
        if name not in keep and getattr(merchant, name) != value:
            setattr(merchant, name, value)
            changed = True
    return changed


def blank_fields(values: MerchantValues, *, cashless_given: bool) -> frozenset[str]:
    """Fields an import row left blank (kept as stored on update): every ``None`` value, the desa
    resolution when no desa was found, and ``accepts_cashless`` when its cell and the NMID were empty
    (with an NMID it is derived as true)."""
    keep = {name for name, value in zip(FIELDS, astuple(values), strict=True) if value is None}
    if values.desa_code is None:
        keep.add("desa_resolution")
    if not cashless_given and values.nmid is None:
        keep.add("accepts_cashless")
    return frozenset(keep)


TraderKey = tuple[object, ...]


def trader_key(
    *,
    name_normalised: str,
    market_id: int | None,
    stall: str | None,
    given_desa_code: str | None,
    postal_code: str | None,
    address: str | None,
    lat: float | None,
    lon: float | None,
) -> TraderKey:
    """What identifies a trader without NMID across imports: name, market place and location as given."""
    return (
        name_normalised,
        market_id,
        (stall or "").lower(),
        given_desa_code,
        postal_code,
        rules.normalise_name(address or ""),
        None if lat is None else round(lat, 6),
        None if lon is None else round(lon, 6),
    )


def key_of_values(values: MerchantValues) -> TraderKey:
    """The trader key of values about to be stored."""
    given = values.desa_code if values.desa_resolution == DesaResolution.CODE else None
    return trader_key(
        name_normalised=values.name_normalised,
        market_id=values.market_id,
        stall=values.stall,
        given_desa_code=given,
        postal_code=values.postal_code,
        address=values.address,
        lat=values.lat,
        lon=values.lon,
    )


def key_of_merchant(merchant: Merchant) -> TraderKey:
    """The trader key of a stored merchant."""
    given = merchant.desa_code if merchant.desa_resolution == DesaResolution.CODE else None
    return trader_key(
        name_normalised=merchant.name_normalised,
        market_id=merchant.market_id,
        stall=merchant.stall,
        given_desa_code=given,
        postal_code=merchant.postal_code,
        address=merchant.address,
        lat=merchant.lat,
        lon=merchant.lon,
    )
