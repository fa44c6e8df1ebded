"""Pydantic in/out shapes of the register: ``MarketCreate``/``MarketOut``, ``MerchantCreate``/``MerchantOut``,
the import report and the parsed QRIS payload.

Text input (form fields, import cells, JSON strings) of counts, coordinates, dates and yes/no goes
through the ``rules.parse_*`` functions in ``mode="before"`` validators, so a form, the API and an
import read ``1.000`` or ``-2,54`` the same way; JSON numbers and booleans are checked by pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from smartkotim.economy.registry import rules

ModelT = TypeVar("ModelT", bound=BaseModel)
BOUNDS = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0)}


def _count(value: object, column: str) -> object:
    """Text through ``rules.parse_count``; a JSON ``true``/``false`` is not a count."""
    if isinstance(value, bool):
        raise rules.FieldError(column, str(value).lower(), rules.COUNT_RULE)
    return rules.parse_count(value, column) if isinstance(value, str) else value


def _coordinate(value: object, column: str) -> object:
    """Text through ``rules.parse_coordinate`` with the bounds of ``lat`` or ``lon``."""
    return rules.parse_coordinate(value, column, *BOUNDS[column]) if isinstance(value, str) else value


class MarketUpdate(BaseModel):
    """The editable fields of a market (everything except its code)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="Market name, e.g. 'Pasar Keramat'.")
    kind: str = Field(description="pasar_induk | pasar_desa | pasar_malam | pkl_area")
    kios_count: int | None = Field(default=None, ge=0, description="Number of kios (closed shops).")
    los_count: int | None = Field(default=None, ge=0, description="Number of los/lapak (open stalls).")
    managing_office: str | None = Field(
        default=None, max_length=40, description="Organisation code, e.g. DKUKMPP."
    )
    desa_code: str | None = Field(default=None, description="Kemendagri desa code, e.g. 62.02.05.1001.")
    lat: float | None = Field(default=None, ge=-90, le=90, description="Latitude, WGS84.")
    lon: float | None = Field(default=None, ge=-180, le=180, description="Longitude, WGS84.")
    market_days: str | None = Field(
        default=None, max_length=120, description="e.g. 'Setiap hari' or 'Sabtu'."
    )
    opening_hours: str | None = Field(default=None, description="HH:MM-HH:MM in WIB, e.g. 05:00-12:00.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return rules.parse_name(value)

    @field_validator("kios_count", "los_count", mode="before")
    @classmethod
    def _counts(cls, value: object, info: ValidationInfo) -> object:
        return _count(value, str(info.field_name))

    @field_validator("lat", "lon", mode="before")
    @classmethod
    def _point(cls, value: object, info: ValidationInfo) -> object:
        return _coordinate(value, str(info.field_name))

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return rules.parse_market_kind(value)

    @field_validator("desa_code")
    @classmethod
    def _desa(cls, value: str | None) -> str | None:
        return rules.parse_desa_code(value)

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        return rules.parse_hours(value)

    @field_validator("managing_office", "market_days")
    @classmethod
    def _blank_to_none(cls, value: str | None) -> str | None:
        return None if rules.blank(value) else (value or "").strip()


class MarketCreate(MarketUpdate):
    """A new market: its stable code plus the editable fields."""

    code: str = Field(description="Stable code, upper case, e.g. PPM or PSR-KERAMAT.")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return rules.parse_market_code(value)


class MarketOut(BaseModel):
    """A market as shown in pages and the API; ``merchants``/``cashless`` count non-merged merchants."""

    code: str
    name: str
    kind: str
    kios_count: int | None
    los_count: int | None
    managing_office: str | None
    desa_code: str | None
    desa_name: str | None
    lat: float | None
    lon: float | None
    market_days: str | None
    opening_hours: str | None
    merchants: int = 0
    cashless: int = 0
    is_synthetic: bool


class MerchantCreate(BaseModel):
    """A merchant or trader to register; only ``name`` and one way to find the desa are required."""

    model_config = ConfigDict(extra="forbid")

    nmid: str | None = Field(default=None, description="QRIS NMID: 'ID' + 13 digits; empty without QRIS.")
    name: str = Field(description="Trading name.")
    criteria: str | None = Field(default=None, description="UMI | UKE | UME | UBE | URE")
    category: str | None = Field(default=None, description="Local category (sayur, ikan, …) or 4-digit MCC.")
    market_code: str | None = Field(default=None, description="Code of the market the stall is in.")
    stall: str | None = Field(default=None, max_length=40, description="Kios/los number.")
    desa_code: str | None = Field(default=None, description="Kemendagri desa code.")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    postal_code: str | None = Field(default=None, description="Five-digit kode pos.")
    address: str | None = Field(default=None, max_length=300)
    acquirer: str | None = Field(default=None, description="Organisation code of the acquiring bank.")
    onboarded_on: date | None = Field(default=None, description="QRIS onboarding date.")
    accepts_cashless: bool | None = Field(default=None, description="Default: true when an NMID is given.")

    @field_validator("nmid")
    @classmethod
    def _nmid(cls, value: str | None) -> str | None:
        return rules.parse_nmid(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return rules.parse_name(value)

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: str | None) -> str | None:
        return rules.parse_criteria(value)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return rules.parse_category(value)

    @field_validator("desa_code")
    @classmethod
    def _desa(cls, value: str | None) -> str | None:
        return rules.parse_desa_code(value)

    @field_validator("postal_code")
    @classmethod
    def _postal(cls, value: str | None) -> str | None:
        return rules.parse_postal_code(value)

    @field_validator("lat", "lon", mode="before")
    @classmethod
    def _point(cls, value: object, info: ValidationInfo) -> object:
        return _coordinate(value, str(info.field_name))

    @field_validator("onboarded_on", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        return rules.parse_date(value, "onboarded_on") if isinstance(value, str) else value

    @field_validator("onboarded_on", mode="after")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        return rules.check_not_future(value, "onboarded_on")

    @field_validator("accepts_cashless", mode="before")
    @classmethod
    def _cashless(cls, value: object) -> object:
        return rules.parse_bool(value, "accepts_cashless") if isinstance(value, str) else value

    @field_validator("market_code", "acquirer")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return None if rules.blank(value) else (value or "").strip().upper()

    @field_validator("stall", "address")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if rules.blank(value) else " ".join((value or "").split())


class MerchantOut(BaseModel):
    """A merchant record; ``desa_resolution`` tells how its desa was found (or ``unresolved``)."""

    id: int
    nmid: str | None
    name: str
    criteria: str | None
    category: str | None
    market_code: str | None
    market_name: str | None
    stall: str | None
    desa_code: str | None
    desa_name: str | None
    desa_resolution: str
    lat: float | None
    lon: float | None
    postal_code: str | None
    address: str | None
    acquirer_code: str | None
    onboarded_on: date | None
    accepts_cashless: bool
    status: str
    merged_into_id: int | None
    source: str
    is_synthetic: bool


class MerchantPage(BaseModel):
    """One page of the merchant list: ``total`` matches, ``items`` shown."""

    total: int
    items: list[MerchantOut]


class RowError(BaseModel):
    """Why one row was rejected: file, row number (header = 1), column, raw value and rule."""

    file: str
    row: int
    column: str
    value: str
    rule: str


class UnresolvedRowOut(BaseModel):
    """A stored merchant of an import file whose desa was not found: its row, id and name (for review)."""

    row: int
    merchant_id: int
    name: str


class ImportReport(BaseModel):
    """Counts of one import; ``rows`` = created + updated + unchanged + rejected.

    ``unresolved`` counts stored merchants (of this file) whose desa was not found; they are kept and
    listed for review (merchant imports list them in ``unresolved_rows``). ``released`` is the number
    of quarantined transactions released by new NMIDs.
    ``blank_cells_kept``: blank optional cells of rows matching an existing record whose stored value
    was kept (an import never clears a field).
    """

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unresolved: int = 0
    rejected: int = 0
    errors: list[RowError] = Field(default_factory=list)
    unresolved_rows: list[UnresolvedRowOut] = Field(default_factory=list)
    flagged_duplicates: int = 0
    released: int = 0
    blank_cells_kept: int = 0
    details: dict[str, Any] = Field(default_factory=dict)


class QrisPayloadIn(BaseModel):
    """A scanned or pasted QRIS payload (the text inside the QR code)."""

    payload: str = Field(min_length=1, max_length=512)


class QrisOut(BaseModel):
    """The merchant fields read from a QRIS payload; ``errors`` is empty when the payload is valid."""

    valid: bool
    nmid: str | None
    criteria: str | None
    merchant_name: str | None
    merchant_city: str | None
    postal_code: str | None
    mcc: str | None
    errors: list[str]
    warnings: list[str]
    existing_merchant_id: int | None = None


class DuplicateGroupOut(BaseModel):
    """Merchants of one market with the same normalised name within the distance limit (metres)."""

    market_code: str
    name_normalised: str
    max_distance_m: float
    merchants: list[MerchantOut]


class MergeIn(BaseModel):
    """Merge the merchant in the path into ``into_id`` (the survivor)."""

    into_id: int = Field(ge=1, le=2_147_483_647)


def field_errors(exc: ValidationError, raw: Mapping[str, Any]) -> list[rules.FieldError]:
    """Every error of a schema validation as a ``FieldError`` (column, raw value, rule), one per column."""
    from smartkotim.economy.registry.messages import rule_of

    found: dict[str, rules.FieldError] = {}
    for error in exc.errors():
        column = str(error["loc"][0]) if error["loc"] else "?"
        value = raw.get(column)
        found.setdefault(
            column, rules.FieldError(column, "" if value is None else str(value), rule_of(error))
        )
    return list(found.values())


def with_raw_values(errors: list[rules.FieldError], raw: Mapping[str, Any]) -> list[rules.FieldError]:
    """``errors`` naming the value as written in the row (``psr-1``), not as parsed (``PSR-1``)."""
    return [
        rules.FieldError(e.column, str(raw[e.column]), e.rule) if raw.get(e.column) else e for e in errors
    ]


def first_field_error(exc: ValidationError, raw: Mapping[str, Any]) -> rules.FieldError:
    """The first error of a schema validation as a ``FieldError`` (column, raw value, rule)."""
    return field_errors(exc, raw)[0]


def validate_fields(
    model: type[ModelT], raw: Mapping[str, Any]
) -> tuple[ModelT | None, dict[str, Any], list[rules.FieldError]]:
    """Validate ``raw``: the model (``None`` when a field is wrong), the parsed value of every field that
    passed, and one ``FieldError`` per broken field.

    The parsed values let an import check the references of the good fields (desa, office, bank) of a
    row that is rejected anyway, so one pass reports every broken rule of the row. Each field is
    validated on its own with pydantic's ``validate_assignment`` (the schemas have per-field rules only).
    """
    try:
        data = model.model_validate(raw)
    except ValidationError as exc:
        errors = field_errors(exc, raw)
    else:
        return data, dict(data), []
    bad = {e.column for e in errors}
    shell = model.model_construct()
    parsed: dict[str, Any] = {}
    for name in model.model_fields:
        if name not in bad and raw.get(name) is not None:
            model.__pydantic_validator__.validate_assignment(shell, name, raw[name])
            parsed[name] = getattr(shell, name)
    return None, parsed, errors


class MarketDetailOut(BaseModel):
    """A market and (for roles that may read merchant records) its merchants in the reader's scope."""

    market: MarketOut
    merchants: list[MerchantOut] | None
