"""Merchant registration from QRIS, duplicates (50 m vs 60 m), merge with history, scoping, read audit."""

from __future__ import annotations

import pytest
from registry_helpers import Person, make_qris
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts.models import AuditEntry
from smartkotim.config import Settings
from smartkotim.economy.registry.access import DuplicateNmidError, RecordNotFoundError, RegistryError
from smartkotim.economy.registry.duplicates import distance_m, list_duplicate_groups
from smartkotim.economy.registry.market_services import create_market
from smartkotim.economy.registry.merchant_services import (
    merge_merchants,
    register_merchant,
    view_merchant,
    view_merchants,
)
from smartkotim.economy.registry.models import Merchant
from smartkotim.economy.registry.qris import QrisPayloadError, read_qris_payload, register_from_qris
from smartkotim.economy.registry.queries import MerchantFilter, MerchantScope
from smartkotim.economy.registry.schemas import MarketCreate, MerchantCreate

LAT, LON = -2.5405, 112.9480
METRES_PER_DEGREE_LAT = 111_195.0


def north(metres: float) -> float:
    return LAT + metres / METRES_PER_DEGREE_LAT


@pytest.fixture
def ppm(db: Session, people: dict[str, Person]) -> None:
    data = MarketCreate(
        code="PPM", name="PPM", kind="pasar induk", desa_code="62.02.06.1002", lat=LAT, lon=LON
    )
    create_market(db, data=data, actor=None, regency_code="62.02")


def test_qris_payload_fills_the_merchant(db: Session, settings: Settings, people: dict[str, Person]) -> None:
    payload = make_qris("ID1025380163258", "TOKO SAYUR ANI", postal="74311", criteria="UMI", mcc="5411")
    parsed = read_qris_payload(db, payload=payload)
    assert parsed.valid and parsed.errors == []
    assert (parsed.nmid, parsed.criteria, parsed.merchant_name, parsed.merchant_city, parsed.postal_code) == (
        "ID1025380163258",
        "UMI",
        "TOKO SAYUR ANI",
        "SAMPIT",
        "74311",
    )
    saved = register_from_qris(
        db, payload=payload, details=None, actor=people["dkukmpp"].principal, settings=settings
    )
    merchant = saved.merchant
    assert (merchant.nmid, merchant.criteria, merchant.category, merchant.source) == (
        "ID1025380163258",
        "UMI",
        "5411",
        "qris",
    )
    assert (merchant.desa_code, merchant.desa_resolution, merchant.accepts_cashless) == (
        "62.02.05.1001",
        "postal_code",
        True,
    )
    assert read_qris_payload(db, payload=payload).existing_merchant_id == merchant.id


def test_qris_with_a_wrong_crc_is_a_clear_error(
    db: Session, settings: Settings, people: dict[str, Person]
) -> None:
    payload = make_qris("ID1025380163258", "TOKO SAYUR ANI")
    wrong = payload[:-4] + ("0000" if payload[-4:] != "0000" else "FFFF")
    parsed = read_qris_payload(db, payload=wrong)
    assert not parsed.valid
    assert any("CRC" in e for e in parsed.errors)
    with pytest.raises(QrisPayloadError, match="CRC tidak cocok"):
        register_from_qris(
            db, payload=wrong, details=None, actor=people["admin"].principal, settings=settings
        )
    assert db.scalars(select(Merchant)).all() == []


def test_same_nmid_is_refused(db: Session, settings: Settings, people: dict[str, Person]) -> None:
    data = MerchantCreate(nmid="ID1000000000001", name="Toko A", desa_code="62.02.05.1001")
    first = register_merchant(db, data=data, actor=people["admin"].principal, settings=settings).merchant
    with pytest.raises(DuplicateNmidError) as info:
        register_merchant(
            db,
            data=data.model_copy(update={"name": "Toko B"}),
            actor=people["admin"].principal,
            settings=settings,
        )
    assert info.value.existing_id == first.id


def _at(
    db: Session, settings: Settings, actor: Person, name: str, metres: float, nmid: str | None = None
) -> int:
    data = MerchantCreate(nmid=nmid, name=name, market_code="PPM", lat=north(metres), lon=LON)
    return register_merchant(db, data=data, actor=actor.principal, settings=settings).merchant.id


def test_same_name_within_50_m_is_flagged_and_60_m_is_not(
    db: Session, settings: Settings, people: dict[str, Person], ppm: None
) -> None:
    admin = people["admin"]
    a = _at(db, settings, admin, "Toko Ani", 0)
    b_saved = register_merchant(
        db,
        data=MerchantCreate(name="TOKO  ANI.", market_code="PPM", lat=north(40), lon=LON),
        actor=admin.principal,
        settings=settings,
    )
    _at(db, settings, admin, "Toko Budi", 0)
    _at(db, settings, admin, "Toko Budi", 60)
    assert 39.5 < distance_m(LAT, LON, north(40), LON) < 40.5
    assert 59.5 < distance_m(LAT, LON, north(60), LON) < 60.5
    assert b_saved.near_duplicates == [a]
    groups = list_duplicate_groups(db, MerchantScope())
    assert [(g.name_normalised, sorted(m.id for m in g.merchants)) for g in groups] == [
        ("toko ani", sorted([a, b_saved.merchant.id]))
    ]
    assert 39.5 < groups[0].max_distance_m < 40.5


