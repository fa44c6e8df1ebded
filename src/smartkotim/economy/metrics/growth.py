"""Growth against a base period: a percentage, or "baru"/n.a. when the base is zero or missing.

Never infinity and never a silent 0: ``growth(5, 0)`` is ``baru`` (new), ``growth(0, 0)`` and
``growth(5, None)`` are ``n.a.``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class GrowthNote(StrEnum):
    """Why a growth has no percentage."""

    NEW = "baru"
    NOT_AVAILABLE = "n.a."


@dataclass(frozen=True, slots=True)
class Growth:
    """``pct`` is the change in per cent (``12.5`` = +12.5 %) or ``None`` with a ``note``."""

    pct: float | None
    note: GrowthNote | None

    @property
    def label(self) -> str:
        """``+12,5 %``-style text (point decimal), ``baru`` or ``n.a.``."""
        if self.pct is None:
            return str(self.note or GrowthNote.NOT_AVAILABLE)
        return f"{self.pct:+.1f} %"


def growth(current: float | None, base: float | None) -> Growth:
    """Per-cent change from ``base`` to ``current``.

    Zero base with a positive current value is ``baru``; a missing value on either side, or zero to
    zero, is ``n.a.``; a negative base (impossible for counts and money) is ``n.a.`` too.
    """
    if current is None or base is None or base < 0:
        return Growth(None, GrowthNote.NOT_AVAILABLE)
    if base == 0:
        return Growth(None, GrowthNote.NEW if current > 0 else GrowthNote.NOT_AVAILABLE)
    return Growth((current - base) / base * 100.0, None)


def change_pp(current: float | None, base: float | None) -> float | None:
    """Change in percentage points between two rates (``None`` when either is missing)."""
    if current is None or base is None:
        return None
    return current - base
