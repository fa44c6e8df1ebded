"""Helpers of the accounts tests: users per role, reading the CSRF token, logging in through the form.

Imported as ``from accounts_helpers import …`` (the module name is unique in the test tree).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from smartkotim.accounts import services
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.models import User
from smartkotim.accounts.roles import Role

PASSWORD = "correct horse battery"  # satisfies the policy; test-only
TEST_ACTOR = Actor(label="test")
ROLE_ORG = {
    Role.ADMIN: "DISKOMINFO",
    Role.ANALYST: "BAPPELITBANGDA",
    Role.LEADER: "SETDA",
    Role.OPD_OFFICER: "DKUKMPP",
    Role.BANK_PARTNER: "BRI",
    Role.SURVEYOR: "DKUKMPP",
}
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def make_user(db: Session, role: Role, username: str | None = None, password: str = PASSWORD) -> User:
    """A user of ``role`` in its usual organisation (surveyors scoped to Baamang, 62.02.05)."""
    return services.create_user(
        db,
        username=username or f"user.{role}",
        role=role,
        organisation_code=ROLE_ORG[role],
        password=password,
        region_code="62.02.05" if role == Role.SURVEYOR else None,
        by=TEST_ACTOR,
    )


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page's ``<meta name="csrf-token">``."""
    match = _META_CSRF.search(client.get(path).text)
    assert match, f"no csrf meta tag on {path}"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD, next_path: str = "/") -> int:
    """Log in through the form; return the response status (303 on success)."""
    token = csrf_of(client, "/masuk")
    response = client.post(
        "/masuk",
        data={"username": username, "password": password, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )
    return response.status_code
