"""Accuracy of the estimated unique payers (HyperLogLog, ``economy/metrics/payer_queries.py``) against
exact counts, on a data folder loaded by ``bench/dashboard.py``.

For every stored kabupaten, kecamatan and desa row of every month, quarter and year whose figure is an
estimate, the exact ``count(DISTINCT payer)`` is computed from the ledger with DuckDB (same rules: ``ok``
rows of registered NMIDs) and the relative error ``(estimate − exact) / exact`` is summarised per level
and period kind: RMS, largest, and the share of figures within ± 2 × the stated standard error.

    .venv/bin/python bench/payer_error.py --data-dir /tmp/bd

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import select

from dashboard import open_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a folder bench/dashboard.py loaded")
    args = parser.parse_args()
    from smartkotim.economy.metrics import queries
    from smartkotim.economy.metrics.models import EconomyMetric
    from smartkotim.economy.metrics.payer_queries import HLL_RSE_PCT
    from smartkotim.economy.metrics.sources import ledger_transactions

    runtime = open_bench(args.data_dir, None)
    settings = runtime.settings
    kinds = ("month", "quarter", "year")
    with runtime.session_factory() as session:
        stored = session.execute(
            select(
                EconomyMetric.level,
                EconomyMetric.area_code,
                EconomyMetric.period_id,
                EconomyMetric.period_kind,
                EconomyMetric.period_start,
                EconomyMetric.period_end,
                EconomyMetric.unique_payers,
            ).where(
                EconomyMetric.period_kind.in_(kinds),
                EconomyMetric.level.in_(("kabupaten", "kecamatan", "desa")),
            )
        ).all()
        kab_transactions = {
            r.period_id: r.transactions
            for r in session.scalars(select(EconomyMetric).where(EconomyMetric.level == "kabupaten"))
        }
        register = queries.get_register_inputs(session, regency_code=settings.regency_code)
    limit = settings.metrics_exact_payers_max_transactions
    periods = {
        (r.period_id, r.period_start, r.period_end) for r in stored if kab_transactions[r.period_id] > limit
    }
    con = duckdb.connect()
    con.register("merchants", register.merchants)
    con.register("txn", ledger_transactions(settings, con, None))
    con.execute(
        "CREATE TEMP TABLE pay AS SELECT t.day, t.payer, m.kecamatan_code, m.desa_code FROM txn AS t "
        "JOIN merchants AS m ON t.nmid = m.nmid WHERE t.ok"
    )
    if not periods:
        raise SystemExit("no estimated period in the store: run bench/dashboard.py on this folder first")
    table = pa.table({"period_id": [p[0] for p in periods], "ps": [p[1] for p in periods]})
    con.register("periods", table.append_column("pe", pa.array([p[2] for p in periods], pa.date32())))
    exact: dict[tuple[str, str, str], int] = {}
    for level, column in (("kabupaten", None), ("kecamatan", "kecamatan_code"), ("desa", "desa_code")):
        code = f"'{settings.regency_code}'" if column is None else column
        group = "period_id" + (f", {column}" if column else "")
        where = f"WHERE {column} IS NOT NULL" if column else ""
        sql = (
            f"SELECT period_id, {code}, count(DISTINCT payer) FROM pay JOIN periods "
            f"ON pay.day >= periods.ps AND pay.day < periods.pe {where} GROUP BY {group}"
        )
        for period_id, area, count in con.execute(sql).fetchall():
            exact[(level, area, period_id)] = count
    errors: dict[tuple[str, str], list[float]] = {}
    for r in stored:
        truth = exact.get((r.level, r.area_code, r.period_id))
        if truth and kab_transactions[r.period_id] > limit:
            errors.setdefault((r.level, r.period_kind), []).append((r.unique_payers - truth) / truth * 100)
    summary: dict[str, Any] = {"stated_rse_pct": HLL_RSE_PCT}
    for (level, kind), values in sorted(errors.items()):
        rms = math.sqrt(sum(v * v for v in values) / len(values))
        within = sum(1 for v in values if abs(v) <= 2 * HLL_RSE_PCT) / len(values) * 100
        worst = max(values, key=abs)
        print(
            f"{level:9s} × {kind:7s}: n={len(values):5d}  RMS {rms:5.2f} %  worst {worst:+6.2f} %  "
            f"within ±2×RSE {within:5.1f} %"
        )
        summary[f"{level}_{kind}"] = {
            "n": len(values),
            "rms_pct": round(rms, 2),
            "worst_pct": round(worst, 2),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
