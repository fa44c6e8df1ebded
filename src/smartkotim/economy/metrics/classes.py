"""Area classes ``aktif`` / ``berkembang`` / ``tertinggal`` / ``belum_mulai`` from adoption and trend.

Rules (thresholds from settings, ``docs/metrics.md``), for an area with at least one known trader:

1. adoption ≥ ``aktif_min_adoption`` → ``aktif``;
2. else adoption ≥ ``berkembang_min_adoption``, or adoption > ``started_min_adoption`` and the
   adoption trend (percentage points against the previous period) ≥ ``berkembang_min_trend_pp``
   → ``berkembang``;
3. else adoption > ``started_min_adoption`` → ``tertinggal``;
4. else → ``belum_mulai``.

An area without traders, or with no adoption figure, has no class (the map's no-data class). Raising any
threshold can only move an area to the same or a lower class (a property test checks this), and a
higher adoption or trend can only move it up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class AreaClass(StrEnum):
    """The four classes, best first."""

    AKTIF = "aktif"
    BERKEMBANG = "berkembang"
    TERTINGGAL = "tertinggal"
    BELUM_MULAI = "belum_mulai"


CLASS_RANK = {
    AreaClass.BELUM_MULAI: 0,
    AreaClass.TERTINGGAL: 1,
    AreaClass.BERKEMBANG: 2,
    AreaClass.AKTIF: 3,
}
CLASS_LABELS = {
    AreaClass.AKTIF: "Aktif",
    AreaClass.BERKEMBANG: "Berkembang",
    AreaClass.TERTINGGAL: "Tertinggal",
    AreaClass.BELUM_MULAI: "Belum mulai",
}


@dataclass(frozen=True, slots=True)
class ClassThresholds:
    """Adoption thresholds in per cent and the trend threshold in percentage points.

    Raises:
        ValueError: when the adoption thresholds are not ordered started ≤ berkembang ≤ aktif.
    """

    aktif_min_adoption: float = 50.0
    berkembang_min_adoption: float = 20.0
    berkembang_min_trend_pp: float = 5.0
    started_min_adoption: float = 0.0

    def __post_init__(self) -> None:
        if not self.started_min_adoption <= self.berkembang_min_adoption <= self.aktif_min_adoption:
            got = (self.started_min_adoption, self.berkembang_min_adoption, self.aktif_min_adoption)
            raise ValueError(f"class thresholds must satisfy started ≤ berkembang ≤ aktif (got {got})")


def classify_area(
    adoption_rate: float | None, trend_pp: float | None, thresholds: ClassThresholds
) -> AreaClass | None:
    """The class of one area (``None`` = no data: no traders known, so no adoption rate)."""
    if adoption_rate is None:
        return None
    t = thresholds
    started = adoption_rate > t.started_min_adoption
    if adoption_rate >= t.aktif_min_adoption:
        return AreaClass.AKTIF
    rising = trend_pp is not None and trend_pp >= t.berkembang_min_trend_pp
    if adoption_rate >= t.berkembang_min_adoption or (started and rising):
        return AreaClass.BERKEMBANG
    return AreaClass.TERTINGGAL if started else AreaClass.BELUM_MULAI


@dataclass(frozen=True, slots=True)
class ClassChange:
    """An area whose class differs from the previous period's."""

    code: str
    previous: AreaClass | None
    current: AreaClass | None

    @property
    def direction(self) -> int:
        """+1 up, -1 down, 0 when one side has no class."""
        if self.previous is None or self.current is None:
            return 0
        return 1 if CLASS_RANK[self.current] > CLASS_RANK[self.previous] else -1


def list_class_changes(
    current: dict[str, AreaClass | None], previous: dict[str, AreaClass | None]
) -> list[ClassChange]:
    """Areas whose class changed between two periods (codes missing from ``previous`` count as ``None``),
    sorted by code."""
    changes = [
        ClassChange(code, previous.get(code), cls)
        for code, cls in current.items()
        if previous.get(code) != cls and not (cls is None and code not in previous)
    ]
    return sorted(changes, key=lambda c: c.code)


def lagging_codes(classes: Iterable[tuple[str, AreaClass | None]]) -> list[str]:
    """Codes of the areas classed ``tertinggal`` or ``belum_mulai``, in the given order."""
    lagging = {AreaClass.TERTINGGAL, AreaClass.BELUM_MULAI}
    return [code for code, cls in classes if cls in lagging]
