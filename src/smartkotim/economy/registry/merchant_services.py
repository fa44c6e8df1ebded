"""Merchant operations: register (form, API, scanned QRIS), update, read with audit, merge duplicates.

Every read of merchant-level records is written to the audit log (``economy.merchant.viewed``), as the
privacy rule in DESIGN.md asks; every change is audited too. Services commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry import queries
from smartkotim.economy.registry.access import (
    DuplicateNmidError,
    RecordNotFoundError,
    RegistryError,
    merchant_scope,
    require_market_editor,
    require_merchant_editor,
)
from smartkotim.economy.registry.duplicates import list_duplicate_groups, near_duplicates_of
from smartkotim.economy.registry.ingest_hooks import after_register_change, queue_metrics_refresh
from smartkotim.economy.registry.merchant_values import MerchantContext, apply_values
from smartkotim.economy.registry.models import Merchant, MerchantSource, MerchantStatus
from smartkotim.economy.registry.queries import MerchantFilter
from smartkotim.economy.registry.schemas import DuplicateGroupOut, MerchantCreate


@dataclass(slots=True)
class MerchantSaved:
    """A saved merchant, the likely duplicates flagged for it, and the quarantined rows released."""

    merchant: Merchant
    near_duplicates: list[int] = field(default_factory=list)
    released: int = 0


def register_merchant(
    session: Session,
    *,
    data: MerchantCreate,
    actor: Principal | None,
    settings: Settings,
    source: MerchantSource = MerchantSource.FORM,
    client_address: str | None = None,
) -> MerchantSaved:
    """Register one merchant or trader; audit ``economy.merchant.created``.

    Likely duplicates (same name within 50 m in the same market) are returned and noted in the audit
    entry; quarantined transactions of a new NMID are released after the commit.

    Raises:
        DuplicateNmidError: the NMID is already registered. FieldError: a field breaks a rule.
        NotPermittedError: the role may not register merchants here.
    """
    if data.nmid is not None:
        existing = queries.get_merchant_by_nmid(session, data.nmid)
        if existing is not None:
            raise DuplicateNmidError(data.nmid, existing.id)
    values = MerchantContext(session, regency_code=settings.regency_code).values(data)
    require_merchant_editor(actor, values.desa_code)
    merchant = Merchant(source=str(source), status=MerchantStatus.ACTIVE, is_synthetic=False)
    apply_values(merchant, values)
    session.add(merchant)
    session.flush()
    near = near_duplicates_of(session, merchant)
    record_audit(
        session,
        event="economy.merchant.created",
        actor=actor,
        actor_label="cli",
        object_type="merchant",
        object_id=merchant.id,
        client_address=client_address,
        details={"source": str(source), "desa_resolution": values.desa_resolution, "near_duplicates": near},
    )
    session.commit()
    released = after_register_change(
        session, settings=settings, nmids=[merchant.nmid] if merchant.nmid else []
    )
    return MerchantSaved(merchant, near, released)


def update_merchant(
    session: Session,
    *,
    merchant_id: int,
    data: MerchantCreate,
    actor: Principal | None,
    settings: Settings,
    client_address: str | None = None,
) -> MerchantSaved:
    """Replace a merchant's fields with ``data``; audit ``economy.merchant.updated`` (changed field names).

    Raises:
        RecordNotFoundError, DuplicateNmidError, FieldError, NotPermittedError, RegistryError (merged).
    """
    merchant = queries.get_merchant(session, merchant_id, merchant_scope(actor))
    if merchant is None:
        raise RecordNotFoundError(f"pedagang #{merchant_id} tidak ditemukan")
    if merchant.status == MerchantStatus.MERGED:
        raise RegistryError(f"pedagang #{merchant_id} sudah digabung ke #{merchant.merged_into_id}")
    if data.nmid is not None and data.nmid != merchant.nmid:
        holder = queries.get_merchant_by_nmid(session, data.nmid)
        if holder is not None:
            raise DuplicateNmidError(data.nmid, holder.id)
    values = MerchantContext(session, regency_code=settings.regency_code).values(data)
    require_merchant_editor(actor, merchant.desa_code)
    require_merchant_editor(actor, values.desa_code)
    had_nmid = merchant.nmid
    before = {name: getattr(merchant, name) for name in values.__dataclass_fields__}
    apply_values(merchant, values)
    changed = [name for name, old in before.items() if getattr(merchant, name) != old]
    session.flush()
    near = near_duplicates_of(session, merchant)
    record_audit(
        session,
        event="economy.merchant.updated",
        actor=actor,
        actor_label="cli",
        object_type="merchant",
        object_id=merchant.id,
        client_address=client_address,
        details={"fields": changed},
    )
    session.commit()
    new_nmids = [merchant.nmid] if merchant.nmid and merchant.nmid != had_nmid else []
    return MerchantSaved(merchant, near, after_register_change(session, settings=settings, nmids=new_nmids))


def view_merchant(
    session: Session, *, merchant_id: int, actor: Principal | None, client_address: str | None = None
) -> Merchant:
    """One merchant in the reader's scope; the read is audited (``economy.merchant.viewed``).

    Raises:
        RecordNotFoundError: no such merchant, or outside the reader's scope.
    """
    merchant = queries.get_merchant(session, merchant_id, merchant_scope(actor))
    if merchant is None:
        raise RecordNotFoundError(f"pedagang #{merchant_id} tidak ditemukan")
    record_audit(
        session,
        event="economy.merchant.viewed",
        actor=actor,
        actor_label="cli",
        object_type="merchant",
        object_id=merchant_id,
        client_address=client_address,
    )
    session.commit()
    return merchant


def view_merchants(
    session: Session,
    *,
    actor: Principal | None,
    filters: MerchantFilter,
    limit: int = 200,
    offset: int = 0,
    client_address: str | None = None,
) -> tuple[list[Merchant], int]:
    """A page of merchants in the reader's scope and the total; audited as one ``economy.merchant.viewed``."""
    rows, total = queries.list_merchants(session, merchant_scope(actor), filters, limit=limit, offset=offset)
    _audit_list(session, actor, client_address, "list", [m.id for m in rows])
    return rows, total


