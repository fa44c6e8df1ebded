"""The metrics that can be mapped, ranked and exported, with their Indonesian labels (translated in
templates) and units. Plain registry: add a metric here and it appears in every selector."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MetricDef:
    """A metric of ``schemas.AreaMetricsOut``: attribute name, label, unit, higher-is-better."""

    name: str
    label: str
    unit: str
    higher_is_better: bool = True


METRICS: dict[str, MetricDef] = {
    m.name: m
    for m in (
        MetricDef("index", "Indeks Transaksi Non-Tunai", "0–100"),
        MetricDef("adoption_rate", "Tingkat adopsi", "%"),
        MetricDef("traders_known", "Pedagang terdata", "pedagang"),
        MetricDef("merchants_registered", "Pedagang terdaftar QRIS/EDC", "pedagang"),
        MetricDef("merchants_active", "Pedagang aktif", "pedagang"),
        MetricDef("merchants_habitual", "Pedagang rutin", "pedagang"),
        MetricDef("registered_share", "Pangsa pedagang terdaftar", "%"),
        MetricDef("habitual_share", "Pangsa pedagang rutin", "%"),
        MetricDef("transactions", "Jumlah transaksi", "transaksi"),
        MetricDef("value", "Nilai transaksi", "Rp"),
        MetricDef("unique_payers", "Pembayar unik", "pembayar"),
        MetricDef("payers_per_1000_adults", "Pembayar per 1.000 penduduk dewasa", "per 1.000"),
        MetricDef("avg_ticket", "Rata-rata nilai transaksi", "Rp"),
        MetricDef("median_ticket", "Median nilai transaksi", "Rp"),
        MetricDef("success_rate", "Tingkat keberhasilan transaksi", "%"),
        MetricDef("reporting_completeness", "Kelengkapan laporan bank", "%"),
        MetricDef("adoption_trend_pp", "Perubahan adopsi", "poin %"),
    )
}
