"""Market pages (list, detail with its merchants, create/edit) and their JSON twins under /api/economy."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry import market_services as markets
from smartkotim.economy.registry.access import RegistryError, is_market_editor
from smartkotim.economy.registry.models import MarketKind
from smartkotim.economy.registry.schemas import (
    ImportReport,
    MarketCreate,
    MarketDetailOut,
    MarketOut,
    MarketUpdate,
)
from smartkotim.economy.registry.tabular import ImportFileError
from smartkotim.economy.registry.view_support import (
    error_text,
    form_values,
    http_error,
    render_registry,
    uploaded_file,
)
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import client_address, get_db, get_settings

router = APIRouter()
KINDS = [str(k) for k in MarketKind]


@router.get("/ekonomi/pasar", name="market_list", response_class=HTMLResponse, include_in_schema=False)
def market_list(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """All markets with their merchant counts."""
    rows = markets.view_markets(db, actor=principal)
    return render_registry(
        request,
        "registry/market_list.html",
        {"markets": rows, "can_edit": is_market_editor(principal), "can_import": is_market_editor(principal)},
    )


@router.get("/api/economy/markets", name="api_market_list", tags=["economy: markets"])
def api_market_list(
    db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[MarketOut]:
    """All markets; ``merchants``/``cashless`` count the merchants in the caller's scope."""
    return markets.view_markets(db, actor=principal)


@router.get("/ekonomi/pasar/baru", name="market_new", response_class=HTMLResponse, include_in_schema=False)
def market_new(request: Request, principal: Principal = Depends(require_principal)) -> Response:
    """The form for a new market (saving it checks the office: admin or DKUKMPP)."""
    return _form(request, None, {}, None)


@router.post(
    "/ekonomi/pasar/baru", name="market_create", response_class=HTMLResponse, include_in_schema=False
)
async def market_create(
    request: Request,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Create a market from the form; errors re-render the form with the message."""
    values = await form_values(request)
    try:
        market = markets.create_market(
            db, data=MarketCreate.model_validate(values), actor=principal, regency_code=settings.regency_code
        )
    except (ValidationError, ValueError) as exc:
        return _form(request, None, values, exc)
    return RedirectResponse(f"/ekonomi/pasar/{market.code}", status_code=303)


@router.post("/api/economy/markets", name="api_market_create", tags=["economy: markets"], status_code=201)
def api_market_create(
    data: MarketCreate,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> MarketOut:
    """Create a market (admin or DKUKMPP officer); 422 with the rule when a field is wrong."""
    try:
        market = markets.create_market(db, data=data, actor=principal, regency_code=settings.regency_code)
    except ValueError as exc:
        raise http_error(exc) from exc
    return markets.describe_market(db, code=market.code)


@router.post("/api/economy/markets/import", name="api_market_import", tags=["economy: markets"])
def api_market_import(
    file: UploadFile = File(...),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> ImportReport:
    """Import markets from an uploaded CSV/XLSX (upsert by code); the report lists rejected rows."""
    try:
        with uploaded_file(file) as path:
            return markets.import_markets(db, path=path, actor=principal, regency_code=settings.regency_code)
    except (ImportFileError, RegistryError) as exc:
        raise http_error(exc) from exc


@router.get(
    "/ekonomi/pasar/{code}", name="market_detail", response_class=HTMLResponse, include_in_schema=False
)
def market_detail(
    request: Request,
    code: str,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """One market and its merchants (in the reader's scope)."""
    detail = _detail(request, db, code, principal)
    return render_registry(
        request, "registry/market_detail.html", {"detail": detail, "can_edit": is_market_editor(principal)}
    )


@router.get("/api/economy/markets/{code}", name="api_market_detail", tags=["economy: markets"])
def api_market_detail(
    request: Request,
    code: str,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> MarketDetailOut:
    """One market; ``merchants`` is ``null`` for roles that see aggregates only (leader)."""
    return _detail(request, db, code, principal)


@router.get(
    "/ekonomi/pasar/{code}/ubah", name="market_edit", response_class=HTMLResponse, include_in_schema=False
)
def market_edit(
    request: Request,
    code: str,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """The edit form of a market (saving it checks the office: admin or DKUKMPP)."""
    try:
        market = markets.describe_market(db, code=code)
    except ValueError as exc:
        raise http_error(exc) from exc
    return _form(request, code, market.model_dump(), None)


@router.post(
    "/ekonomi/pasar/{code}/ubah", name="market_update", response_class=HTMLResponse, include_in_schema=False
)
async def market_update(
    request: Request,
    code: str,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Save the edit form; errors re-render it."""
    values = await form_values(request)
    values.pop("code", None)
    try:
        data = MarketUpdate.model_validate(values)
        markets.update_market(db, code=code, data=data, actor=principal, regency_code=settings.regency_code)
    except (ValidationError, ValueError) as exc:
        return _form(request, code, values, exc)
    return RedirectResponse(f"/ekonomi/pasar/{code}", status_code=303)


@router.put("/api/economy/markets/{code}", name="api_market_update", tags=["economy: markets"])
def api_market_update(
    code: str,
    data: MarketUpdate,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> MarketOut:
    """Replace a market's editable fields."""
    try:
        markets.update_market(db, code=code, data=data, actor=principal, regency_code=settings.regency_code)
    except ValueError as exc:
        raise http_error(exc) from exc
    return markets.describe_market(db, code=code)


def _detail(request: Request, db: Session, code: str, principal: Principal | None) -> MarketDetailOut:
    try:
        return markets.view_market(db, code=code, actor=principal, client_address=client_address(request))
    except ValueError as exc:
        raise http_error(exc) from exc


def _form(request: Request, code: str | None, values: dict[str, object], error: Exception | None) -> Response:
    if error is not None and http_error(error).status_code == 403:
        raise http_error(error)
    context = {"code": code, "values": values, "kinds": KINDS, "error": error_text(error) if error else None}
    return render_registry(request, "registry/market_form.html", context, 422 if error else 200)
