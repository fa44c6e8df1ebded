"""Helpers of the metrics tests (a module name unique in the test tree): logging in per role."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from smartkotim.accounts import services
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.models import Organisation
from smartkotim.accounts.roles import Role

PASSWORD = "correct horse battery"  # test-only
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def log_in_as(client: TestClient, db: Session, role: Role) -> None:
    """Create a user of ``role`` and log the client in through the form."""
    org = f"METRICS-{role}".upper()
    kind = "bank" if role == Role.BANK_PARTNER else "opd"
    db.add(Organisation(code=org, name=f"Test {role}", kind=kind, is_active=True))
    db.commit()
    services.create_user(
        db,
        username=f"metrics.{role}",
        role=role,
        organisation_code=org,
        password=PASSWORD,
        region_code=None,
        by=Actor(label="test"),
    )
    match = _META_CSRF.search(client.get("/masuk").text)
    assert match
    response = client.post(
        "/masuk",
        data={"username": f"metrics.{role}", "password": PASSWORD, "csrf_token": match.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
