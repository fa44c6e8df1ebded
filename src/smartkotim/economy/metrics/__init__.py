"""Smart Economy metrics: adoption metrics per area and period, the Indeks Transaksi Non-Tunai, area
classes and choropleth classes, precomputed in ``economy_metrics`` and served to dashboards and the API.

Definitions and formulas: ``docs/metrics.md`` and ``docs/index.md``.
"""
