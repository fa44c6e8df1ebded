"""Demo accounts: the OPD and partner banks, and one user per role with a fresh password each run.

The passwords are shown once through ``report`` (the console of whoever runs ``smartkotim demo load``)
and never go to logging. Re-running resets the demo users' passwords and prints the new ones.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from smartkotim.accounts import organisations, queries, services
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.passwords import generate_password
from smartkotim.accounts.roles import Role
from smartkotim.runtime import Runtime

DEMO_ACTOR = Actor(label="demo")


def demo_users(regency_code: str) -> list[tuple[str, Role, str, str, str | None]]:
    """``(username, role, organisation code, display name, region)`` of the demo users."""
    return [
        ("admin", Role.ADMIN, "DISKOMINFO", "Admin Diskominfo (demo)", None),
        ("analis", Role.ANALYST, "BAPPELITBANGDA", "Analis Bappelitbangda (demo)", None),
        ("bupati", Role.LEADER, "SETDA", "Bupati Kotawaringin Timur (demo)", None),
        ("dkukmpp", Role.OPD_OFFICER, "DKUKMPP", "Petugas DKUKMPP (demo)", None),
        ("bank.bri", Role.BANK_PARTNER, "BRI", "Mitra BRI (demo)", None),
        ("surveyor.baamang", Role.SURVEYOR, "DKUKMPP", "Surveyor Baamang (demo)", f"{regency_code}.05"),
    ]


def _ensure_user(session: Session, spec: tuple[str, Role, str, str, str | None]) -> str:
    """Create the demo user or, when it exists, re-enable it and reset its password; return it."""
    username, role, org, name, region = spec
    user = queries.get_user_by_username(session, username)
    if user is None:
        password = generate_password()
        services.create_user(
            session,
            username=username,
            role=role,
            organisation_code=org,
            password=password,
            display_name=name,
            region_code=region,
            by=DEMO_ACTOR,
        )
        return password
    if not user.is_active:
        services.set_user_active(session, user_id=user.id, is_active=True, by=DEMO_ACTOR)
    return services.reset_password(session, user_id=user.id, by=DEMO_ACTOR)


def load_demo_accounts(runtime: Runtime, report: Callable[[str], None]) -> None:
    """Seed the OPD and banks, create or reset the demo users; report each password once."""
    regency = runtime.settings.regency_code
    with runtime.session_factory() as session:
        seeded = organisations.seed_organisations(session, regency_code=regency, include_banks=True)
        report(f"Organisasi: {len(seeded.created)} dibuat, {seeded.existing} sudah ada.")
        report("Pengguna demo (kata sandi hanya ditampilkan sekali ini):")
        for spec in demo_users(regency):
            password = _ensure_user(session, spec)
            report(f"  {spec[0]:<18} {spec[1]:<13} {password}")
