"""Helpers of the regions tests: shared file paths, the test actor, login password, callable types.

Imported as ``from regions_helpers import …`` (the module name is unique in the test tree).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from smartkotim.accounts.audit import Actor
from smartkotim.accounts.roles import Role
from smartkotim.regions.models import RegionLevel
from smartkotim.regions.services import ImportResult

TEST_ACTOR = Actor(label="test")
PASSWORD = "regions test password 1"  # test-only

Importer = Callable[..., ImportResult]
LogIn = Callable[[Role], None]


def shared_file(folder: Path, level: RegionLevel) -> Path:
    """The shared boundary file of ``level``."""
    return folder / f"kotim_{level}.geojson"
