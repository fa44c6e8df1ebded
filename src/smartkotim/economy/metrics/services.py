"""Recomputing the metrics store: in full, or only the periods a batch touched. Both swap the rows in
one transaction, so a reader sees either the old or the new figures, never a mix."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy.orm import Session

from smartkotim.accounts.audit import record_audit
from smartkotim.config import Settings
from smartkotim.economy.metrics import cells, partials, queries
from smartkotim.economy.metrics.cell_queries import EMPTY_CELLS_SQL
from smartkotim.economy.metrics.compute import (
    compute_metric_rows,
    compute_metric_rows_from_cells,
    get_data_range,
    prepare_all_payers,
)
from smartkotim.economy.metrics.ledger_queries import EMPTY_TXN_SQL
from smartkotim.economy.metrics.models import EconomyMetric, MetricsRun
from smartkotim.economy.metrics.sources import TXN_SOURCES
from smartkotim.lib.periods import (
    CALENDAR_KINDS,
    RELATIVE_KINDS,
    Period,
    PeriodKind,
    period_of,
    periods_between,
    previous_period,
    relative_period,
    same_period_last_year,
    today_wib,
)

PeriodsFor = Callable[[date | None, date | None, date], list["Period"]]
ROLLUPS = "rollups"  # the production source: rollup cells + ledger payers (else a ``TXN_SOURCES`` key)


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    """What a recompute did: mode, periods and rows written, the data's day range, seconds taken."""

    mode: str
    periods: int
    rows: int
    first_day: date | None
    last_day: date | None
    seconds: float


def relative_periods(as_of: date) -> list[Period]:
    """``L30D``, ``L12M``, ``YTD`` anchored on ``as_of`` and their comparison ranges."""
    periods = [relative_period(kind, as_of) for kind in RELATIVE_KINDS]
    bases = [f(p) for p in periods for f in (previous_period, same_period_last_year)]
    return _unique(periods + bases)


def _unique(periods: Iterable[Period]) -> list[Period]:
    seen: dict[str, Period] = {}
    for period in periods:
        seen.setdefault(period.id, period)
    return list(seen.values())


def full_periods(first: date | None, last: date | None, as_of: date) -> list[Period]:
    """Every calendar period from the first data day to ``as_of`` (or the last data day if later), plus
    the relative periods and their comparison ranges."""
    start, end = first or as_of, max(as_of, last or as_of)
    calendar = [p for kind in CALENDAR_KINDS for p in periods_between(kind, start, end)]
    return _unique(calendar + relative_periods(as_of))


def affected_periods(days: Collection[date], as_of: date, *, all_relative: bool = True) -> list[Period]:
    """The calendar periods containing any of ``days``, plus the relative periods and their comparison
    ranges: all of them (``all_relative``: the store is anchored on another day), else only those
    containing one of ``days``."""
    calendar = [period_of(kind, day) for day in sorted(set(days)) for kind in CALENDAR_KINDS]
    relative = relative_periods(as_of)
    if not all_relative:
        relative = [p for p in relative if any(p.contains(day) for day in days)]
    return _unique(calendar + relative)


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What one run computes from: the data's day range and the periods."""

    first: date | None
    last: date | None
    periods: list[Period]


