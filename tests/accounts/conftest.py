"""Fixtures of the accounts tests (helpers live in ``accounts_helpers.py``)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from smartkotim.accounts import organisations


@pytest.fixture
def seeded(db: Session) -> Session:
    """``db`` with the OPD, kecamatan offices and banks seeded."""
    organisations.seed_organisations(db, regency_code="62.02", include_banks=True)
    return db