def test_merge_keeps_history_and_the_nmid(
    db: Session, settings: Settings, people: dict[str, Person], ppm: None
) -> None:
    admin = people["dkukmpp"]
    survivor = _at(db, settings, admin, "Toko Ani", 0)
    merged = _at(db, settings, admin, "Toko Ani", 10, nmid="ID1000000000077")
    merge_merchants(db, merchant_id=merged, into_id=survivor, actor=admin.principal)
    db.expire_all()
    old = db.get_one(Merchant, merged)
    new = db.get_one(Merchant, survivor)
    assert (old.status, old.merged_into_id, old.nmid, old.name) == ("merged", survivor, None, "Toko Ani")
    assert (new.status, new.nmid, new.accepts_cashless) == ("active", "ID1000000000077", True)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.event == "economy.merchant.merged")).one()
    assert (entry.object_id, entry.details["into_id"], entry.details["nmid_moved"]) == (
        str(merged),
        survivor,
        "ID1000000000077",
    )
    assert list_duplicate_groups(db, MerchantScope()) == []
    with pytest.raises(RegistryError):
        merge_merchants(db, merchant_id=merged, into_id=survivor, actor=admin.principal)


def test_two_nmids_are_not_merged(
    db: Session, settings: Settings, people: dict[str, Person], ppm: None
) -> None:
    admin = people["admin"]
    a = _at(db, settings, admin, "Toko Ani", 0, nmid="ID1000000000001")
    b = _at(db, settings, admin, "Toko Ani", 5, nmid="ID1000000000002")
    with pytest.raises(RegistryError, match="dua akun QRIS"):
        merge_merchants(db, merchant_id=b, into_id=a, actor=admin.principal)


def test_bank_partner_and_scoped_surveyor_see_only_their_merchants(
    db: Session, settings: Settings, people: dict[str, Person]
) -> None:
    admin = people["admin"].principal
    rows = [
        ("ID1000000000001", "BRI Baamang", "62.02.05.1001", "BRI"),
        ("ID1000000000002", "BRI Ketapang", "62.02.06.1003", "BRI"),
        ("ID1000000000003", "BNI Ketapang", "62.02.06.1003", "BNI"),
        (None, "Tunai Ketapang", "62.02.06.1001", None),
    ]
    ids = {}
    for nmid, name, desa, bank in rows:
        data = MerchantCreate(nmid=nmid, name=name, desa_code=desa, acquirer=bank)
        ids[name] = register_merchant(db, data=data, actor=admin, settings=settings).merchant.id
    seen = {
        who: sorted(
            m.name for m in view_merchants(db, actor=people[who].principal, filters=MerchantFilter())[0]
        )
        for who in ("bri", "bni", "surveyor_mbk", "analyst")
    }
    assert seen == {
        "bri": ["BRI Baamang", "BRI Ketapang"],
        "bni": ["BNI Ketapang"],
        "surveyor_mbk": ["BNI Ketapang", "BRI Ketapang", "Tunai Ketapang"],
        "analyst": sorted(name for _, name, _, _ in rows),
    }
    with pytest.raises(RecordNotFoundError):
        view_merchant(db, merchant_id=ids["BNI Ketapang"], actor=people["bri"].principal)
    view_merchant(db, merchant_id=ids["BRI Ketapang"], actor=people["bri"].principal)
    viewed = db.scalars(select(AuditEntry).where(AuditEntry.event == "economy.merchant.viewed")).all()
    assert len(viewed) == 5  # four list reads and one detail read
    detail = [e for e in viewed if e.object_type == "merchant"]
    assert [(e.object_id, e.actor_label) for e in detail] == [(str(ids["BRI Ketapang"]), "bri")]


def test_scoped_surveyor_cannot_register_outside_its_kecamatan(
    db: Session, settings: Settings, people: dict[str, Person]
) -> None:
    from smartkotim.economy.registry.access import NotPermittedError

    surveyor = people["surveyor_mbk"].principal
    inside = MerchantCreate(name="Di Dalam", desa_code="62.02.06.1003")
    register_merchant(db, data=inside, actor=surveyor, settings=settings)
    with pytest.raises(NotPermittedError):
        register_merchant(
            db,
            data=MerchantCreate(name="Di Luar", desa_code="62.02.05.1001"),
            actor=surveyor,
            settings=settings,
        )
    with pytest.raises(NotPermittedError):
        register_merchant(db, data=inside, actor=people["bri"].principal, settings=settings)
