"""Users and organisations: scope rules, password policy and hashing, disable, reset, change."""

from __future__ import annotations

import pytest
from accounts_helpers import PASSWORD, TEST_ACTOR, make_user
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts import login, organisations, queries, services
from smartkotim.accounts.errors import (
    DuplicateError,
    InvalidCredentialsError,
    InvalidInputError,
    NotFoundError,
    PasswordPolicyError,
)
from smartkotim.accounts.models import AuditEntry, Organisation, User
from smartkotim.accounts.roles import Role
from smartkotim.regions.models import Region

POLICY = login.LockoutPolicy(max_failures=5, lockout_minutes=15)


def test_seed_has_the_offices_the_kecamatan_and_is_idempotent(db: Session) -> None:
    first = organisations.seed_organisations(db, regency_code="62.02")
    again = organisations.seed_organisations(db, regency_code="62.02")
    assert again.created == []
    assert again.existing == len(first.created)
    codes = {o.code: o for o in queries.list_organisations(db)}
    for code in (
        "DISKOMINFO",
        "BAPPELITBANGDA",
        "DKUKMPP",
        "BAPENDA",
        "BPKAD",
        "DINKES",
        "DISDIK",
        "DLH",
        "DISHUB",
        "DISBUDPAR",
        "DISDUKCAPIL",
        "SATPOL-PP",
    ):
        assert codes[code].kind == "opd"
    kecamatan = db.scalars(select(Region).where(Region.level == "kecamatan")).all()
    assert len(kecamatan) == 17
    for region in kecamatan:
        office = codes[f"KEC-{region.code}"]
        assert office.region_code == region.code
        assert office.name == f"Kecamatan {region.name}"
    assert codes["KEC-62.02.05"].name == "Kecamatan Baamang"
    assert not [o for o in codes.values() if o.kind == "bank"]  # banks only when asked


def test_seed_with_banks_uses_acquirer_codes(db: Session) -> None:
    organisations.seed_organisations(db, regency_code="62.02", include_banks=True)
    banks = {o.code for o in queries.list_organisations(db, kind="bank")}
    assert banks == {"BRI", "BNI", "MANDIRI", "BPD-KALTENG", "BSI"}


def test_create_organisation_rules(db: Session) -> None:
    org = organisations.create_organisation(
        db, kind="bank", code=" bpd-kalteng ", name="Bank Kalteng", by=TEST_ACTOR
    )
    assert org.code == "BPD-KALTENG"
    with pytest.raises(DuplicateError):
        organisations.create_organisation(db, kind="bank", code="BPD-KALTENG", name="Lagi", by=TEST_ACTOR)
    with pytest.raises(InvalidInputError, match="Jenis"):
        organisations.create_organisation(db, kind="pjp", code="OVO", name="OVO", by=TEST_ACTOR)
    with pytest.raises(InvalidInputError, match="Kode organisasi"):
        organisations.create_organisation(db, kind="opd", code="bad code!", name="X", by=TEST_ACTOR)
    with pytest.raises(InvalidInputError, match=r"99\.99"):
        organisations.create_organisation(
            db, kind="opd", code="KEC-X", name="X", region_code="99.99", by=TEST_ACTOR
        )
    events = db.scalars(select(AuditEntry.event)).all()
    assert events == ["accounts.organisation.created"]


def test_update_organisation(db: Session) -> None:
    org = organisations.create_organisation(db, kind="opd", code="DLH", name="Dinas LH", by=TEST_ACTOR)
    organisations.update_organisation(
        db, organisation_id=org.id, name="Dinas Lingkungan Hidup", is_active=False, by=TEST_ACTOR
    )
    db.expire_all()
    row = db.get(Organisation, org.id)
    assert row is not None
    assert (row.name, row.is_active) == ("Dinas Lingkungan Hidup", False)
    with pytest.raises(NotFoundError):
        organisations.update_organisation(db, organisation_id=999999, name="x", by=TEST_ACTOR)


@pytest.mark.parametrize(
    ("role", "org", "region", "message"),
    [
        (Role.BANK_PARTNER, "DKUKMPP", None, "bank"),
        (Role.OPD_OFFICER, "BRI", None, "OPD"),
        (Role.ANALYST, "BNI", None, "OPD"),
        (Role.SURVEYOR, "DKUKMPP", "62.02.05.1001", "kecamatan"),
        (Role.SURVEYOR, "DKUKMPP", "62.02.99", "register"),
        (Role.SURVEYOR, "TIDAK-ADA", None, "TIDAK-ADA"),
    ],
)
def test_user_scope_is_validated(
    seeded: Session, role: Role, org: str, region: str | None, message: str
) -> None:
    with pytest.raises((InvalidInputError, NotFoundError), match=message):
        services.create_user(
            seeded,
            username="x.user",
            role=role,
            organisation_code=org,
            password=PASSWORD,
            region_code=region,
            by=TEST_ACTOR,
        )
    assert seeded.scalars(select(User)).all() == []


