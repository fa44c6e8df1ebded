"""From a ``MerchantCreate`` (form, API, QRIS or one import row) to the values stored on a ``Merchant``.

Checks the references (market code, acquirer bank code), resolves the desa and derives
``accepts_cashless``. Shared by registration and import so both apply the same rules.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date

from sqlalchemy.orm import Session

from smartkotim.economy.registry import queries, rules
from smartkotim.economy.registry.desa import DesaInput, DesaResolver
from smartkotim.economy.registry.models import DesaResolution, Market, Merchant
from smartkotim.economy.registry.schemas import MerchantCreate

LOCATION_RULE = "isi salah satu: desa_code, lat+lon, postal_code, address atau market_code"


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
            FieldError: unknown market or acquirer, no way to place the merchant, lat without lon,
                or a desa code outside the regency.
        """
        market = self._market(data.market_code)
        if (data.lat is None) != (data.lon is None):
            raise rules.FieldError("lat" if data.lat is None else "lon", "", "lat dan lon harus diisi berdua")
        point = (data.lat, data.lon) if data.lat is not None and data.lon is not None else None
        given = DesaInput(
            desa_code=data.desa_code,
            point=point,
            market_desa_code=market.desa_code if market else None,
            postal_code=data.postal_code,
            address=data.address,
        )
        if not given.has_any() and market is None:
            raise rules.FieldError("desa_code", "", LOCATION_RULE)
        desa_code, resolution = self.resolver.resolve(given)
        if data.acquirer is not None and data.acquirer not in self.bank_codes:
            raise rules.FieldError("acquirer", data.acquirer, "bukan kode bank/PJP yang terdaftar")
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

    def _market(self, code: str | None) -> Market | None:
        if code is None:
            return None
        market = self.markets.get(code)
        if market is None:
            raise rules.FieldError("market_code", code, "kode pasar tidak terdaftar")
        return market


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
