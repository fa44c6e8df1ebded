"""The QRIS scan page: the phone camera (BarcodeDetector, when the browser has it), a photo of the
sticker (any phone: the file input opens the camera; read on the server, ``qris_photo``) or a pasted
payload fills the registration form. Without JavaScript the pasted payload or photo is posted and read
on the server."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry.presenters import merchants_out
from smartkotim.economy.registry.qris import read_qris_payload, register_from_qris
from smartkotim.economy.registry.qris_photo import MAX_PHOTO_BYTES, QrisPhotoError, read_qr_text
from smartkotim.economy.registry.schemas import MerchantCreate, MerchantOut, QrisOut, QrisPayloadIn
from smartkotim.economy.registry.view_support import form_context, form_values, http_error, render_registry
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import client_address, get_db, get_settings

router = APIRouter()
TAG = "economy: merchants"


class QrisRegisterIn(QrisPayloadIn):
    """A QRIS payload plus what the code does not say (market, stall, desa, location, bank …)."""

    details: MerchantCreate | None = None


@router.get(
    "/ekonomi/pedagang/qris", name="merchant_qris", response_class=HTMLResponse, include_in_schema=False
)
def merchant_qris(request: Request) -> Response:
    """Scan (camera) or paste a QRIS payload."""
    return render_registry(request, "registry/merchant_qris.html", {"payload": "", "parsed": None})


@router.post(
    "/ekonomi/pedagang/qris", name="merchant_qris_read", response_class=HTMLResponse, include_in_schema=False
)
async def merchant_qris_read(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """Read a pasted payload or the QR code in a photo (``photo``, which wins when sent): a valid one opens
    the registration form filled in; a bad one, or a photo without a readable code, shows why (422)."""
    payload = (await form_values(request)).get("payload") or ""
    form = await request.form()
    try:
        return await _read_and_show(request, db, principal, payload, form.get("photo"))
    finally:
        await form.close()  # the photo's spooled upload


async def _read_and_show(
    request: Request, db: Session, principal: Principal, payload: str, photo: object
) -> Response:
    if isinstance(photo, StarletteUploadFile) and photo.filename:
        try:
            data = await photo.read(MAX_PHOTO_BYTES + 1)
            payload = await run_in_threadpool(read_qr_text, data)  # decoding a photo takes CPU time
        except QrisPhotoError as exc:
            shown = {"payload": payload, "parsed": None, "photo_error": str(exc)}
            return render_registry(request, "registry/merchant_qris.html", shown, 422)
    parsed = read_qris_payload(db, payload=payload)
    if not parsed.valid:
        return render_registry(
            request, "registry/merchant_qris.html", {"payload": payload, "parsed": parsed}, 422
        )
    values = {
        "nmid": parsed.nmid,
        "name": parsed.merchant_name,
        "criteria": parsed.criteria,
        "category": parsed.mcc,
        "postal_code": parsed.postal_code,
        "source": "qris",
    }
    context = {**form_context(db, principal, values), "error": None, "parsed": parsed}
    return render_registry(request, "registry/merchant_form.html", context)


@router.post("/api/economy/qris/parse", name="api_qris_parse", tags=[TAG])
def api_qris_parse(data: QrisPayloadIn, db: Session = Depends(get_db)) -> QrisOut:
    """The merchant fields of a QRIS payload; ``valid`` false with the reasons (e.g. CRC mismatch)."""
    return read_qris_payload(db, payload=data.payload)


@router.post("/api/economy/merchants/qris", name="api_merchant_from_qris", tags=[TAG], status_code=201)
def api_merchant_from_qris(
    request: Request,
    data: QrisRegisterIn,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> MerchantOut:
    """Register the merchant a QRIS payload names; 422 for a bad payload (the CRC error says so)."""
    try:
        saved = register_from_qris(
            db,
            payload=data.payload,
            details=data.details,
            actor=principal,
            settings=settings,
            client_address=client_address(request),
        )
    except ValueError as exc:
        raise http_error(exc) from exc
    return merchants_out(db, [saved.merchant])[0]
