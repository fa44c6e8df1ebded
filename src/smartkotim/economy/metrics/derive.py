"""Read-time figures: ratios, growth, adoption trend, index and class from the stored rows.

Stored rows hold counts and sums only (``models.EconomyMetric``); everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from smartkotim.config import Settings
from smartkotim.economy.metrics.classes import ClassThresholds, classify_area
from smartkotim.economy.metrics.growth import Growth, change_pp, growth
from smartkotim.economy.metrics.index import COMPONENT_LABELS, MIN_INDEX_DAYS, IndexConfig, compute_index
from smartkotim.economy.metrics.models import EconomyMetric
from smartkotim.economy.metrics.payer_queries import HLL_RSE_PCT
from smartkotim.economy.metrics.schemas import (
    GROWTH_METRICS,
    AreaMetricsOut,
    GrowthOut,
    IndexComponentOut,
    MetricGrowthOut,
)
from smartkotim.lib.periods import Period

# Relative standard error (per cent) of the estimated unique payers: the HyperLogLog's 1.04 / sqrt(m)
# (payer_queries.py). Measured on the benchmark data against exact counts (bench/payer_error.py): RMS
# 0.2-1.3 % by level and period kind, below this figure (docs/metrics.md).


@dataclass(frozen=True, slots=True)
class DeriveConfig:
    """Class thresholds, index configuration and the exact-payers limit, from settings."""

    thresholds: ClassThresholds
    index: IndexConfig
    exact_payers_max: int = 50_000


def payers_estimated_for(kabupaten: EconomyMetric | None, config: DeriveConfig) -> bool:
    """True when a period's unique payers are HyperLogLog estimates: its kabupaten row has more
    transactions than ``exact_payers_max`` (the rule ``ledger_queries.EXACT_PERIODS_SQL`` applies)."""
    return kabupaten is not None and kabupaten.transactions > config.exact_payers_max


def derive_config(settings: Settings) -> DeriveConfig:
    """The read-time configuration from ``settings``.

    Raises:
        ValueError: inconsistent thresholds or index configuration (the message says which).
    """
    return DeriveConfig(
        ClassThresholds(
            aktif_min_adoption=settings.metrics_class_aktif_min_adoption,
            berkembang_min_adoption=settings.metrics_class_berkembang_min_adoption,
            berkembang_min_trend_pp=settings.metrics_class_berkembang_min_trend_pp,
            started_min_adoption=settings.metrics_class_started_min_adoption,
        ),
        IndexConfig(dict(settings.metrics_index_weights), dict(settings.metrics_index_goalposts)),
        settings.metrics_exact_payers_max_transactions,
    )


@dataclass(frozen=True, slots=True)
class AreaInfo:
    """Name and place of an area (region or market)."""

    level: str
    code: str
    name: str
    parent_code: str | None
    adults: int | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Base:
    """A base period's row for growth: ``covered`` False when the data do not reach back that far."""

    row: EconomyMetric | None
    covered: bool


def ratio(numerator: float | None, denominator: float | None, scale: float = 100.0) -> float | None:
    """``numerator / denominator × scale`` rounded to 0.01, ``None`` without a positive denominator."""
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator * scale, 2)


def _value(row: EconomyMetric | None, name: str, covered: bool) -> float | None:
    if not covered:  # the data do not cover the whole base period: no comparable figure
        return None
    if row is None:
        return 0.0
    value = getattr(row, name)
    return None if value is None else float(value)


def _growth_out(g: Growth) -> GrowthOut:
    return GrowthOut(
        pct=None if g.pct is None else round(g.pct, 2), note=None if g.note is None else str(g.note)
    )


def _growths(row: EconomyMetric | None, previous: Base, year_ago: Base) -> dict[str, MetricGrowthOut]:
    out = {}
    for name in GROWTH_METRICS:
        current = _value(row, name, True)
        out[name] = MetricGrowthOut(
            previous=_growth_out(growth(current, _value(previous.row, name, previous.covered))),
            year_ago=_growth_out(growth(current, _value(year_ago.row, name, year_ago.covered))),
        )
    return out


def adoption_of(row: EconomyMetric | None) -> float | None:
    """Active ÷ traders known, per cent (``None`` without traders)."""
    return None if row is None else ratio(row.merchants_active, row.traders_known)


