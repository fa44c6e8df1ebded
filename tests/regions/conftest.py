"""Fixtures of the regions tests: shared boundary files, importing them, logging in per role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from regions_helpers import PASSWORD, TEST_ACTOR, Importer, LogIn
from sqlalchemy.orm import Session

from smartkotim.accounts.models import Organisation, User
from smartkotim.accounts.passwords import hash_password
from smartkotim.accounts.roles import Role
from smartkotim.regions.services import ImportResult, import_boundaries

_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def boundaries(shared_data: Path) -> Path:
    """``../shared/data/boundaries`` (kotim_kabupaten/kecamatan/desa.geojson)."""
    return shared_data / "boundaries"


@pytest.fixture
def import_file(db: Session) -> Importer:
    """Import a boundary file into the test database for 62.02 (keyword options as the service)."""

    def run(path: Path, **options: object) -> ImportResult:
        return import_boundaries(db, path=path, regency_code="62.02", by=TEST_ACTOR, **options)  # type: ignore[arg-type]

    return run


def _user(db: Session, role: Role) -> User:
    kind = "bank" if role == Role.BANK_PARTNER else "opd"
    org = Organisation(code=f"TEST-{role}".upper(), name=f"Test {role}", kind=kind, is_active=True)
    db.add(org)
    db.flush()
    user = User(
        username=f"regions.{role}",
        display_name=f"Regions {role}",
        password_hash=hash_password(PASSWORD),
        role=str(role),
        organisation_id=org.id,
        region_code="62.02.05" if role == Role.SURVEYOR else None,
        is_active=True,
        session_version="v1",
    )
    db.add(user)
    db.commit()
    return user


@pytest.fixture
def log_in(client: TestClient, db: Session) -> LogIn:
    """Create a user of the role (own organisation) and log the client in through ``POST /masuk``."""

    def run(role: Role) -> None:
        user = _user(db, role)
        page = client.get("/masuk").text
        match = _META_CSRF.search(page)
        assert match, "no csrf meta tag on /masuk"
        response = client.post(
            "/masuk",
            data={"username": user.username, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:500]

    return run
