"""Choropleth classes for a map: quantile, equal interval, Fisher-Jenks natural breaks or fixed bins
(``mapclassify``), with a separate no-data class for areas without a value."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import mapclassify
import numpy as np


class BreakMethod(StrEnum):
    """How the class limits are chosen."""

    QUANTILE = "quantile"
    EQUAL_INTERVAL = "equal_interval"
    NATURAL_BREAKS = "natural_breaks"
    FIXED = "fixed"


NO_DATA = -1  # the class index of an area without a value


@dataclass(frozen=True, slots=True)
class ClassBreaks:
    """Upper limits of each class (ascending), the class index of each value (``NO_DATA`` for ``None``)
    and legend labels (``"≤ 12,5"``, the first ``"≤ …"``, then ``"… – …"``)."""

    method: BreakMethod
    upper_limits: tuple[float, ...]
    classes: tuple[int, ...]
    labels: tuple[str, ...]


def _fmt(value: float) -> str:
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _labels(lower: float, limits: Sequence[float]) -> tuple[str, ...]:
    labels, previous = [], lower
    for limit in limits:
        labels.append(f"{_fmt(previous)} – {_fmt(limit)}")
        previous = limit
    return tuple(labels)


def _limits(values: np.ndarray, method: BreakMethod, k: int, fixed: Sequence[float] | None) -> list[float]:
    if method is BreakMethod.FIXED:
        if not fixed:
            raise ValueError("fixed classes need at least one upper limit")
        limits = sorted(float(x) for x in fixed)
        return [*limits[:-1], max(limits[-1], float(values.max()))] if len(values) else limits
    unique = len(np.unique(values))
    k = max(1, min(k, unique))
    if k == 1:
        return [float(values.max())]
    with warnings.catch_warnings():
        # without numba Jenks runs in pure Python: fine for a few hundred areas; quantiles of tied values
        # give fewer classes than asked, which mapclassify says and handles (k is lowered)
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
        if method is BreakMethod.QUANTILE:
            classifier = mapclassify.Quantiles(values, k=k)
        elif method is BreakMethod.EQUAL_INTERVAL:
            classifier = mapclassify.EqualInterval(values, k=k)
        else:
            classifier = mapclassify.FisherJenks(values, k=k)
    return sorted({float(b) for b in classifier.bins})


def classify_values(
    values: Sequence[float | None],
    method: BreakMethod = BreakMethod.QUANTILE,
    k: int = 5,
    fixed: Sequence[float] | None = None,
) -> ClassBreaks:
    """Class every value; ``None`` goes to the no-data class.

    ``k`` is lowered to the number of distinct values (mapclassify cannot make more classes than
    that). ``fixed`` gives the upper limits for ``BreakMethod.FIXED``; values above the last limit
    join the last class.

    Raises:
        ValueError: ``k`` < 1, or ``FIXED`` without limits.
    """
    if k < 1:
        raise ValueError(f"number of classes must be ≥ 1 (got {k})")
    present = np.array([float(v) for v in values if v is not None], dtype=float)
    if len(present) == 0 and method is not BreakMethod.FIXED:
        return ClassBreaks(method, (), tuple(NO_DATA for _ in values), ())
    limits = _limits(present, method, k, fixed)
    lower = float(present.min()) if len(present) else 0.0
    classes = tuple(
        NO_DATA if v is None else min(int(np.searchsorted(limits, float(v), side="left")), len(limits) - 1)
        for v in values
    )
    return ClassBreaks(method, tuple(limits), classes, _labels(min(lower, limits[0]), limits))