def view_unresolved_merchants(
    session: Session, *, actor: Principal | None, client_address: str | None = None
) -> list[Merchant]:
    """Merchants whose desa was not found (kept for review); the read is audited."""
    rows = queries.list_unresolved_merchants(session, merchant_scope(actor))
    _audit_list(session, actor, client_address, "unresolved", [m.id for m in rows])
    return rows


def view_duplicate_groups(
    session: Session, *, actor: Principal | None, client_address: str | None = None
) -> list[DuplicateGroupOut]:
    """Groups of likely duplicates in the reader's scope (same market and name, ≤ 50 m); audited."""
    groups = list_duplicate_groups(session, merchant_scope(actor))
    _audit_list(session, actor, client_address, "duplicates", [m.id for g in groups for m in g.merchants])
    return groups


def _audit_list(
    session: Session, actor: Principal | None, client_address: str | None, view: str, ids: list[int]
) -> None:
    record_audit(
        session,
        event="economy.merchant.viewed",
        actor=actor,
        actor_label="cli",
        object_type="merchant_list",
        object_id=view,
        client_address=client_address,
        details={"count": len(ids), "ids": ids[:200]},
    )
    session.commit()


def merge_merchants(
    session: Session,
    *,
    merchant_id: int,
    into_id: int,
    actor: Principal | None,
    client_address: str | None = None,
) -> Merchant:
    """Merge merchant ``merchant_id`` into ``into_id`` (the survivor) keeping history.

    The merged record stays, with status ``merged`` and ``merged_into_id``; the survivor keeps its NMID
    (or takes the merged record's when it had none). Audit ``economy.merchant.merged``.

    Raises:
        RecordNotFoundError, NotPermittedError, RegistryError (same record, already merged, two NMIDs).
    """
    require_market_editor(actor)
    scope = merchant_scope(actor)
    source = queries.get_merchant(session, merchant_id, scope)
    target = queries.get_merchant(session, into_id, scope)
    if source is None or target is None:
        raise RecordNotFoundError(f"pedagang #{merchant_id if source is None else into_id} tidak ditemukan")
    if source.id == target.id:
        raise RegistryError("pedagang tidak dapat digabung dengan dirinya sendiri")
    if MerchantStatus.MERGED in (source.status, target.status):
        raise RegistryError("salah satu pedagang sudah digabung sebelumnya")
    if source.nmid and target.nmid:
        raise RegistryError(
            f"keduanya punya NMID ({source.nmid}, {target.nmid}): dua akun QRIS, bukan duplikat"
        )
    moved_nmid = source.nmid
    if moved_nmid:
        source.nmid = None
        session.flush()  # free the unique NMID before the survivor takes it
        target.nmid, target.accepts_cashless = moved_nmid, True
    _fill_gaps(target, source)
    source.status, source.merged_into_id = MerchantStatus.MERGED, target.id
    record_audit(
        session,
        event="economy.merchant.merged",
        actor=actor,
        actor_label="cli",
        object_type="merchant",
        object_id=source.id,
        client_address=client_address,
        details={"into_id": target.id, "nmid_moved": moved_nmid},
    )
    session.commit()
    queue_metrics_refresh(session)
    return target


def _fill_gaps(target: Merchant, source: Merchant) -> None:
    """Fields the survivor lacks are taken from the merged record (nothing the survivor has is lost)."""
    for name in ("criteria", "category", "stall", "postal_code", "address", "acquirer_code", "onboarded_on"):
        if getattr(target, name) is None and getattr(source, name) is not None:
            setattr(target, name, getattr(source, name))
    if target.desa_code is None and source.desa_code is not None:
        target.desa_code, target.desa_resolution = source.desa_code, source.desa_resolution
    if target.lat is None and source.lat is not None:
        target.lat, target.lon = source.lat, source.lon
