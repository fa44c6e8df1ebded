"""The rollup extract: the rollups summed over channels, one Parquet file per month, for DuckDB.

A full recompute re-extracts every month from ``txn_rollups``; an incremental update re-extracts only
the batch's days (a whole month when its file is missing) and reads the other days of its long
periods (year, ``L12M``, …) from the files. So a batch costs a few days' query on the state database,
not a year's. The files live in ``DATA_DIR/metrics/cells/cells-YYYY-MM.parquet``, each replaced
atomically; they hold sums per merchant, day and acquirer only (no payer). The extract follows the
rollups as long as every change of the rollups reaches the metrics (``hooks.on_batch_recorded`` after
each batch; ``smartkotim metrics recompute`` after ``ledger rebuild-rollups``).

``metrics_lock`` serialises recomputes (web job, CLI, ingest) across processes.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics import queries
from smartkotim.lib.periods import PeriodKind, parse_period


def metrics_dir(settings: Settings) -> Path:
    """``DATA_DIR/metrics`` (created)."""
    path = settings.data_dir / "metrics"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cells_dir(settings: Settings) -> Path:
    """The folder of the month files (created)."""
    path = metrics_dir(settings) / "cells"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cell_file(settings: Settings, month: str) -> Path:
    """The extract of ``month`` (``YYYY-MM``)."""
    return cells_dir(settings) / f"cells-{month}.parquet"


@contextmanager
def metrics_lock(settings: Settings) -> Iterator[None]:
    """Hold the metrics lock (an exclusive ``flock`` on ``DATA_DIR/metrics/.lock``) for the block."""
    with (metrics_dir(settings) / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(settings: Settings, month: str, table: pa.Table) -> None:
    target = cell_file(settings, month)
    partial = target.with_suffix(".partial")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, target)


def extract_month(session: Session, settings: Settings, month: str) -> int:
    """Re-extract one month from the rollups into its file; return the number of cells."""
    period = parse_period(month)
    assert period.kind is PeriodKind.MONTH, month
    table = queries.extract_rollup_cells(session, first=period.start, stop=period.end)
    _write(settings, month, table)
    return int(table.num_rows)


def refresh_days(session: Session, settings: Settings, month: str, days: Collection[date]) -> None:
    """Replace the cells of ``days`` (all in ``month``) in the month's file with the rollups' now."""
    kept = pq.read_table(cell_file(settings, month))
    mask = pc.is_in(kept.column("day"), value_set=pa.array(sorted(days), pa.date32()))
    parts = [kept.filter(pc.invert(mask))]
    # one query over the days' span (a batch's days are usually a few consecutive ones), kept to ``days``
    span = queries.extract_rollup_cells(session, first=min(days), stop=max(days) + timedelta(days=1))
    parts.append(span.filter(pc.is_in(span.column("day"), value_set=pa.array(sorted(days), pa.date32()))))
    table = pa.concat_tables(parts).sort_by([("day", "ascending"), ("acquirer", "ascending")])
    _write(settings, month, table)


def refresh_cells(
    session: Session, settings: Settings, *, months: Collection[str], stale_days: Collection[date] | None
) -> list[str]:
    """Make sure the files of ``months`` exist and hold the rollups of ``stale_days`` as they are now
    (``None``: re-extract every month and delete the files of other months); return the paths of the
    files of ``months``."""
    wanted = set(months)
    if stale_days is None:
        for path in cells_dir(settings).glob("cells-*.parquet"):
            if path.stem.removeprefix("cells-") not in wanted:
                path.unlink(missing_ok=True)
    by_month: dict[str, set[date]] = {}
    for day in stale_days or ():
        by_month.setdefault(day.strftime("%Y-%m"), set()).add(day)
    for month in sorted(wanted):
        if stale_days is None or not cell_file(settings, month).exists():
            extract_month(session, settings, month)
        elif month in by_month:
            refresh_days(session, settings, month, by_month[month])
    return [str(cell_file(settings, m)) for m in sorted(wanted)]


def month_ids(first: date, stop: date) -> list[str]:
    """``YYYY-MM`` of every month overlapping the days ``[first, stop)``."""
    out, year, month = [], first.year, first.month
    while date(year, month, 1) < stop:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
