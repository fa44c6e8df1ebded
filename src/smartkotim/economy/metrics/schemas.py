"""Response models of the metrics API (OpenAPI documented)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

GROWTH_METRICS = ("transactions", "value", "merchants_active", "unique_payers")


class GrowthOut(BaseModel):
    """A growth in per cent, or ``None`` with ``note`` ``baru`` (zero base) or ``n.a.`` (no base)."""

    pct: float | None
    note: str | None


class MetricGrowthOut(BaseModel):
    """Growth of one metric against the previous period and the same period a year earlier."""

    previous: GrowthOut
    year_ago: GrowthOut


class IndexComponentOut(BaseModel):
    """One component of the Indeks Transaksi Non-Tunai (``score`` ``None`` = missing, not 0)."""

    name: str
    label: str
    weight_pct: float = Field(description="Configured weight, per cent of all weights.")
    effective_weight_pct: float = Field(
        description="Weight used after re-normalising over present components."
    )
    score: float | None


class AreaMetricsOut(BaseModel):
    """Every metric of one area (region or market) in one period; see ``docs/metrics.md``.

    Money in integer rupiah; rates in per cent; ``None`` = not defined (no denominator).
    """

    level: str
    code: str
    name: str
    parent_code: str | None
    period_id: str
    period_start: date
    period_last: date
    lat: float | None = None
    lon: float | None = None
    has_data: bool = Field(description="False when the area has no trader and no transaction in the period.")
    traders_known: int
    merchants_registered: int
    merchants_active: int
    merchants_habitual: int | None
    adoption_rate: float | None
    registered_share: float | None
    habitual_share: float | None
    transactions: int
    value: int
    unique_payers: int
    unique_payers_is_estimate: bool = Field(
        False, description="True when unique_payers is a HyperLogLog estimate (busy period), not exact."
    )
    unique_payers_rse_pct: float | None = Field(
        None, description="Relative standard error of the estimate, per cent (None when exact)."
    )
    adults: int | None
    payers_per_1000_adults: float | None
    registered_per_1000_adults: float | None
    avg_ticket: int | None
    median_ticket: int | None
    success_rate: float | None
    reporting_completeness: float | None
    adoption_trend_pp: float | None
    growth: dict[str, MetricGrowthOut]
    index: float | None
    index_components: list[IndexComponentOut]
    index_renormalised: bool
    area_class: str | None


class ClassChangeOut(BaseModel):
    """An area whose class changed against the previous period."""

    code: str
    name: str
    previous: str | None
    current: str | None
    direction: int


class LaggingAreaOut(BaseModel):
    """A lagging area: its class, adoption gap to the ``aktif`` threshold and weakest index components."""

    code: str
    name: str
    area_class: str
    adoption_rate: float | None
    gap_pp: float | None
    weakest_components: list[str]


class SummaryOut(BaseModel):
    """Headline of a period for a level: the kabupaten row, class counts, changes and lagging areas."""

    period_id: str
    level: str
    kabupaten: AreaMetricsOut
    class_counts: dict[str, int]
    changed: list[ClassChangeOut]
    lagging: list[LaggingAreaOut]


class BankShareOut(BaseModel):
    """One acquirer's effective transactions at an area's merchants in a period and its share (%)."""

    acquirer: str
    name: str | None
    transactions: int
    value: int = Field(description="Integer rupiah.")
    transactions_share: float | None
    value_share: float | None


class AreaDetailOut(BaseModel):
    """An area's page: its figures, the kabupaten's for comparison, the areas one level below and the
    markets inside it (sorted by transactions, most first), and the bank mix (acquirers by share)."""

    area: AreaMetricsOut
    kabupaten: AreaMetricsOut
    child_level: str | None
    children: list[AreaMetricsOut]
    markets: list[AreaMetricsOut]
    bank_mix: list[BankShareOut] = Field(default_factory=list)
