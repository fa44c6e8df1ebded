"""Compute the metrics rows of a set of periods with DuckDB, from rollup cells (or ledger rows) and the
register.

Pure of the state database: the caller hands over the inputs (any relation DuckDB can scan: an Arrow
table or dataset, a DuckDB relation) and the register as Arrow tables. ``compute_metric_rows_from_cells``
is the production path (additive figures and activity from the rollups, unique payers and the median
from the ledger); ``compute_metric_rows`` the reference straight from the ledger (the parity test
checks they agree). Both return one Arrow table with a row per (area, period) that has traders or
transactions, in the columns of ``models.EconomyMetric``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from smartkotim.economy.metrics import cell_queries as cq
from smartkotim.economy.metrics import ledger_queries as q
from smartkotim.economy.metrics.index import MIN_INDEX_DAYS
from smartkotim.lib.periods import Period, PeriodKind, periods_between

MERCHANT_SCHEMA = pa.schema(
    [
        ("merchant_id", pa.int64()),
        ("nmid", pa.string()),
        ("desa_code", pa.string()),
        ("kecamatan_code", pa.string()),
        ("market_code", pa.string()),
        ("registered", pa.bool_()),
        ("onboarded_on", pa.date32()),
        ("acquirer", pa.string()),
    ]
)
AREA_SCHEMA = pa.schema(
    [("level", pa.string()), ("code", pa.string()), ("parent_code", pa.string()), ("adults", pa.int64())]
)
TXN_COLUMNS = ("nmid", "day", "amount", "payer", "ok", "attempted", "acquirer")
CELL_COLUMNS = ("day", "acquirer", "nmid", "txn_count", "value", "attempted")
EXACT_PAYERS_MAX = 50_000  # the default of settings.metrics_exact_payers_max_transactions


@dataclass(frozen=True, slots=True)
class RegisterInputs:
    """The register as Arrow tables (``MERCHANT_SCHEMA``, ``AREA_SCHEMA``) and the kabupaten code."""

    merchants: pa.Table
    areas: pa.Table
    regency_code: str


def habitual_weeks(period: Period, min_weeks_per_month: int) -> int | None:
    """Active ISO weeks a merchant needs in ``period`` to be habitual: the monthly threshold times the
    period's length in months; ``None`` (not defined) for periods shorter than 28 days."""
    if period.days < MIN_INDEX_DAYS:
        return None
    return min_weeks_per_month * period.month_equivalents


def _period_tables(periods: Iterable[Period], min_weeks: int, first: date, stop: date) -> dict[str, pa.Table]:
    rows: dict[str, list[Any]] = {k: [] for k in ("period_id", "kind", "start", "end", "habitual_weeks")}
    day_rows: dict[str, list[Any]] = {"day": [], "period_id": []}
    month_rows: dict[str, list[Any]] = {"period_id": [], "month": []}
    for period in periods:
        for key, value in zip(
            rows,
            (period.id, str(period.kind), period.start, period.end, habitual_weeks(period, min_weeks)),
            strict=True,
        ):
            rows[key].append(value)
        day = max(period.start, first)
        while day < min(period.end, stop):
            day_rows["day"].append(day)
            day_rows["period_id"].append(period.id)
            day += timedelta(days=1)
        for month in periods_between(PeriodKind.MONTH, period.start, period.last):
            month_rows["period_id"].append(period.id)
            month_rows["month"].append(month.start)
    return {
        "periods": pa.table(
            rows,
            schema=pa.schema(
                [
                    ("period_id", pa.string()),
                    ("kind", pa.string()),
                    ("start", pa.date32()),
                    ("end", pa.date32()),
                    ("habitual_weeks", pa.int64()),
                ]
            ),
        ),
        "day_periods": pa.table(
            day_rows, schema=pa.schema([("day", pa.date32()), ("period_id", pa.string())])
        ),
        "period_months": pa.table(
            month_rows, schema=pa.schema([("period_id", pa.string()), ("month", pa.date32())])
        ),
    }


