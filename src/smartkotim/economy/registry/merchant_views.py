"""Merchant pages (list, detail, register by form or QRIS, unresolved, duplicates, merge) and JSON twins.

Every read of merchant records is audited by the service it calls (``economy.merchant.viewed``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry import merchant_services as service
from smartkotim.economy.registry import queries
from smartkotim.economy.registry.access import is_market_editor, is_merchant_editor
from smartkotim.economy.registry.merchant_import import import_merchants
from smartkotim.economy.registry.models import MerchantSource
from smartkotim.economy.registry.presenters import merchants_out
from smartkotim.economy.registry.schemas import (
    DuplicateGroupOut,
    ImportReport,
    MerchantCreate,
    MerchantOut,
    MerchantPage,
    MergeIn,
)
from smartkotim.economy.registry.view_support import (
    error_text,
    form_context,
    form_values,
    http_error,
    render_registry,
    uploaded_file,
)
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import IdPath, client_address, get_db, get_settings

router = APIRouter()
TAG = "economy: merchants"


def _filters(
    market: str | None = None,
    desa: str | None = None,
    status: str | None = None,
    q: str | None = None,
    db: Session = Depends(get_db),
) -> queries.MerchantFilter:
    found = queries.get_market_by_code(db, market.upper()) if market else None
    return queries.MerchantFilter(
        market_id=found.id if found else (-1 if market else None),
        desa_prefix=desa or None,
        status=status or None,
        text=q or None,
    )


@router.get("/ekonomi/pedagang", name="merchant_list", response_class=HTMLResponse, include_in_schema=False)
def merchant_list(
    request: Request,
    page: Annotated[int, Query(ge=1)] = 1,
    filters: queries.MerchantFilter = Depends(_filters),
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Merchants in the reader's scope, 200 per page, filtered by market, desa, status or name."""
    out = _page(request, db, principal, filters, page)
    context = {
        "page": out,
        "number": page,
        "query": dict(request.query_params),
        "can_edit": is_merchant_editor(principal),
        "can_import": is_market_editor(principal),  # the import services' rule (not surveyors)
    }
    return render_registry(request, "registry/merchant_list.html", context)