def _compute_from_rollups(
    session: Session,
    settings: Settings,
    con: duckdb.DuckDBPyConnection,
    inputs: _Inputs,
    stale_days: Collection[date] | None,
) -> pa.Table:
    """Cells from the rollup extract (re-extracting the months of ``stale_days``; ``None`` = all), payers
    and medians from the ledger rows of the days needed and the month partials (``partials.py``: those
    of ``stale_days``' months, or all, are rebuilt from the ledger and saved).

    A full run reads the whole ledger and rebuilds every month's partials on DuckDB while a second
    thread extracts the cells from the state database (the two overlap on two cores)."""
    window = _data_months(inputs)
    register = queries.get_register_inputs(session, regency_code=settings.regency_code)
    key = partials.fingerprint(register)
    partials.discard(settings, None if stale_days is None else stale_days, keep_key=key)
    data_range = None
    if inputs.first is not None and inputs.last is not None:
        data_range = (inputs.first, inputs.last + timedelta(days=1))

    def txn_for_months(months: list[str] | None) -> Any:
        txn = TXN_SOURCES["ledger"](settings, con, months) if months is None or months else None
        return txn if txn is not None else con.sql(EMPTY_TXN_SQL)

    pay_ready = stale_days is None and data_range is not None and bool(inputs.periods)
    if pay_ready:
        assert data_range is not None
        with ThreadPoolExecutor(max_workers=1) as pool:
            extracting = pool.submit(cells.refresh_cells, session, settings, months=window, stale_days=None)
            try:
                rebuilt = prepare_all_payers(
                    con, txn=txn_for_months(None), register=register, data_range=data_range
                )
                partials.save(con, settings, rebuilt, key)
            finally:
                files = extracting.result()
    else:
        files = cells.refresh_cells(session, settings, months=window, stale_days=stale_days)
    result = compute_metric_rows_from_cells(
        con,
        cells=con.read_parquet(files) if files else con.sql(EMPTY_CELLS_SQL),
        txn_for_months=txn_for_months,
        register=register,
        periods=inputs.periods,
        data_range=data_range,
        partials=partials.none() if pay_ready else partials.load(con, settings, key),
        habitual_min_weeks=settings.metrics_habitual_min_weeks,
        exact_payers_max=settings.metrics_exact_payers_max_transactions,
        pay_ready=pay_ready,
    )
    if not pay_ready:
        partials.save(con, settings, result.rebuilt_months, key)
    return result.rows


def _data_months(inputs: _Inputs) -> list[str]:
    """The months the periods cover inside the data's day range."""
    if inputs.first is None or inputs.last is None or not inputs.periods:
        return []
    first = max(inputs.first, min(p.start for p in inputs.periods))
    stop = min(inputs.last + timedelta(days=1), max(p.end for p in inputs.periods))
    return cells.month_ids(first, stop) if first < stop else []


def _run(
    session: Session,
    settings: Settings,
    *,
    mode: str,
    periods_for: PeriodsFor,
    trigger: str,
    as_of: date | None,
    source: str,
    days: Collection[date] | None = None,
    replace_relative: bool = True,
) -> RecomputeResult:
    started = time.perf_counter()
    as_of = as_of or today_wib()
    with cells.metrics_lock(settings):
        con = duckdb.connect()
        try:
            first, last = _data_range(session, settings, con, source, days)
            inputs = _Inputs(first, last, periods_for(first, last, as_of))
            if source == ROLLUPS:
                rows = _compute_from_rollups(session, settings, con, inputs, days)
            else:
                rows = _compute_from_rows(session, settings, con, inputs, source, full=mode == "full")
        finally:
            con.close()
        stale = None if mode == "full" else {p.id for p in inputs.periods}
        if stale is not None and replace_relative:
            stale |= _stale_relative_ids(session)
        written = queries.replace_metric_rows(session, rows, period_ids=stale)
        seconds = time.perf_counter() - started
        _record_run(session, mode, trigger, inputs, as_of, written, seconds)
        session.commit()
    return RecomputeResult(mode, len(inputs.periods), written, first, last, seconds)


def _compute_from_rows(
    session: Session,
    settings: Settings,
    con: duckdb.DuckDBPyConnection,
    inputs: _Inputs,
    source: str,
    *,
    full: bool,
) -> pa.Table:
    """The reference computation straight from a row-level source (``TXN_SOURCES``)."""
    txn = TXN_SOURCES[source](settings, con, None if full else _months(inputs.periods))
    return compute_metric_rows(
        con,
        txn=txn if txn is not None else con.sql(EMPTY_TXN_SQL),
        register=queries.get_register_inputs(session, regency_code=settings.regency_code),
        periods=inputs.periods,
        habitual_min_weeks=settings.metrics_habitual_min_weeks,
        exact_payers_max=settings.metrics_exact_payers_max_transactions,
    )


def _record_run(
    session: Session, mode: str, trigger: str, inputs: _Inputs, as_of: date, written: int, seconds: float
) -> None:
    session.add(
        MetricsRun(
            mode=mode,
            trigger=trigger[:80],
            periods=len(inputs.periods),
            rows=written,
            first_day=inputs.first,
            last_day=inputs.last,
            as_of=as_of,
            seconds_ms=int(seconds * 1000),
        )
    )
    record_audit(
        session,
        event="economy.metrics.recomputed",
        actor=None,
        actor_label=trigger[:80],
        details={"mode": mode, "periods": len(inputs.periods), "rows": written},
    )