def _prepare(
    con: duckdb.DuckDBPyConnection, register: RegisterInputs, periods: list[Period], min_weeks: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register the register and period tables; return the window and regency parameters."""
    first = min(p.start for p in periods)
    stop = max(p.end for p in periods)
    con.register("merchants", register.merchants)
    con.register("areas", register.areas)
    for name, table in _period_tables(periods, min_weeks, first, stop).items():
        con.register(name, table)
    return {"first": first, "stop": stop}, {"regency": register.regency_code}


def _finish(
    con: duckdb.DuckDBPyConnection, window: dict[str, Any], regency: dict[str, Any], max_exact: int
) -> pa.Table:
    """The steps after ``flows``, ``merchant_days``, ``reported`` and ``pay``: activity, register,
    reporting, payers; then the result rows."""
    con.execute(q.ACTIVITY_SQL, regency)
    con.execute(q.REGISTER_SQL, regency)
    con.execute(q.REPORTING_SQL)
    con.execute(q.EXACT_PERIODS_SQL, {"max_exact": max_exact})
    for sql in (q.WINDOWS_SQL, q.WINDOW_KEYS_SQL, q.WINDOW_DAYS_SQL):
        con.execute(sql)
    con.execute(q.payers_sql(), regency)
    return con.sql(q.RESULT_SQL).to_arrow_table()


def compute_metric_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    txn: Any,
    register: RegisterInputs,
    periods: list[Period],
    habitual_min_weeks: int = 4,
    exact_payers_max: int = EXACT_PAYERS_MAX,
) -> pa.Table:
    """The reference computation, everything straight from ledger rows: one row per (level, area,
    period) with traders or transactions, for ``periods`` (distinct ids).

    ``txn`` must have the columns ``TXN_COLUMNS`` (``day`` the WIB date, ``ok`` = successful and not
    reversed, ``attempted`` = successful or failed). Only transactions of NMIDs on the register count.
    Unique payers are exact in periods with at most ``exact_payers_max`` transactions in the
    kabupaten, else HyperLogLog estimates. Runs on ``con``'s temporary tables.
    """
    if not periods:
        return pa.table({})
    window, regency = _prepare(con, register, periods, habitual_min_weeks)
    con.register("txn", txn)
    con.execute(q.TX_SQL, window)
    con.execute(q.FLOWS_SQL, regency)
    con.execute(q.MERCHANT_DAYS_SQL)
    con.execute(q.REPORTED_SQL, window)
    con.execute(q.PAY_SQL)
    return _finish(con, window, regency, exact_payers_max)


def compute_metric_rows_from_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    cells: Any,
    txn: Any,
    register: RegisterInputs,
    periods: list[Period],
    habitual_min_weeks: int = 4,
    exact_payers_max: int = EXACT_PAYERS_MAX,
) -> pa.Table:
    """The production computation: as ``compute_metric_rows`` but transactions, value, attempts,
    merchant activity and bank reporting from the rollup ``cells`` (columns ``CELL_COLUMNS``); only
    unique payers and the median ticket from the ledger rows ``txn`` (only ``ok`` rows are read)."""
    if not periods:
        return pa.table({})
    window, regency = _prepare(con, register, periods, habitual_min_weeks)
    con.register("cells", cells)
    con.register("txn", txn)
    con.execute(cq.CX_SQL, window)
    con.execute(cq.FLOWS_SQL, regency)
    con.execute(cq.MERCHANT_DAYS_SQL)
    con.execute(cq.REPORTED_SQL, window)
    con.execute(cq.PAY_SQL, window)
    return _finish(con, window, regency, exact_payers_max)


def get_data_range(con: duckdb.DuckDBPyConnection, txn: Any) -> tuple[date, date] | None:
    """The first and last WIB day with a transaction, or ``None`` for an empty ledger."""
    con.register("txn", txn)
    rows = con.sql(q.DATA_RANGE_SQL).fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] is None:
        return None
    return row[0], row[1]
