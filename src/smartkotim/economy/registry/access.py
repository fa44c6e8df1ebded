"""Who may see and change which register records, and the register's domain errors.

The route table (``web.permissions``) decides which roles reach a page; these rules add the record
scope: a ``bank_partner`` sees only merchants of its own acquirer code, a ``surveyor`` scoped to a
kecamatan (or desa) only merchants there; markets are edited by admins and by officers of the office
that manages markets (DKUKMPP).
"""

from __future__ import annotations

from smartkotim.accounts.roles import Principal, Role
from smartkotim.economy.registry.queries import MerchantScope

MARKET_OFFICE_CODE = "DKUKMPP"  # Dinas Koperasi, UKM, Perdagangan dan Perindustrian


class RegistryError(ValueError):
    """A register operation was refused; the message says why in words a user understands."""


class RecordNotFoundError(RegistryError):
    """The market or merchant does not exist, or lies outside the reader's scope."""


class NotPermittedError(RegistryError):
    """The principal's role or office may not make this change."""


class DuplicateNmidError(RegistryError):
    """The NMID is already registered to another merchant (``existing_id``)."""

    def __init__(self, nmid: str, existing_id: int) -> None:
        super().__init__(f"NMID {nmid} sudah terdaftar untuk pedagang #{existing_id}")
        self.nmid = nmid
        self.existing_id = existing_id


def merchant_scope(principal: Principal | None) -> MerchantScope:
    """The merchants ``principal`` may read (``None`` = a command-line or system caller: all)."""
    if principal is None:
        return MerchantScope()
    if principal.role == Role.BANK_PARTNER:
        return MerchantScope(acquirer_code=principal.organisation_code)
    if principal.role == Role.SURVEYOR and principal.region_code:
        return MerchantScope(region_code=principal.region_code)
    return MerchantScope()


MERCHANT_READER_ROLES = frozenset(
    {Role.ADMIN, Role.ANALYST, Role.OPD_OFFICER, Role.BANK_PARTNER, Role.SURVEYOR}
)


def may_read_merchants(principal: Principal | None) -> bool:
    """True for the roles that may read merchant-level records (leaders see aggregates only)."""
    return principal is None or principal.role in MERCHANT_READER_ROLES


def is_market_editor(principal: Principal | None) -> bool:
    """Admins, the command line (``None``) and officers of the market office may edit markets."""
    if principal is None or principal.role == Role.ADMIN:
        return True
    return principal.role == Role.OPD_OFFICER and principal.organisation_code == MARKET_OFFICE_CODE


def is_merchant_editor(principal: Principal | None) -> bool:
    """Market editors plus field surveyors (within their scope) may register merchants."""
    return is_market_editor(principal) or (principal is not None and principal.role == Role.SURVEYOR)


def require_market_editor(principal: Principal | None) -> None:
    """Raises ``NotPermittedError`` unless ``principal`` may edit markets."""
    if not is_market_editor(principal):
        raise NotPermittedError(
            f"hanya admin atau petugas {MARKET_OFFICE_CODE} yang boleh mengubah data pasar"
        )


def require_merchant_editor(principal: Principal | None, desa_code: str | None) -> None:
    """Raises ``NotPermittedError`` unless ``principal`` may register a merchant in ``desa_code``."""
    if not is_merchant_editor(principal):
        raise NotPermittedError(
            f"hanya admin, petugas {MARKET_OFFICE_CODE} atau surveyor yang boleh mendaftarkan"
        )
    scope = merchant_scope(principal)
    if scope.region_code and not (desa_code or "").startswith(scope.region_code):
        raise NotPermittedError(f"pedagang ini di luar wilayah tugas Anda ({scope.region_code})")
