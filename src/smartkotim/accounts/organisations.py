"""Organisation services: Kotim's offices (OPD, incl. the kecamatan offices) and partner banks / PJP.

A bank's ``code`` is its acquirer code as written in the transaction reports (``BRI``, ``BPD-KALTENG``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from smartkotim.accounts import queries
from smartkotim.accounts.audit import SYSTEM, Actor
from smartkotim.accounts.errors import DuplicateError, InvalidInputError, NotFoundError
from smartkotim.accounts.models import Organisation, OrganisationKind

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{1,39}$")

# Kotim's offices (Perangkat Daerah) that use the platform; names as in the Pemkab's nomenclature.
OPD_SEED: tuple[tuple[str, str], ...] = (
    ("SETDA", "Sekretariat Daerah"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("BAPPELITBANGDA", "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah"),
    ("DKUKMPP", "Dinas Koperasi, Usaha Kecil dan Menengah, Perdagangan dan Perindustrian"),
    ("BAPENDA", "Badan Pendapatan Daerah"),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DISBUDPAR", "Dinas Kebudayaan dan Pariwisata"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("SATPOL-PP", "Satuan Polisi Pamong Praja"),
)

# Partner banks / payment providers; the code is the acquirer code in their transaction reports.
BANK_SEED: tuple[tuple[str, str], ...] = (
    ("BRI", "PT Bank Rakyat Indonesia (Persero) Tbk"),
    ("BNI", "PT Bank Negara Indonesia (Persero) Tbk"),
    ("MANDIRI", "PT Bank Mandiri (Persero) Tbk"),
    ("BPD-KALTENG", "PT Bank Pembangunan Daerah Kalimantan Tengah (Bank Kalteng)"),
    ("BSI", "PT Bank Syariah Indonesia Tbk"),
)


def kecamatan_office_code(region_code: str) -> str:
    """The organisation code of a kecamatan office: ``KEC-62.02.05``."""
    return f"KEC-{region_code}"


def _clean(kind: str, code: str, name: str) -> tuple[OrganisationKind, str, str]:
    if kind not in set(OrganisationKind):
        raise InvalidInputError(f"Jenis organisasi {kind!r} tidak dikenal: pakai 'opd' atau 'bank'.")
    code = code.strip().upper()
    if not _CODE.match(code):
        raise InvalidInputError(
            f"Kode organisasi {code!r} tidak valid: 2–40 huruf besar, angka, titik atau tanda hubung."
        )
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInputError("Nama organisasi wajib diisi (maksimal 200 karakter).")
    return OrganisationKind(kind), code, name


def _check_region(session: Session, region_code: str | None) -> None:
    if region_code and queries.get_region_level(session, region_code) is None:
        raise InvalidInputError(f"Kode wilayah {region_code!r} tidak ada di register wilayah.")


def create_organisation(
    session: Session, *, kind: str, code: str, name: str, region_code: str | None = None, by: Actor
) -> Organisation:
    """Create an OPD or bank organisation; audit ``accounts.organisation.created``.

    Raises:
        InvalidInputError: unknown kind, malformed code, empty name, region not in the register.
        DuplicateError: the code is taken.
    """
    clean_kind, clean_code, clean_name = _clean(kind, code, name)
    _check_region(session, region_code or None)
    if queries.get_organisation_by_code(session, clean_code) is not None:
        raise DuplicateError(f"Kode organisasi {clean_code!r} sudah dipakai.")
    org = Organisation(
        kind=clean_kind, code=clean_code, name=clean_name, region_code=region_code or None, is_active=True
    )
    session.add(org)
    session.flush()
    by.audit(
        session,
        "accounts.organisation.created",
        object_type="organisation",
        object_id=org.code,
        details={"kind": str(clean_kind), "name": clean_name},
    )
    session.commit()
    return org


def update_organisation(
    session: Session,
    *,
    organisation_id: int,
    name: str | None = None,
    region_code: str | None = None,
    is_active: bool | None = None,
    by: Actor,
) -> Organisation:
    """Rename, re-scope or (de)activate an organisation; audit ``accounts.organisation.updated``.

    ``None`` leaves a field as it is; ``region_code=""`` clears the region.

    Raises:
        NotFoundError: no such organisation.
        InvalidInputError: empty name, region not in the register.
    """
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"Organisasi {organisation_id} tidak ditemukan.")
    changes: dict[str, object] = {}
    if name is not None:
        _, _, clean_name = _clean(org.kind, org.code, name)
        changes["name"] = org.name = clean_name
    if region_code is not None:
        _check_region(session, region_code or None)
        changes["region_code"] = org.region_code = region_code or None
    if is_active is not None:
        changes["is_active"] = org.is_active = is_active
    by.audit(
        session,
        "accounts.organisation.updated",
        object_type="organisation",
        object_id=org.code,
        details=changes,
    )
    session.commit()
    return org


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What a seed run did: codes created and how many were already there."""

    created: list[str]
    existing: int


def seed_organisations(session: Session, *, regency_code: str, include_banks: bool = False) -> SeedResult:
    """Create the missing OPD, one office per kecamatan of ``regency_code`` and, if asked, the banks.

    Idempotent: existing organisations (matched by code) are left as they are. Kecamatan offices are
    named from the region register (``Kecamatan Baamang``), so the register must be loaded first.
    Audit ``accounts.organisation.seeded`` (actor ``system``) when anything was created.
    """
    wanted: list[tuple[OrganisationKind, str, str, str | None]] = [
        (OrganisationKind.OPD, code, name, None) for code, name in OPD_SEED
    ]
    wanted += [
        (OrganisationKind.OPD, kecamatan_office_code(code), f"Kecamatan {name}", code)
        for code, name in queries.list_kecamatan(session, regency_code=regency_code)
    ]
    if include_banks:
        wanted += [(OrganisationKind.BANK, code, name, None) for code, name in BANK_SEED]
    existing = {o.code for o in queries.list_organisations(session)}
    created = [code for _, code, _, _ in wanted if code not in existing]
    for kind, code, name, region in wanted:
        if code in created:
            session.add(Organisation(kind=kind, code=code, name=name, region_code=region, is_active=True))
    if created:
        SYSTEM.audit(
            session, "accounts.organisation.seeded", object_type="organisation", details={"created": created}
        )
    session.commit()
    return SeedResult(created=created, existing=len(wanted) - len(created))
