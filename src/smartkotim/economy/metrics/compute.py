"""Compute the metrics rows of a set of periods with DuckDB, from rollup cells (or ledger rows) and the
register.

Pure of the state database: the caller hands over the inputs (any relation DuckDB can scan: an Arrow
table or dataset, a DuckDB relation) and the register as Arrow tables. ``compute_metric_rows_from_cells``
is the production path (additive figures and activity from the rollups, unique payers and the median
from the ledger and month partials); ``compute_metric_rows`` the reference straight from the ledger
(the parity test checks they agree). Both give one Arrow table with a row per (area, period) that has
traders or transactions, in the columns of ``models.EconomyMetric``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from smartkotim.economy.metrics import cell_queries as cq
from smartkotim.economy.metrics import hll
from smartkotim.economy.metrics import ledger_queries as q
from smartkotim.economy.metrics import payer_queries as pq
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
_AREA_MONTH = [("month", pa.date32()), ("level", pa.string()), ("code", pa.string())]
AMOUNT_SCHEMA = pa.schema([*_AREA_MONTH, ("amount", pa.int64()), ("n", pa.int64())])
NO_DATA = (date(2000, 1, 1), date(2000, 1, 1))  # an empty day range
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


def _windows(
    con: duckdb.DuckDBPyConnection,
    data_range: tuple[date, date] | None,
    max_exact: int,
    partials: PayerPartials | None,
) -> None:
    """The payer windows of the periods and which days each reads raw (``payer_queries``);
    ``data_range`` is the data's days ``[lo, hi)``."""
    lo, hi = data_range or NO_DATA
    con.execute(q.EXACT_PERIODS_SQL, {"max_exact": max_exact})
    con.execute(pq.DATA_MONTHS_SQL, {"lo": lo, "hi": hi})
    con.execute(pq.WINDOWS_SQL, {"lo": lo, "hi": hi})
    con.execute(pq.WINDOW_KEYS_SQL)
    con.execute(pq.WINDOW_MONTHS_SQL, {"use_partials": partials is not None})
    con.execute(pq.RAW_DAYS_SQL)
    fresh = partials.months if partials is not None else []
    con.register("fresh_months", pa.table({"month": pa.array(fresh, pa.date32())}))
    con.execute(pq.REBUILD_MONTHS_SQL)
    con.execute(pq.NEEDED_DAYS_SQL)
    fresh_areas = sorted(
        {a for _areas, _regs in (partials.registers.values() if partials else ()) for a in _areas}
    )
    levels_codes = [a.split("\x1f", 1) for a in fresh_areas]
    con.register(
        "fresh_areas",
        pa.table(
            {"level": [lc[0] for lc in levels_codes], "code": [lc[1] for lc in levels_codes]},
            schema=pa.schema([("level", pa.string()), ("code", pa.string())]),
        ),
    )
    con.register("fresh_amounts", partials.amounts if partials else AMOUNT_SCHEMA.empty_table())


def _with_regency(con: duckdb.DuckDBPyConnection, sql: str, regency: dict[str, Any]) -> None:
    con.execute(sql, regency if "$regency" in sql else None)


