"""Merchant import from the canonical CSV/XLSX file (upsert; the same file twice changes nothing).

Columns: ``nmid, name, criteria, category, market_code, stall, desa_code, lat, lon, postal_code,
address, acquirer, onboarded_on, accepts_cashless``; only ``name`` and one of ``desa_code`` /
``lat``+``lon`` / ``postal_code`` / ``address`` / ``market_code`` are required. A row is matched to an
existing record by NMID, else (a trader without NMID) by name and place as given. Cells are read by
the same rules as the form (``MerchantCreate``). Bad rows are rejected with the file, row, column,
value and rule: every broken rule of the row, one entry per column, in column order. Merchants whose
desa is not found are stored and listed for review, never dropped. On update a blank optional cell
keeps the stored value (an import never clears a field; ``ImportReport.blank_cells_kept`` counts
such cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry import queries, rules
from smartkotim.economy.registry.access import require_market_editor
from smartkotim.economy.registry.duplicates import near_duplicates_of
from smartkotim.economy.registry.ingest_hooks import after_register_change
from smartkotim.economy.registry.merchant_values import (
    MerchantContext,
    MerchantValues,
    TraderKey,
    apply_values,
    blank_fields,
    key_of_merchant,
    key_of_values,
)
from smartkotim.economy.registry.models import DesaResolution, Merchant, MerchantSource, MerchantStatus
from smartkotim.economy.registry.schemas import (
    ImportReport,
    MerchantCreate,
    RowError,
    UnresolvedRowOut,
    validate_fields,
    with_raw_values,
)
from smartkotim.economy.registry.tabular import Row, read_rows

MERCHANT_COLUMNS = (
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
)


class _Index:
    """Existing merchants by NMID and, for those without NMID, by trader key."""

    def __init__(self, merchants: Sequence[Merchant]) -> None:
        self.by_nmid = {m.nmid: m for m in merchants if m.nmid}
        self.by_key: dict[TraderKey, Merchant] = {}
        self.touched: set[int] = set()  # id() of records created or changed by this import
        self.kept = 0  # blank cells whose stored value was kept
        for m in merchants:
            if not m.nmid:
                self.by_key.setdefault(key_of_merchant(m), m)

    def find(self, values: MerchantValues) -> Merchant | None:
        """By NMID; else the trader without NMID of the same key (not one this file already wrote:
        a trader row and a QRIS row of the same name and place stay two records, so a re-run matches)."""
        if values.nmid and values.nmid in self.by_nmid:
            return self.by_nmid[values.nmid]
        found = self.by_key.get(key_of_values(values))
        return None if found is None or id(found) in self.touched else found

    def add(self, merchant: Merchant, old_key: TraderKey | None = None) -> None:
        self.touched.add(id(merchant))
        if old_key is not None and self.by_key.get(old_key) is merchant:
            del self.by_key[old_key]
        if merchant.nmid:
            self.by_nmid[merchant.nmid] = merchant
        else:
            self.by_key.setdefault(key_of_merchant(merchant), merchant)


def row_values(row: Row, context: MerchantContext) -> MerchantValues:
    """The stored values of one good file row, read by the same rules as the form (``MerchantCreate``).

    Raises:
        RowErrors: every broken rule of the row (field rules and references), one per column.
    """
    raw: dict[str, Any] = {c: row.get(c) for c in MERCHANT_COLUMNS}
    raw["name"] = raw["name"] or ""
    data, parsed, errors = validate_fields(MerchantCreate, raw)
    failed = frozenset(e.column for e in errors)
    good = {k: v for k, v in parsed.items() if k not in failed}
    errors += context.reference_errors(good, failed)
    if errors or data is None:
        raise rules.RowErrors(with_raw_values(errors, raw), MERCHANT_COLUMNS)
    return context.values(data)


def import_merchants(
    session: Session,
    *,
    path: Path,
    actor: Principal | None,
    settings: Settings,
    actor_label: str = "cli",
) -> ImportReport:
    """Import the canonical merchant file at ``path`` (CSV or XLSX); see the module text for the rules.

    Raises:
        ImportFileError: unreadable file or header (nothing stored). NotPermittedError: role.
    """
    require_market_editor(actor)
    _, rows = read_rows(path, required=("name",), known=MERCHANT_COLUMNS)
    return import_merchant_rows(
        session, rows=rows, file_name=path.name, actor=actor, settings=settings, actor_label=actor_label
    )


def import_merchant_rows(
    session: Session,
    *,
    rows: Sequence[Row],
    file_name: str,
    actor: Principal | None,
    settings: Settings,
    actor_label: str = "cli",
    source: MerchantSource = MerchantSource.IMPORT,
    is_synthetic: bool = False,
) -> ImportReport:
    """Upsert already-read rows (used by the file import and the demo loader); one transaction, one audit."""
    require_market_editor(actor)
    context = MerchantContext(session, regency_code=settings.regency_code)
    index = _Index(queries.list_all_merchants(session))
    report = ImportReport(file=file_name, rows=len(rows))
    seen: dict[object, int] = {}
    touched: list[Merchant] = []
    unresolved: list[tuple[int, Merchant]] = []
    new_nmids: list[str] = []
    for row in rows:
        try:
            values = row_values(row, context)
            _check_in_file(values, row.number, seen)
        except rules.RowErrors as exc:
            report.rejected += 1
            report.errors += [
                RowError(file=file_name, row=row.number, column=e.column, value=e.value, rule=e.rule)
                for e in exc.errors
            ]
            continue
        keep = blank_fields(values, cashless_given=bool(row.get("accepts_cashless")))
        merchant, outcome, got_nmid = _upsert(session, index, values, source, is_synthetic, keep)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if merchant.desa_resolution == DesaResolution.UNRESOLVED:
            unresolved.append((row.number, merchant))
        if outcome != "unchanged":
            touched.append(merchant)
        if got_nmid:
            new_nmids.append(got_nmid)
    session.flush()
    report.unresolved = len(unresolved)
    report.unresolved_rows = [UnresolvedRowOut(row=n, merchant_id=m.id, name=m.name) for n, m in unresolved]
    report.blank_cells_kept = index.kept
    report.flagged_duplicates = sum(1 for m in touched if near_duplicates_of(session, m))
    record_audit(
        session,
        event="economy.merchant.imported",
        actor=actor,
        actor_label=actor_label,
        object_type="file",
        object_id=file_name,
        details=report.model_dump(exclude={"errors", "unresolved_rows"}),
    )
    session.commit()
    report.released = after_register_change(session, settings=settings, nmids=new_nmids)
    return report


def _check_in_file(values: MerchantValues, row_number: int, seen: dict[object, int]) -> None:
    """Refuse a second row with the same NMID, or the same trader (no NMID) as an earlier row."""
    if values.nmid:
        key: object = ("nmid", values.nmid)
        column, value, what = "nmid", values.nmid, "NMID"
    else:
        key = key_of_values(values)
        column, value, what = "name", values.name, "pedagang (nama dan tempat)"
    if key in seen:
        rule = f"{what} sama dengan baris {seen[key]} dalam berkas ini"
        raise rules.RowErrors([rules.FieldError(column, value, rule)], MERCHANT_COLUMNS)
    seen[key] = row_number


def _upsert(
    session: Session,
    index: _Index,
    values: MerchantValues,
    source: MerchantSource,
    is_synthetic: bool,
    keep: frozenset[str],
) -> tuple[Merchant, str, str | None]:
    """Create or update one merchant; returns it, ``created``/``updated``/``unchanged`` and a new NMID.

    On update, the fields in ``keep`` (blank cells) keep their stored value: an import never clears.
    """
    merchant = index.find(values)
    if merchant is None:
        merchant = Merchant(source=str(source), status=MerchantStatus.ACTIVE, is_synthetic=is_synthetic)
        apply_values(merchant, values)
        session.add(merchant)
        index.add(merchant)
        return merchant, "created", values.nmid
    if merchant.status == MerchantStatus.MERGED:
        return merchant, "unchanged", None
    old_key, had_nmid = key_of_merchant(merchant), merchant.nmid
    index.kept += sum(getattr(merchant, name) is not None for name in keep)
    if not apply_values(merchant, values, keep=keep):
        return merchant, "unchanged", None
    index.add(merchant, old_key)
    return merchant, "updated", merchant.nmid if merchant.nmid != had_nmid else None
