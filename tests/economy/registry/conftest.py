"""Fixtures of the register tests: organisations, principals, QRIS payloads and small import files."""

from __future__ import annotations

import csv
import secrets
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from registry_helpers import Person, WriteCsv
from sqlalchemy.orm import Session

from smartkotim.accounts.models import ApiToken, Organisation, User
from smartkotim.accounts.roles import Principal, Role
from smartkotim.accounts.services import hash_token
from smartkotim.db import utcnow

ORGS = (("DKUKMPP", "opd"), ("DISKOMINFO", "opd"), ("BRI", "bank"), ("BNI", "bank"))


@pytest.fixture
def orgs(db: Session) -> dict[str, int]:
    """The market office, Diskominfo and two banks; ``{code: id}``."""
    rows = {code: Organisation(code=code, name=code, kind=kind) for code, kind in ORGS}
    db.add_all(rows.values())
    db.commit()
    return {code: org.id for code, org in rows.items()}


PEOPLE = {
    # name: (role, organisation code, region scope)
    "admin": (Role.ADMIN, "DISKOMINFO", None),
    "analyst": (Role.ANALYST, "DISKOMINFO", None),
    "leader": (Role.LEADER, "DISKOMINFO", None),
    "dkukmpp": (Role.OPD_OFFICER, "DKUKMPP", None),
    "kominfo_officer": (Role.OPD_OFFICER, "DISKOMINFO", None),
    "bri": (Role.BANK_PARTNER, "BRI", None),
    "bni": (Role.BANK_PARTNER, "BNI", None),
    "surveyor_mbk": (Role.SURVEYOR, "DKUKMPP", "62.02.06"),
    "surveyor": (Role.SURVEYOR, "DKUKMPP", None),
}


@pytest.fixture
def people(db: Session, orgs: dict[str, int]) -> dict[str, Person]:
    """One user per entry of ``PEOPLE`` with an API token (read, ingest and admin scopes)."""
    out = {}
    for name, (role, org_code, region) in PEOPLE.items():
        user = User(
            username=name,
            display_name=name.title(),
            password_hash="-",
            role=str(role),
            organisation_id=orgs[org_code],
            region_code=region,
            session_version="v1",
        )
        db.add(user)
        db.flush()
        prefix = secrets.token_hex(4)
        raw = f"skt_{prefix}_{secrets.token_hex(24)}"
        db.add(
            ApiToken(
                user_id=user.id,
                name="test",
                token_prefix=prefix,
                token_hash=hash_token(raw),
                scopes=["read", "ingest", "admin"],
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        principal = Principal(
            user_id=user.id,
            username=name,
            display_name=user.display_name,
            role=role,
            organisation_id=orgs[org_code],
            organisation_code=org_code,
            region_code=region,
        )
        out[name] = Person(principal, raw)
    db.commit()
    return out


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write a CSV file (header + rows) in ``tmp_path``; returns its path."""

    def write(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