def _finish(
    con: duckdb.DuckDBPyConnection,
    regency: dict[str, Any],
    *,
    rebuild: bool = True,
    activity: str = q.ACTIVITY_SQL,
    fresh: dict[date, tuple[np.ndarray, np.ndarray]] | None = None,
) -> pa.Table:
    """The steps after ``flows``, ``merchant_days``, ``reported``, the windows and ``pay``: ``activity``,
    register, reporting, month partials (``rebuild`` False: already built by ``prepare_all_payers``),
    payers; then the result rows."""
    con.execute(activity, regency)
    con.execute(q.REGISTER_SQL, regency)
    con.execute(q.REPORTING_SQL)
    if rebuild:
        for sql in pq.rebuilt_partials_sql():
            _with_regency(con, sql, regency)
    con.execute(pq.MONTH_PARTIALS_SQL)
    _with_regency(con, pq.edge_registers_sql(), regency)
    con.execute(pq.AREA_IDS_SQL)
    con.register("estimated", hll.window_estimates(con, fresh or {}))
    for sql in pq.payers_sql():
        _with_regency(con, sql, regency)
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
    kabupaten, else HyperLogLog estimates (``payer_queries``, here from the raw rows of the whole
    period). Runs on ``con``'s temporary tables.
    """
    if not periods:
        return pa.table({})
    window, regency = _prepare(con, register, periods, habitual_min_weeks)
    con.register("txn", txn)
    con.execute(q.TX_SQL, window)
    con.execute(q.FLOWS_SQL, regency)
    con.execute(q.MERCHANT_DAYS_SQL)
    con.execute(q.REPORTED_SQL, window)
    found = con.execute("SELECT min(day), max(day) + 1 FROM tx WHERE ok").fetchall()[0]
    _windows(con, None if found[0] is None else (found[0], found[1]), exact_payers_max, None)
    con.execute(pq.pay_sql("tx", "ok"))
    return _finish(con, regency)


@dataclass(frozen=True, slots=True)
class PayerPartials:
    """Month partials that are current (``payer_queries``): the months (first days) they cover, their
    HyperLogLog ``registers`` per month — ``(areas, array)``: ``level`` ␟ ``code`` of each area with a
    payer and a ``uint8`` array areas × buckets — and ``amounts`` (``AMOUNT_SCHEMA``, any relation DuckDB
    can scan)."""

    months: list[date]
    registers: dict[date, tuple[np.ndarray, np.ndarray]]
    amounts: Any


@dataclass(frozen=True, slots=True)
class CellComputation:
    """The metric rows and the month partials rebuilt on the way (``rebuilt_months``: first days;
    their rows are in ``con``'s ``rebuilt_registers`` and ``rebuilt_amounts`` until it closes)."""

    rows: pa.Table
    rebuilt_months: list[date]


def compute_metric_rows_from_cells(
    con: duckdb.DuckDBPyConnection,
    *,
    cells: Any,
    txn_for_months: Callable[[list[str]], Any],
    register: RegisterInputs,
    periods: list[Period],
    data_range: tuple[date, date] | None,
    partials: PayerPartials | None,
    habitual_min_weeks: int = 4,
    exact_payers_max: int = EXACT_PAYERS_MAX,
    pay_ready: bool = False,
) -> CellComputation:
    """The production computation: as ``compute_metric_rows`` but transactions, value, attempts,
    merchant activity and bank reporting from the rollup ``cells`` (columns ``CELL_COLUMNS``); unique
    payers and the median ticket from ledger rows (only ``ok`` rows of the days needed:
    ``txn_for_months(["YYYY-MM", …])`` returns a relation with ``TXN_COLUMNS``) and, for the months a
    large period covers whole, from ``partials`` (months missing there are rebuilt from the ledger
    rows and listed in the result). ``data_range``: the data's WIB days ``[first, stop)``.
    ``pay_ready``: ``prepare_all_payers`` already loaded every ledger row and rebuilt every month
    (``txn_for_months`` is not called)."""
    if not periods:
        return CellComputation(pa.table({}), [])
    window, regency = _prepare(con, register, periods, habitual_min_weeks)
    con.register("cells", cells)
    lo, hi = data_range or NO_DATA
    con.execute(pq.DATA_MONTHS_SQL, {"lo": lo, "hi": hi})
    con.execute(cq.PERIOD_MONTHS_SQL, {"lo": lo, "hi": hi})
    con.execute(cq.PERIOD_EDGE_DAYS_SQL)
    con.execute(cq.CX_SQL, window)
    con.execute(cq.CX_MONTH_SQL)
    con.execute(cq.FLOWS_SQL, regency)
    con.execute(cq.MERCHANT_DAYS_SQL)
    con.execute(cq.REPORTED_SQL, window)
    _windows(con, data_range, exact_payers_max, partials)
    if not pay_ready:
        months = [row[0] for row in con.execute(pq.NEEDED_MONTHS_SQL).fetchall()]
        con.register("txn", txn_for_months(months))
        con.execute(pq.pay_sql(cq.PAY_SOURCE, "day IN (SELECT day FROM needed_days)"))
    fresh = partials.registers if partials is not None else {}
    rows = _finish(con, regency, rebuild=not pay_ready, activity=cq.ACTIVITY_SQL, fresh=fresh)
    rebuilt = "rebuilt_registers" if pay_ready else "rebuild_months"
    found = con.execute(f"SELECT DISTINCT month FROM {rebuilt} ORDER BY month").fetchall()
    return CellComputation(rows, [row[0] for row in found])


def prepare_all_payers(
    con: duckdb.DuckDBPyConnection, *, txn: Any, register: RegisterInputs, data_range: tuple[date, date]
) -> list[date]:
    """For a full recompute: ``pay`` from every row of ``txn`` (``TXN_COLUMNS``) and the month partials
    of every month of ``data_range`` (``[first, stop)``) in ``rebuilt_registers`` and
    ``rebuilt_amounts``, before the cells are there (so the caller can extract the cells meanwhile);
    then ``compute_metric_rows_from_cells(…, pay_ready=True)``. Returns the months rebuilt."""
    con.register("merchants", register.merchants)
    con.register("txn", txn)
    lo, hi = data_range
    con.execute(pq.DATA_MONTHS_SQL, {"lo": lo, "hi": hi})
    con.execute("CREATE OR REPLACE TEMP TABLE rebuild_months AS SELECT month FROM data_months")
    con.execute(pq.pay_sql(cq.PAY_SOURCE, "true"))
    for sql in pq.rebuilt_partials_sql():
        _with_regency(con, sql, {"regency": register.regency_code})
    return [row[0] for row in con.execute("SELECT month FROM rebuild_months ORDER BY month").fetchall()]


def get_data_range(con: duckdb.DuckDBPyConnection, txn: Any) -> tuple[date, date] | None:
    """The first and last WIB day with a transaction, or ``None`` for an empty ledger."""
    con.register("txn", txn)
    rows = con.sql(q.DATA_RANGE_SQL).fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] is None:
        return None
    return row[0], row[1]