@router.get("/api/economy/merchants", name="api_merchant_list", tags=[TAG])
def api_merchant_list(
    request: Request,
    page: Annotated[int, Query(ge=1)] = 1,
    filters: queries.MerchantFilter = Depends(_filters),
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> MerchantPage:
    """Merchants in the caller's scope (a bank sees its own acquirer's only), 200 per page."""
    return _page(request, db, principal, filters, page)


def _page(
    request: Request, db: Session, principal: Principal, filters: queries.MerchantFilter, page: int
) -> MerchantPage:
    rows, total = service.view_merchants(
        db,
        actor=principal,
        filters=filters,
        limit=200,
        offset=(page - 1) * 200,
        client_address=client_address(request),
    )
    return MerchantPage(total=total, items=merchants_out(db, rows))


@router.get(
    "/ekonomi/pedagang/baru", name="merchant_new", response_class=HTMLResponse, include_in_schema=False
)
def merchant_new(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """The registration form (also reached pre-filled from a QRIS payload); markets in the user's scope."""
    return _form(request, db, principal, {}, None)


@router.post(
    "/ekonomi/pedagang/baru", name="merchant_create", response_class=HTMLResponse, include_in_schema=False
)
async def merchant_create(
    request: Request,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Register from the form; errors re-render it with the message."""
    values = await form_values(request)
    source = MerchantSource.QRIS if values.pop("source", None) == "qris" else MerchantSource.FORM
    try:
        saved = service.register_merchant(
            db,
            data=MerchantCreate.model_validate(values),
            actor=principal,
            settings=settings,
            source=source,
            client_address=client_address(request),
        )
    except (ValidationError, ValueError) as exc:
        return _form(request, db, principal, values, exc)
    return RedirectResponse(f"/ekonomi/pedagang/{saved.merchant.id}", status_code=303)


@router.post("/api/economy/merchants", name="api_merchant_create", tags=[TAG], status_code=201)
def api_merchant_create(
    request: Request,
    data: MerchantCreate,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> MerchantOut:
    """Register a merchant; 409 when the NMID is taken, 422 with the rule when a field is wrong."""
    try:
        saved = service.register_merchant(
            db, data=data, actor=principal, settings=settings, client_address=client_address(request)
        )
    except ValueError as exc:
        raise http_error(exc) from exc
    return merchants_out(db, [saved.merchant])[0]


@router.post("/api/economy/merchants/import", name="api_merchant_import", tags=[TAG])
def api_merchant_import(
    file: UploadFile = File(...),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> ImportReport:
    """Import the canonical merchant CSV/XLSX; counts created/updated/unchanged/unresolved/rejected."""
    try:
        with uploaded_file(file) as path:
            return import_merchants(db, path=path, actor=principal, settings=settings, actor_label="web")
    except ValueError as exc:
        raise http_error(exc) from exc


@router.get(
    "/ekonomi/pedagang/belum-terpetakan",
    name="merchant_unresolved",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def merchant_unresolved(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """Merchants whose desa was not found, for review."""
    rows = service.view_unresolved_merchants(db, actor=principal, client_address=client_address(request))
    return render_registry(
        request, "registry/merchant_unresolved.html", {"merchants": merchants_out(db, rows)}
    )


@router.get("/api/economy/merchants/unresolved", name="api_merchant_unresolved", tags=[TAG])
def api_merchant_unresolved(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[MerchantOut]:
    """Merchants whose desa was not found (kept, never dropped), in the caller's scope."""
    rows = service.view_unresolved_merchants(db, actor=principal, client_address=client_address(request))
    return merchants_out(db, rows)


@router.get(
    "/ekonomi/pedagang/duplikat",
    name="merchant_duplicates",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def merchant_duplicates(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """Likely duplicates (same name within 50 m in one market), each with a merge form."""
    groups = service.view_duplicate_groups(db, actor=principal, client_address=client_address(request))
    context = {"groups": groups, "can_merge": is_market_editor(principal)}
    return render_registry(request, "registry/merchant_duplicates.html", context)


@router.get("/api/economy/merchants/duplicates", name="api_merchant_duplicates", tags=[TAG])
def api_merchant_duplicates(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[DuplicateGroupOut]:
    """Groups of likely duplicates in the caller's scope."""
    return service.view_duplicate_groups(db, actor=principal, client_address=client_address(request))


@router.get(
    "/ekonomi/pedagang/{merchant_id}",
    name="merchant_detail",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def merchant_detail(
    request: Request,
    merchant_id: IdPath,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """One merchant (the read is audited)."""
    merchant = _one(request, db, merchant_id, principal)
    context = {"m": merchant, "can_merge": is_market_editor(principal)}
    return render_registry(request, "registry/merchant_detail.html", context)


@router.get("/api/economy/merchants/{merchant_id}", name="api_merchant_detail", tags=[TAG])
def api_merchant_detail(
    request: Request,
    merchant_id: IdPath,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> MerchantOut:
    """One merchant in the caller's scope (404 outside it); the read is audited."""
    return _one(request, db, merchant_id, principal)


@router.post("/ekonomi/pedagang/{merchant_id}/gabung", name="merchant_merge", include_in_schema=False)
async def merchant_merge(
    request: Request,
    merchant_id: IdPath,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Merge this merchant into the one chosen in the form (``into_id``)."""
    values = await form_values(request)
    try:
        into = MergeIn.model_validate(values).into_id
        service.merge_merchants(
            db, merchant_id=merchant_id, into_id=into, actor=principal, client_address=client_address(request)
        )
    except (ValidationError, ValueError) as exc:
        raise http_error(exc) from exc
    return RedirectResponse(f"/ekonomi/pedagang/{into}", status_code=303)


@router.post("/api/economy/merchants/{merchant_id}/merge", name="api_merchant_merge", tags=[TAG])
def api_merchant_merge(
    request: Request,
    merchant_id: IdPath,
    data: MergeIn,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> MerchantOut:
    """Merge ``merchant_id`` into ``into_id``; returns the survivor (the merged record stays, ``merged``)."""
    try:
        survivor = service.merge_merchants(
            db,
            merchant_id=merchant_id,
            into_id=data.into_id,
            actor=principal,
            client_address=client_address(request),
        )
    except ValueError as exc:
        raise http_error(exc) from exc
    return merchants_out(db, [survivor])[0]


def _one(request: Request, db: Session, merchant_id: int, principal: Principal) -> MerchantOut:
    try:
        merchant = service.view_merchant(
            db, merchant_id=merchant_id, actor=principal, client_address=client_address(request)
        )
    except ValueError as exc:
        raise http_error(exc) from exc
    return merchants_out(db, [merchant])[0]


def _form(
    request: Request, db: Session, principal: Principal, values: dict[str, Any], error: Exception | None
) -> Response:
    """The registration form, re-rendered with the values and the error (403 out of scope, else 422)."""
    context = form_context(db, principal, values)
    context["error"] = error_text(error) if error else None
    status = 200 if error is None else (403 if http_error(error).status_code == 403 else 422)
    return render_registry(request, "registry/merchant_form.html", context, status)