def test_surveyor_scoped_to_a_kecamatan(seeded: Session) -> None:
    user = make_user(seeded, Role.SURVEYOR, "surveyor.baamang")
    principal = services.principal_for_session(seeded, user_id=user.id, session_version=user.session_version)
    assert principal is not None
    assert (principal.role, principal.region_code, principal.organisation_code) == (
        Role.SURVEYOR,
        "62.02.05",
        "DKUKMPP",
    )


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short1234", "minimal 10"),
        ("          ", "spasi"),
        ("analis.uji", "nama pengguna"),
        ("aaaaaaaaaaaa", "4"),
    ],
)
def test_password_policy(seeded: Session, password: str, rule: str) -> None:
    with pytest.raises(PasswordPolicyError, match=rule) as info:
        make_user(seeded, Role.ANALYST, "analis.uji", password=password)
    assert password.strip() == "" or password not in str(info.value)


def test_username_rules_and_duplicates(seeded: Session) -> None:
    make_user(seeded, Role.ANALYST, "Analis")
    assert queries.get_user_by_username(seeded, "ANALIS") is not None
    with pytest.raises(DuplicateError):
        make_user(seeded, Role.LEADER, "analis")
    with pytest.raises(InvalidInputError, match="Nama pengguna"):
        make_user(seeded, Role.LEADER, "a b")
    with pytest.raises(InvalidInputError, match="Peran"):
        services.create_user(
            seeded, username="x.y.z", role="boss", organisation_code="SETDA", password=PASSWORD, by=TEST_ACTOR
        )


def test_password_is_hashed_with_argon2id(seeded: Session) -> None:
    user = make_user(seeded, Role.ANALYST, "analis")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_outdated_hash_is_upgraded_at_login(seeded: Session) -> None:
    user = make_user(seeded, Role.ANALYST, "analis")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    seeded.commit()
    login.authenticate(
        seeded, username="analis", password=PASSWORD, client_address="1.2.3.4", policy=POLICY, by=TEST_ACTOR
    )
    seeded.expire_all()
    upgraded = seeded.get(User, user.id)
    assert upgraded is not None
    assert upgraded.password_hash != weak
    assert PasswordHasher().verify(upgraded.password_hash, PASSWORD)


def test_disabling_ends_sessions_and_guards_the_last_admin(seeded: Session) -> None:
    admin = make_user(seeded, Role.ADMIN, "admin")
    analyst = make_user(seeded, Role.ANALYST, "analis")
    version = analyst.session_version
    services.set_user_active(seeded, user_id=analyst.id, is_active=False, by=TEST_ACTOR)
    assert services.principal_for_session(seeded, user_id=analyst.id, session_version=version) is None
    with pytest.raises(InvalidInputError, match="terakhir"):
        services.set_user_active(seeded, user_id=admin.id, is_active=False, by=TEST_ACTOR)
    events = seeded.scalars(select(AuditEntry.event)).all()
    assert "accounts.user.disabled" in events


def test_reset_and_change_password_rotate_the_session(seeded: Session) -> None:
    user = make_user(seeded, Role.ANALYST, "analis")
    first_version = user.session_version
    new_password = services.reset_password(seeded, user_id=user.id, by=TEST_ACTOR)
    assert len(new_password) >= 10
    assert services.principal_for_session(seeded, user_id=user.id, session_version=first_version) is None
    with pytest.raises(InvalidCredentialsError):
        services.change_password(
            seeded, user_id=user.id, current_password=PASSWORD, new_password="another long one", by=TEST_ACTOR
        )
    changed = services.change_password(
        seeded, user_id=user.id, current_password=new_password, new_password="another long one", by=TEST_ACTOR
    )
    login.authenticate(
        seeded,
        username="analis",
        password="another long one",
        client_address="1.2.3.4",
        policy=POLICY,
        by=TEST_ACTOR,
    )
    assert changed.session_version not in (first_version,)
    details = " ".join(str(e.details) for e in seeded.scalars(select(AuditEntry)))
    assert new_password not in details
    assert "another long one" not in details


def test_first_admin_is_created_once(seeded: Session) -> None:
    password = services.ensure_first_admin(
        seeded, organisation_code="DISKOMINFO", username="admin", force=False, by=TEST_ACTOR
    )
    assert (
        login.authenticate(
            seeded,
            username="admin",
            password=password,
            client_address="1.2.3.4",
            policy=POLICY,
            by=TEST_ACTOR,
        ).role
        == Role.ADMIN
    )
    with pytest.raises(InvalidInputError, match="force"):
        services.ensure_first_admin(
            seeded, organisation_code="DISKOMINFO", username="admin2", force=False, by=TEST_ACTOR
        )
    services.ensure_first_admin(
        seeded, organisation_code="DISKOMINFO", username="admin2", force=True, by=TEST_ACTOR
    )
    assert queries.count_active_admins(seeded) == 2