def _index_inputs(row: EconomyMetric | None, adults: int | None) -> dict[str, float | None]:
    if row is None:
        return {}
    habitual = row.merchants_habitual
    return {
        "registered_share": ratio(row.merchants_registered, row.traders_known),
        "registered_per_1000_adults": ratio(row.merchants_registered, adults, 1000.0),
        "payers_per_1000_adults": ratio(row.unique_payers, adults, 1000.0),
        "adoption_rate": ratio(row.merchants_active, row.traders_known),
        "habitual_share": None if habitual is None else ratio(habitual, row.merchants_active),
        "success_rate": ratio(row.transactions, row.attempted),
    }


def derive_metrics(
    row: EconomyMetric | None,
    *,
    area: AreaInfo,
    period: Period,
    previous: Base,
    year_ago: Base,
    config: DeriveConfig,
    payers_estimated: bool = False,
) -> AreaMetricsOut:
    """Every figure of one area in one period (``row`` ``None``: nothing stored, i.e. no trader and no
    transaction), with growth against ``previous`` and ``year_ago`` and the index and class;
    ``payers_estimated``: the period's unique payers are HyperLogLog estimates (``payers_estimated_for``)."""
    # the register's current figure (an import applies at once); the stored one when the register has none
    adults = area.adults if area.adults is not None else (row.adults if row is not None else None)
    inputs = _index_inputs(row, adults)
    adoption = inputs.get("adoption_rate")
    trend = (
        change_pp(adoption, adoption_of(previous.row))
        if previous.row is not None and previous.covered
        else None
    )
    has_index = row is not None and period.days >= MIN_INDEX_DAYS
    result = compute_index(inputs, config.index) if has_index else None
    return AreaMetricsOut(
        level=area.level,
        code=area.code,
        name=area.name,
        parent_code=area.parent_code,
        period_id=period.id,
        period_start=period.start,
        period_last=period.last,
        lat=area.lat,
        lon=area.lon,
        has_data=row is not None,
        traders_known=row.traders_known if row else 0,
        merchants_registered=row.merchants_registered if row else 0,
        merchants_active=row.merchants_active if row else 0,
        merchants_habitual=row.merchants_habitual if row else None,
        adoption_rate=adoption,
        registered_share=inputs.get("registered_share"),
        habitual_share=inputs.get("habitual_share"),
        transactions=row.transactions if row else 0,
        value=row.value if row else 0,
        unique_payers=row.unique_payers if row else 0,
        unique_payers_is_estimate=payers_estimated and row is not None,
        unique_payers_rse_pct=HLL_RSE_PCT if payers_estimated and row is not None else None,
        adults=adults,
        payers_per_1000_adults=inputs.get("payers_per_1000_adults"),
        registered_per_1000_adults=inputs.get("registered_per_1000_adults"),
        avg_ticket=_avg_ticket(row),
        median_ticket=row.median_ticket if row else None,
        success_rate=inputs.get("success_rate"),
        reporting_completeness=ratio(row.reporting_received, row.reporting_expected) if row else None,
        adoption_trend_pp=None if trend is None else round(trend, 2),
        growth=_growths(row, previous, year_ago),
        index=result.score if result else None,
        index_components=[
            IndexComponentOut(
                name=c.name,
                label=COMPONENT_LABELS[c.name],
                weight_pct=round(c.weight_pct, 2),
                effective_weight_pct=round(c.effective_weight_pct, 2),
                score=c.score,
            )
            for c in (result.components if result else ())
        ],
        index_renormalised=result.renormalised if result else False,
        area_class=_class(adoption, trend, config),
    )


def _class(adoption: float | None, trend: float | None, config: DeriveConfig) -> str | None:
    cls = classify_area(adoption, trend, config.thresholds)
    return None if cls is None else str(cls)


def _avg_ticket(row: EconomyMetric | None) -> int | None:
    """Value ÷ transactions in whole rupiah, rounded half up."""
    if row is None or row.transactions <= 0:
        return None
    return (2 * row.value + row.transactions) // (2 * row.transactions)


def is_covered(base_period: Period, first_day: date | None) -> bool:
    """True when the data cover the whole of ``base_period``: it begins on or after the first day of the
    month of ``first_day`` (the first ledger day; banks report by month, so the first month counts as
    covered). A base the data reach only in part (e.g. a year whose data start in November) is not
    comparable: its growth is n.a., not a jump of hundreds of per cent."""
    return first_day is not None and base_period.start >= first_day.replace(day=1)
