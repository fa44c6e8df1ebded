"""Registering a merchant from a scanned QRIS payload (the text inside the sticker's QR code).

The payload is read with ``lokal-id``'s ``parse_qris``: NMID from tag 51, criteria, name (59), city (60),
postal code (61), MCC (52) and the CRC (63). A payload whose CRC does not match is refused with the
parser's message (the code is damaged, truncated or altered).
"""

from __future__ import annotations

from typing import Any

from lokal import parse_qris
from pydantic import ValidationError
from sqlalchemy.orm import Session

from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry import queries
from smartkotim.economy.registry.access import RegistryError
from smartkotim.economy.registry.merchant_services import MerchantSaved, register_merchant
from smartkotim.economy.registry.models import MerchantSource
from smartkotim.economy.registry.schemas import MerchantCreate, QrisOut, first_field_error


class QrisPayloadError(RegistryError):
    """The payload is not a valid QRIS code (bad CRC, bad format, missing NMID)."""


def read_qris_payload(session: Session, *, payload: str) -> QrisOut:
    """The merchant fields of ``payload`` and any errors; ``existing_merchant_id`` when the NMID is known."""
    info = parse_qris(payload.strip())
    errors = [issue.message for issue in info.errors]
    if info.valid and not info.nmid:
        errors.append("Payload tidak memuat NMID QRIS (tag 51 dengan ID.CO.QRIS.WWW).")
    existing = queries.get_merchant_by_nmid(session, info.nmid) if info.nmid else None
    return QrisOut(
        valid=not errors,
        nmid=info.nmid,
        criteria=info.criteria,
        merchant_name=info.merchant_name,
        merchant_city=info.merchant_city,
        postal_code=info.postal_code,
        mcc=info.mcc,
        errors=errors,
        warnings=[issue.message for issue in info.warnings],
        existing_merchant_id=existing.id if existing else None,
    )


def register_from_qris(
    session: Session,
    *,
    payload: str,
    details: MerchantCreate | None,
    actor: Principal | None,
    settings: Settings,
    client_address: str | None = None,
) -> MerchantSaved:
    """Register the merchant a QRIS payload names; ``details`` adds what the code lacks (market, stall…).

    The NMID, criteria and name come from the payload; the postal code too unless ``details`` gives one.

    Raises:
        QrisPayloadError: invalid payload (the message is the parser's, e.g. the CRC mismatch).
        DuplicateNmidError, FieldError, NotPermittedError: as ``register_merchant``.
    """
    parsed = read_qris_payload(session, payload=payload)
    if not parsed.valid:
        raise QrisPayloadError("QRIS tidak valid: " + " ".join(parsed.errors))
    base: dict[str, Any] = details.model_dump() if details else {"name": parsed.merchant_name}
    base.update(
        nmid=parsed.nmid,
        name=(details.name if details else None) or parsed.merchant_name,
        criteria=parsed.criteria,
        category=base.get("category") or parsed.mcc,
        postal_code=base.get("postal_code") or parsed.postal_code,
        accepts_cashless=True,
    )
    try:
        data = MerchantCreate.model_validate(base)
    except ValidationError as exc:
        raise first_field_error(exc, base) from None
    return register_merchant(
        session,
        data=data,
        actor=actor,
        settings=settings,
        source=MerchantSource.QRIS,
        client_address=client_address,
    )
