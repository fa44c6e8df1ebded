"""Imports every feature's models so that ``Base.metadata`` knows all tables (for Alembic, tests)."""

from __future__ import annotations

import importlib

FEATURE_MODEL_MODULES = (
    "smartkotim.regions.models",
    "smartkotim.accounts.models",
    "smartkotim.jobs",
    "smartkotim.economy.registry.models",
    "smartkotim.economy.ingest.models",
    "smartkotim.economy.metrics.models",
)


def import_all() -> None:
    """Import each feature's ``models`` module once."""
    for name in FEATURE_MODEL_MODULES:
        importlib.import_module(name)
