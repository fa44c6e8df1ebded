"""Indeks Transaksi Non-Tunai (0–100): weighted components, each normalised against goalposts.

In the spirit of the RBI Digital Payments Index (``docs/index.md``), but bounded: every indicator is
scaled to 0–100 between its goalposts (``low`` → 0, ``high`` → 100, clamped), a component is the mean
of its indicators that have data, and the index is the weighted mean of the components that have data.
A component without data is reported as missing (``None``), never as 0; the weights of the others are
re-normalised to sum to 100 % and ``renormalised`` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# component -> the indicators (metric names of ``IndexInputs``) it averages
COMPONENT_INDICATORS: dict[str, tuple[str, ...]] = {
    "enablers": ("registered_share",),
    "supply": ("registered_per_1000_adults",),
    "demand": ("payers_per_1000_adults",),
    "usage": ("adoption_rate", "habitual_share"),
    "experience": ("success_rate",),
}
COMPONENT_LABELS = {
    "enablers": "Pendukung (akseptasi pedagang)",
    "supply": "Infrastruktur sisi penawaran",
    "demand": "Sisi permintaan (pembayar)",
    "usage": "Penggunaan",
    "experience": "Pengalaman konsumen",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    "enablers": 25.0,
    "supply": 15.0,
    "demand": 10.0,
    "usage": 45.0,
    "experience": 5.0,
}
DEFAULT_GOALPOSTS: dict[str, tuple[float, float]] = {
    "registered_share": (0.0, 100.0),
    "registered_per_1000_adults": (0.0, 10.0),
    "payers_per_1000_adults": (0.0, 250.0),
    "adoption_rate": (0.0, 80.0),
    "habitual_share": (0.0, 100.0),
    "success_rate": (80.0, 100.0),
}
MIN_INDEX_DAYS = 28  # the goalposts are per month: no index for a day or a week


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """Component weights (any positive scale; 0 disables a component) and indicator goalposts.

    Raises:
        ValueError: unknown component or indicator, negative weight, all weights 0, or ``low == high``.
    """

    weights: Mapping[str, float]
    goalposts: Mapping[str, tuple[float, float]]

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(COMPONENT_INDICATORS)
        if unknown:
            raise ValueError(
                f"unknown index components {sorted(unknown)}; known: {sorted(COMPONENT_INDICATORS)}"
            )
        known_indicators = {i for ind in COMPONENT_INDICATORS.values() for i in ind}
        if set(self.goalposts) - known_indicators:
            raise ValueError(f"unknown index indicators {sorted(set(self.goalposts) - known_indicators)}")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("index weights must be ≥ 0 and not all 0")
        for name, (low, high) in self.goalposts.items():
            if low == high:
                raise ValueError(f"goalposts of {name} are equal ({low}); they must differ")


DEFAULT_INDEX_CONFIG = IndexConfig(DEFAULT_WEIGHTS, DEFAULT_GOALPOSTS)


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One component: its configured weight (per cent of the total), the weight used, its score."""

    name: str
    weight_pct: float
    effective_weight_pct: float
    score: float | None

    @property
    def is_missing(self) -> bool:
        """True when the component had no data."""
        return self.score is None


@dataclass(frozen=True, slots=True)
class IndexResult:
    """The index (``None`` when no component has data), its components and the re-normalisation flag."""

    score: float | None
    components: tuple[ComponentScore, ...]
    renormalised: bool


def normalise(value: float, low: float, high: float) -> float:
    """``value`` on 0–100 between the goalposts (``high < low`` means lower is better), clamped."""
    scaled = (value - low) / (high - low) * 100.0
    return min(100.0, max(0.0, scaled))


def _component_score(name: str, inputs: Mapping[str, float | None], config: IndexConfig) -> float | None:
    scores = []
    for indicator in COMPONENT_INDICATORS[name]:
        value = inputs.get(indicator)
        if value is None:
            continue
        low, high = config.goalposts.get(indicator, DEFAULT_GOALPOSTS[indicator])
        scores.append(normalise(value, low, high))
    return sum(scores) / len(scores) if scores else None


def compute_index(
    inputs: Mapping[str, float | None], config: IndexConfig = DEFAULT_INDEX_CONFIG
) -> IndexResult:
    """The index of one area and period from its indicator values (``None`` = no data).

    ``inputs`` maps the indicator names of ``COMPONENT_INDICATORS`` to values in their own units
    (per cent, per 1,000 adults). Returns the score rounded to 0.1 and every component.
    """
    total = sum(config.weights.values())
    raw = {name: _component_score(name, inputs, config) for name, w in config.weights.items() if w > 0}
    present = {name: s for name, s in raw.items() if s is not None}
    present_weight = sum(config.weights[name] for name in present)
    components = tuple(
        ComponentScore(
            name=name,
            weight_pct=config.weights[name] / total * 100.0,
            effective_weight_pct=(config.weights[name] / present_weight * 100.0) if name in present else 0.0,
            score=None if raw[name] is None else round(raw[name] or 0.0, 1),
        )
        for name in raw
    )
    if not present:
        return IndexResult(None, components, renormalised=False)
    score = sum(config.weights[name] * s for name, s in present.items()) / present_weight
    return IndexResult(round(min(100.0, max(0.0, score)), 1), components, len(present) < len(raw))