def _data_range(
    session: Session,
    settings: Settings,
    con: duckdb.DuckDBPyConnection,
    source: str,
    days: Collection[date] | None = None,
) -> tuple[date | None, date | None]:
    """The first and last WIB day with data. An incremental update from the rollups (``days`` given)
    widens the range the last run recorded by ``days`` instead of scanning the rollups again: a batch
    only adds days or changes days that already had data."""
    if source == ROLLUPS:
        last_run = queries.get_latest_run(session) if days else None
        if days and last_run is not None and last_run.first_day and last_run.last_day:
            return min(last_run.first_day, *days), max(last_run.last_day, *days)
        found = queries.get_rollup_day_range(session)
        return found or (None, None)
    txn = TXN_SOURCES[source](settings, con, None)
    found = get_data_range(con, txn) if txn is not None else None
    return found or (None, None)


def _months(periods: Iterable[Period]) -> list[str]:
    """The ``YYYY-MM`` ledger partitions the periods cover."""
    return sorted({m.id for p in periods for m in periods_between(PeriodKind.MONTH, p.start, p.last)})


def _stale_relative_ids(session: Session) -> set[str]:
    """Ids of stored relative periods and comparison ranges (replaced on every refresh)."""
    return set(queries.list_period_ids(session, period_kind=PeriodKind.RANGE.value)) | {
        k.value for k in RELATIVE_KINDS
    }


def recompute_metrics(
    session: Session,
    settings: Settings,
    *,
    trigger: str = "cli",
    as_of: date | None = None,
    source: str = ROLLUPS,
) -> RecomputeResult:
    """Recompute the whole store and swap it in one transaction.

    ``source`` ``rollups`` (default): re-extract every month of the rollups, payers and medians from the
    ledger; a ``TXN_SOURCES`` key (``ledger``): everything straight from its rows (the reference).
    ``as_of`` anchors the relative periods (default: today in WIB). Use after a change of the
    register (new merchants change every period's denominators), of the metric definitions, or a
    rebuild of the rollups.
    """

    def periods_for(first: date | None, last: date | None, as_of: date) -> list[Period]:
        return full_periods(first, last, as_of)

    return _run(
        session, settings, mode="full", periods_for=periods_for, trigger=trigger, as_of=as_of, source=source
    )


def update_metrics_for_days(
    session: Session,
    settings: Settings,
    *,
    days: Collection[date],
    trigger: str = "batch",
    as_of: date | None = None,
    source: str = ROLLUPS,
) -> RecomputeResult:
    """Recompute only the periods that contain ``days`` (WIB days a batch added or changed) and swap
    their rows in one transaction; only ``days`` are re-extracted from the rollups. The relative
    periods and their comparison ranges are all recomputed when the store was anchored on another day
    than ``as_of``, else only those containing one of ``days``."""
    as_of = as_of or today_wib()
    last_run = queries.get_latest_run(session)
    all_relative = last_run is None or last_run.as_of != as_of

    def periods_for(first: date | None, last: date | None, as_of: date) -> list[Period]:
        return affected_periods(days, as_of, all_relative=all_relative)

    return _run(
        session,
        settings,
        mode="incremental",
        periods_for=periods_for,
        trigger=trigger,
        as_of=as_of,
        source=source,
        days=days,
        replace_relative=all_relative,
    )


def transient_metric_rows(session: Session, settings: Settings, periods: list[Period]) -> list[EconomyMetric]:
    """The metric rows of ``periods`` computed straight from the ledger (the reference computation) and
    **not** stored: for free date ranges asked for on the pages and the API. Transient ``EconomyMetric``
    objects (not added to ``session``); empty without ledger data. Cost: one scan of the months the
    periods cover (about a second per month of 400,000 transactions)."""
    periods = _unique(periods)
    con = duckdb.connect()
    try:
        txn = TXN_SOURCES["ledger"](settings, con, _months(periods))
        if txn is None:
            return []
        table = compute_metric_rows(
            con,
            txn=txn,
            register=queries.get_register_inputs(session, regency_code=settings.regency_code),
            periods=periods,
            habitual_min_weeks=settings.metrics_habitual_min_weeks,
            exact_payers_max=settings.metrics_exact_payers_max_transactions,
        )
    finally:
        con.close()
    return [EconomyMetric(**row) for row in table.to_pylist()]
