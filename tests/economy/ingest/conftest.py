"""Fixtures of the ingest tests: banks and merchants in the real database, an ``ingest`` runner."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from ingest_helpers import nmid, upload_spec
from sqlalchemy.orm import Session, sessionmaker

from smartkotim.accounts.models import Organisation
from smartkotim.config import Settings
from smartkotim.economy.ingest import services
from smartkotim.economy.ingest.models import IngestBatch
from smartkotim.economy.registry.models import Merchant

Ingest = Callable[..., IngestBatch]


def add_merchants(session: Session, numbers: Iterable[int]) -> None:
    """Register merchants with the NMIDs ``nmid(i)`` (real rows of the register's table)."""
    for i in numbers:
        session.add(Merchant(nmid=nmid(i), name=f"Pedagang {i}", name_normalised=f"pedagang {i}"))
    session.commit()


@pytest.fixture
def banks(db: Session) -> dict[str, int]:
    """Two partner banks, ``BANKA`` and ``BANKB``; returns ``{code: organisation id}``."""
    found = {}
    for code in ("BANKA", "BANKB"):
        org = Organisation(code=code, name=f"Bank {code[-1]}", kind="bank")
        db.add(org)
        db.flush()
        found[code] = org.id
    db.commit()
    return found


@pytest.fixture
def merchants(db: Session, banks: dict[str, int]) -> list[str]:
    """Merchants 1–5 registered."""
    add_merchants(db, range(1, 6))
    return [nmid(i) for i in range(1, 6)]


@pytest.fixture
def ingest(settings: Settings, session_factory: sessionmaker[Session], merchants: list[str]) -> Ingest:
    """Run a file through the whole ingest inline (as the CLI does) and return its batch."""

    def run(path: Path, *, bank: str = "BANKA", profile: str = "default") -> IngestBatch:
        return services.ingest_file(settings, session_factory, upload_spec(path, bank=bank, profile=profile))

    return run
