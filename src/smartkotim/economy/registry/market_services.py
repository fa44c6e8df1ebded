"""Market operations: create, update and import (CSV/XLSX, upsert by code). Each commits and audits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.accounts.roles import Principal
from smartkotim.economy.registry import queries, rules
from smartkotim.economy.registry.access import (
    RecordNotFoundError,
    RegistryError,
    may_read_merchants,
    merchant_scope,
    require_market_editor,
)
from smartkotim.economy.registry.desa import DesaInput, DesaResolver
from smartkotim.economy.registry.models import Market
from smartkotim.economy.registry.presenters import markets_out, merchants_out
from smartkotim.economy.registry.queries import MerchantFilter, MerchantScope
from smartkotim.economy.registry.schemas import (
    ImportReport,
    MarketCreate,
    MarketDetailOut,
    MarketOut,
    MarketUpdate,
    RowError,
    validate_fields,
    with_raw_values,
)
from smartkotim.economy.registry.tabular import Row, read_rows

MARKET_COLUMNS = (
    "code",
    "name",
    "kind",
    "kios_count",
    "los_count",
    "managing_office",
    "desa_code",
    "lat",
    "lon",
    "market_days",
    "opening_hours",
)
MARKET_FIELDS = MARKET_COLUMNS[1:]


def reference_errors(
    session: Session, values: Mapping[str, Any], regency_code: str
) -> list[rules.FieldError]:
    """The broken references of a market's parsed ``values`` (a missing key counts as empty): a desa
    outside the regency, an unregistered office, ``lat`` without ``lon`` or the reverse."""
    errors = []
    desa_code, office = values.get("desa_code"), values.get("managing_office")
    if desa_code is not None and desa_code not in queries.list_desa_codes(session, regency_code=regency_code):
        errors.append(
            rules.FieldError("desa_code", desa_code, f"bukan kode desa/kelurahan di wilayah {regency_code}")
        )
    if office is not None and queries.get_organisation_id(session, office) is None:
        errors.append(rules.FieldError("managing_office", office, "kode organisasi tidak terdaftar"))
    if (values.get("lat") is None) != (values.get("lon") is None):
        missing = "lat" if values.get("lat") is None else "lon"
        errors.append(rules.FieldError(missing, "", "lat dan lon harus diisi berdua"))
    return errors


def _check_references(session: Session, data: MarketUpdate, regency_code: str) -> None:
    errors = reference_errors(session, dict(data), regency_code)
    if errors:
        raise errors[0]


def _apply(market: Market, data: MarketUpdate, *, keep_blank: bool = False) -> bool:
    """Copy ``data`` onto ``market``; True when anything changed.

    ``keep_blank`` (import updates): a ``None`` in ``data`` keeps the stored value.
    """
    changed = False
    for field in MARKET_FIELDS:
        value = getattr(data, field)
        if keep_blank and value is None:
            continue
        if getattr(market, field) != value:
            setattr(market, field, value)
            changed = True
    return changed


def create_market(
    session: Session,
    *,
    data: MarketCreate,
    actor: Principal | None,
    regency_code: str,
    is_synthetic: bool = False,
) -> Market:
    """Register a new market; audit ``economy.market.created``.

    Raises:
        NotPermittedError: not an admin or market-office officer.
        RegistryError: the code is taken. FieldError: unknown desa or office.
    """
    require_market_editor(actor)
    if queries.get_market_by_code(session, data.code) is not None:
        raise RegistryError(f"kode pasar {data.code} sudah dipakai")
    _check_references(session, data, regency_code)
    market = Market(code=data.code, is_synthetic=is_synthetic)
    _apply(market, data)
    session.add(market)
    session.flush()
    record_audit(
        session,
        event="economy.market.created",
        actor=actor,
        actor_label="cli",
        object_type="market",
        object_id=market.code,
    )
    session.commit()
    return market


def update_market(
    session: Session, *, code: str, data: MarketUpdate, actor: Principal | None, regency_code: str
) -> Market:
    """Change a market's editable fields; audit ``economy.market.updated`` with the changed field names.

    Raises:
        RecordNotFoundError, NotPermittedError, FieldError.
    """
    require_market_editor(actor)
    market = queries.get_market_by_code(session, code)
    if market is None:
        raise RecordNotFoundError(f"pasar {code} tidak ditemukan")
    _check_references(session, data, regency_code)
    changed = [f for f in MARKET_FIELDS if getattr(market, f) != getattr(data, f)]
    _apply(market, data)
    record_audit(
        session,
        event="economy.market.updated",
        actor=actor,
        actor_label="cli",
        object_type="market",
        object_id=code,
        details={"fields": changed},
    )
    session.commit()
    return market


def _row_market(session: Session, row: Row, resolver: DesaResolver, seen: dict[str, int]) -> MarketCreate:
    """The ``MarketCreate`` of a good row (its desa found from the point when no code is given).

    Raises:
        RowErrors: every broken rule of the row (schema, references, a code repeated in the file).
    """
    raw = {c: row.get(c) for c in MARKET_COLUMNS}
    raw.update({c: raw[c] or "" for c in ("code", "name", "kind")})
    data, parsed, errors = validate_fields(MarketCreate, raw)
    failed = {e.column for e in errors}
    good = {k: v for k, v in parsed.items() if k not in failed}
    errors += reference_errors(session, good, resolver.regency_code)
    code = good.get("code")
    if code in seen:
        errors.append(
            rules.FieldError("code", code, f"kode ganda dalam berkas (sudah di baris {seen[code]})")
        )
    elif code is not None:
        seen[code] = row.number
    if errors or data is None:
        raise rules.RowErrors(with_raw_values(errors, raw), MARKET_COLUMNS)
    if data.desa_code is None and data.lat is not None and data.lon is not None:
        data.desa_code, _ = resolver.resolve(DesaInput(point=(data.lat, data.lon)))
    return data


def import_markets(
    session: Session,
    *,
    path: Path,
    actor: Principal | None,
    regency_code: str,
    is_synthetic: bool = False,
    actor_label: str = "cli",
) -> ImportReport:
    """Upsert the markets of a CSV/XLSX file by ``code``; bad rows are reported, good rows stored.

    Columns: ``code, name, kind`` (required), ``kios_count, los_count, managing_office, desa_code, lat,
    lon, market_days, opening_hours``; cells are read by the same rules as the form (``MarketCreate``).
    A rejected row reports every broken rule, one ``RowError`` per column in column order. The same
    file twice changes nothing the second time. On update a blank optional cell keeps the stored value
    (import never clears a field; counted in ``blank_cells_kept``). Audit ``economy.market.imported``.
    Raises ``ImportFileError`` (nothing stored) when the file is unreadable.
    """
    require_market_editor(actor)
    _, rows = read_rows(path, required=("code", "name", "kind"), known=MARKET_COLUMNS)
    report = ImportReport(file=path.name, rows=len(rows))
    resolver = DesaResolver(session, regency_code=regency_code)
    seen: dict[str, int] = {}
    for row in rows:
        try:
            data = _row_market(session, row, resolver, seen)
        except rules.RowErrors as exc:
            report.rejected += 1
            report.errors += [
                RowError(file=path.name, row=row.number, column=e.column, value=e.value, rule=e.rule)
                for e in exc.errors
            ]
            continue
        _upsert(session, data, report, is_synthetic)
    record_audit(
        session,
        event="economy.market.imported",
        actor=actor,
        actor_label=actor_label,
        object_type="file",
        object_id=path.name,
        details=report.model_dump(exclude={"errors"}),
    )
    session.commit()
    return report


def _upsert(session: Session, data: MarketCreate, report: ImportReport, is_synthetic: bool) -> None:
    market = queries.get_market_by_code(session, data.code)
    if market is None:
        market = Market(code=data.code, is_synthetic=is_synthetic)
        _apply(market, data)
        session.add(market)
        session.flush()
        report.created += 1
    else:
        report.blank_cells_kept += sum(
            getattr(data, f) is None and getattr(market, f) is not None for f in MARKET_FIELDS
        )
        if _apply(market, data, keep_blank=True):
            session.flush()
            report.updated += 1
        else:
            report.unchanged += 1
    if market.desa_code is None:
        report.unresolved += 1


def view_markets(session: Session, *, actor: Principal | None) -> list[MarketOut]:
    """Every market with its merchant counts (merchants in the reader's scope only)."""
    markets = queries.list_markets(session)
    return markets_out(session, markets, queries.count_merchants_by_market(session, merchant_scope(actor)))


def view_market(
    session: Session, *, code: str, actor: Principal | None, client_address: str | None = None
) -> MarketDetailOut:
    """One market; its merchants too when the reader may read merchant records (that read is audited).

    Raises:
        RecordNotFoundError: no market with ``code``.
    """
    market = queries.get_market_by_code(session, code.upper())
    if market is None:
        raise RecordNotFoundError(f"pasar {code} tidak ditemukan")
    scope = merchant_scope(actor)
    out = markets_out(session, [market], queries.count_merchants_by_market(session, scope))[0]
    if not may_read_merchants(actor):
        return MarketDetailOut(market=out, merchants=None)
    rows, _ = queries.list_merchants(session, scope, MerchantFilter(market_id=market.id), limit=1000)
    record_audit(
        session,
        event="economy.merchant.viewed",
        actor=actor,
        actor_label="cli",
        object_type="merchant_list",
        object_id=f"market:{market.code}",
        client_address=client_address,
        details={"count": len(rows), "ids": [m.id for m in rows][:200]},
    )
    session.commit()
    return MarketDetailOut(market=out, merchants=merchants_out(session, rows))


def describe_market(session: Session, *, code: str) -> MarketOut:
    """One market with its merchant counts, without merchant records (nothing to audit).

    Raises:
        RecordNotFoundError: no market with ``code``.
    """
    market = queries.get_market_by_code(session, code.upper())
    if market is None:
        raise RecordNotFoundError(f"pasar {code} tidak ditemukan")
    return markets_out(session, [market], queries.count_merchants_by_market(session, MerchantScope()))[0]
