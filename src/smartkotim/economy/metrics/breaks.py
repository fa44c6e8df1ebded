"""Choropleth classes for a map: quantile, equal interval, Fisher-Jenks natural breaks or fixed bins
(``mapclassify``), with a separate no-data class for areas without a value."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

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
    and legend labels (``"… – …"``; fixed classes end with an open ``"> last"`` class, so they have one
    label more than limits)."""

    method: BreakMethod
    upper_limits: tuple[float, ...]
    classes: tuple[int, ...]
    labels: tuple[str, ...]


def _fmt(value: float) -> str:
    text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


class FixedLimitsError(ValueError):
    """Fixed class limits that are not finite, increasing numbers."""


def parse_fixed_limits(text: str) -> list[float]:
    """``"10,20,50"`` → ``[10.0, 20.0, 50.0]``: comma-separated upper class limits (a dot is the decimal
    point), finite and strictly increasing.

    Raises:
        FixedLimitsError: empty, not a number, ``nan``/infinite, or not strictly increasing (the message
        names the value and the rule).
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise FixedLimitsError("fixed: give at least one class limit, e.g. 10,20,50")
    limits: list[float] = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise FixedLimitsError(f"fixed: {part!r} is not a number (limits like 10,20,50)") from None
        if not np.isfinite(value):
            raise FixedLimitsError(f"fixed: {part!r} is not a finite number")
        if limits and value <= limits[-1]:
            raise FixedLimitsError(f"fixed: limits must increase ({part!r} follows {_fmt(limits[-1])})")
        limits.append(value)
    return limits


def _labels(lower: float, limits: Sequence[float], open_top: bool) -> tuple[str, ...]:
    labels, previous = [], lower
    for limit in limits:
        labels.append(f"{_fmt(previous)} – {_fmt(limit)}")
        previous = limit
    if open_top:
        labels.append(f"> {_fmt(limits[-1])}")
    return tuple(labels)


def _check_fixed(fixed: Sequence[float] | None) -> list[float]:
    limits = [float(x) for x in fixed or ()]
    if not limits:
        raise FixedLimitsError("fixed classes need at least one upper limit")
    if not all(np.isfinite(x) for x in limits) or any(b <= a for a, b in pairwise(limits)):
        raise FixedLimitsError(f"fixed limits must be finite and strictly increasing (got {limits})")
    return limits


def _limits(values: np.ndarray, method: BreakMethod, k: int) -> list[float]:
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
    *,
    also: Sequence[float | None] = (),
) -> ClassBreaks:
    """Class every value; ``None`` goes to the no-data class.

    The limits are computed over ``values`` and ``also`` together (``also``: the other period of a
    two-period comparison, so that both maps share one set of classes). ``k`` is lowered to the number
    of distinct values (mapclassify cannot make more classes than that). ``FIXED``: the classes are
    exactly the upper limits ``fixed`` (finite, strictly increasing) plus an open top class
    ``"> last"``.

    Raises:
        ValueError: ``k`` < 1; FixedLimitsError: ``FIXED`` without limits or with bad ones.
    """
    if k < 1:
        raise ValueError(f"number of classes must be ≥ 1 (got {k})")
    present = np.array([float(v) for v in (*values, *also) if v is not None], dtype=float)
    if method is BreakMethod.FIXED:
        limits = _check_fixed(fixed)
        lower = min(float(present.min()), limits[0]) if len(present) else min(0.0, limits[0])
        classes = tuple(
            NO_DATA if v is None else int(np.searchsorted(limits, float(v), side="left")) for v in values
        )
        return ClassBreaks(method, tuple(limits), classes, _labels(lower, limits, open_top=True))
    if len(present) == 0:
        return ClassBreaks(method, (), tuple(NO_DATA for _ in values), ())
    limits = _limits(present, method, k)
    classes = tuple(
        NO_DATA if v is None else min(int(np.searchsorted(limits, float(v), side="left")), len(limits) - 1)
        for v in values
    )
    return ClassBreaks(method, tuple(limits), classes, _labels(float(present.min()), limits, open_top=False))
