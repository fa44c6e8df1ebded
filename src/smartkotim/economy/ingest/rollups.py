"""Rollups merchant × day × channel × acquirer, derived from the ledger (the source of truth).

A batch touches some ``(acquirer_code, day)`` pairs: the WIB days of its new transactions and, for its
reversals, the days of the transactions they reverse. The rollup rows of exactly those pairs are
(re)computed from the ledger and replace the old ones in the state database, in one transaction that
also marks the batch applied. Computing from the ledger makes the update idempotent (applying a batch
twice gives the same rows) and exact for distinct payers, which cannot be added up.

Two ways to the same rows:

- **fast path** — no other batch has rows in the batch's months: the cells can only contain this
  batch's rows, so only its own files are read (no join with the touched pairs);
- **general path** — the rows of the touched pairs are read from every file of those months.

Both run the same SQL (``EFFECTIVE_SQL``, ``CELL_SUMS_SQL``, ``CELL_PAYERS_SQL``): plain SQL over two
relations, ``cells_input`` (ledger rows) and ``reversals`` (every reversal key in the ledger), that runs
on DuckDB here and on Spark SQL over the same Delta table at province scale (``hash`` exists in both).
An effective transaction is a ``success`` row whose ``(acquirer_code, txn_id)`` has no ``reversed``
row anywhere in the ledger. Sums come from one group-by over the cell's four columns; distinct payers
from a ``DISTINCT (hash of the cell, payer)`` — fixed-width keys, several times faster than distinct
counting on the four columns — used only after checking that no two cells of the result share a hash
(otherwise the exact four-column count is used), so ``payers`` is always exact.

Unique payers across days or areas must never be summed from ``payers``; count them from the ledger
with ``count_distinct_payers`` (exact, one DuckDB scan of the months asked for).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from typing import Any

from smartkotim.config import Settings
from smartkotim.ledger import TRANSACTIONS, connect, list_files, scan_sql

# ``eff``: the ledger rows of the cells (``cells_input``) with ``cancelled`` (a reversal of the key exists)
EFFECTIVE_SQL = """
SELECT t.day, t.acquirer_code, t.nmid, t.channel, t.payer, t.amount, t.status,
       r.txn_id IS NOT NULL AS cancelled
FROM cells_input t
LEFT JOIN reversals r ON r.acquirer_code = t.acquirer_code AND r.txn_id = t.txn_id
WHERE t.status IN ('success', 'failed')
"""
CELL_SUMS_SQL = """
SELECT day, acquirer_code, nmid, channel,
       COUNT(*) FILTER (WHERE status = 'success' AND NOT cancelled) AS txn_count,
       COALESCE(SUM(amount) FILTER (WHERE status = 'success' AND NOT cancelled), 0) AS value,
       COUNT(*) FILTER (WHERE status = 'failed') AS failed_count,
       COUNT(*) FILTER (WHERE status = 'success' AND cancelled) AS reversed_count
FROM eff
GROUP BY day, acquirer_code, nmid, channel
"""
# distinct payers per cell, keyed by a 64-bit hash of the cell (fixed-width keys: several times faster
# than grouping by the four columns and the payer); exact as long as no two cells share a hash, which
# ``_cells`` checks before using it (and otherwise uses CELL_PAYERS_EXACT_SQL)
CELL_PAYERS_SQL = """
SELECT h, COUNT(*) AS payers FROM (
    SELECT DISTINCT hash(day, acquirer_code, nmid, channel) AS h, payer FROM eff
    WHERE status = 'success' AND NOT cancelled AND payer IS NOT NULL
) GROUP BY h
"""
CELL_PAYERS_EXACT_SQL = """
SELECT day, acquirer_code, nmid, channel, COUNT(DISTINCT payer) AS payers FROM eff
WHERE status = 'success' AND NOT cancelled
GROUP BY day, acquirer_code, nmid, channel
"""

AFFECTED_SQL = """
SELECT DISTINCT acquirer_code, day FROM batch_rows WHERE status <> 'reversed'
"""
REVERSED_DAYS_SQL = """
SELECT DISTINCT o.acquirer_code, o.day FROM ledger o
JOIN batch_reversals v ON v.acquirer_code = o.acquirer_code AND v.txn_id = o.txn_id
WHERE o.status <> 'reversed'
"""

# (day as ISO text, acquirer_code, nmid, channel, txn_count, value (rupiah), payers, failed, reversed)
RollupRow = tuple[str, str, str, str, int, int, int, int, int]


def _fetch_cells(con: Any) -> list[RollupRow]:
    """The rollup rows of ``cells_input`` (needs the tables ``reversals``), sorted by the table's key."""
    has_reversals = con.execute("SELECT count(*) FROM reversals").fetchone() != (0,)
    effective = (
        EFFECTIVE_SQL
        if has_reversals
        else EFFECTIVE_SQL.replace("r.txn_id IS NOT NULL AS cancelled", "FALSE AS cancelled").replace(
            "LEFT JOIN reversals r ON r.acquirer_code = t.acquirer_code AND r.txn_id = t.txn_id", ""
        )
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW eff AS {effective}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE cell_sums AS {CELL_SUMS_SQL}")
    distinct = con.execute(
        "SELECT count(*) = count(DISTINCT hash(day, acquirer_code, nmid, channel)) FROM cell_sums"
    ).fetchone()
    if distinct == (True,):
        payers = f"LEFT JOIN ({CELL_PAYERS_SQL}) p ON p.h = hash(s.day, s.acquirer_code, s.nmid, s.channel)"
    else:  # two cells share a hash: count on the exact keys
        payers = (
            f"LEFT JOIN ({CELL_PAYERS_EXACT_SQL}) p ON p.day = s.day AND p.acquirer_code = s.acquirer_code "
            "AND p.nmid = s.nmid AND p.channel = s.channel"
        )
    rows: list[RollupRow] = con.execute(
        "SELECT CAST(s.day AS VARCHAR), s.acquirer_code, s.nmid, s.channel, s.txn_count, "
        "CAST(s.value AS BIGINT), "
        f"CAST(coalesce(p.payers, 0) AS BIGINT), s.failed_count, s.reversed_count FROM cell_sums s {payers} "
        "ORDER BY s.day, s.acquirer_code, s.nmid, s.channel"
    ).fetchall()
    return rows


def _register_reversals(con: Any, settings: Settings) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE reversals AS SELECT DISTINCT acquirer_code, txn_id "
        f"FROM {scan_sql(list_files(settings, TRANSACTIONS))} WHERE status = 'reversed'"
    )


def _is_batch_file(path: str, batch_id: int) -> bool:
    return os.path.basename(path).startswith(f"b{int(batch_id)}_")


def compute_batch_rollups(
    settings: Settings, *, batch_id: int, months: Sequence[str]
) -> tuple[list[tuple[str, date]], list[RollupRow]]:
    """Recompute the rollup rows touched by ``batch_id`` (whose rows lie in ``months``) from the ledger.

    Returns ``(affected (acquirer_code, day) pairs, rows)``; see ``RollupRow`` for a row's fields.
    """
    files = list_files(settings, TRANSACTIONS, months)
    own = [f for f in files if _is_batch_file(f, batch_id)]
    con = connect(settings, memory_limit=f"{settings.ingest_memory_limit_mib}MB")
    try:
        con.execute(f"CREATE TEMP VIEW ledger AS SELECT * FROM {scan_sql(files)}")
        con.execute(f"CREATE TEMP VIEW batch_rows AS SELECT * FROM {scan_sql(own)}")
        _register_reversals(con, settings)
        con.execute(f"CREATE TEMP TABLE affected AS {AFFECTED_SQL}")
        con.execute(
            "CREATE TEMP TABLE batch_reversals AS SELECT acquirer_code, txn_id FROM batch_rows "
            "WHERE status = 'reversed'"
        )
        if con.execute("SELECT count(*) FROM batch_reversals").fetchone() != (0,):
            con.execute(f"INSERT INTO affected {REVERSED_DAYS_SQL} EXCEPT SELECT * FROM affected")
        if len(own) == len(files):  # fast path: no other batch has rows in these months
            con.execute("CREATE TEMP VIEW cells_input AS SELECT * FROM batch_rows")
        else:
            con.execute(
                "CREATE TEMP VIEW cells_input AS SELECT t.* FROM ledger t "
                "JOIN affected a ON a.acquirer_code = t.acquirer_code AND a.day = t.day"
            )
        pairs = [(str(a), d) for a, d in con.execute("SELECT * FROM affected ORDER BY 1, 2").fetchall()]
        rows = _fetch_cells(con)
    finally:
        con.close()
    return pairs, rows


def compute_all_rollups(settings: Settings) -> list[RollupRow]:
    """Every rollup row, recomputed from the whole ledger (``rebuild``)."""
    con = connect(settings, memory_limit=f"{settings.ingest_memory_limit_mib}MB")
    try:
        con.execute(
            f"CREATE TEMP VIEW cells_input AS SELECT * FROM {scan_sql(list_files(settings, TRANSACTIONS))}"
        )
        _register_reversals(con, settings)
        rows = _fetch_cells(con)
    finally:
        con.close()
    return rows


def count_distinct_payers(
    settings: Settings, *, months: Sequence[str], nmids: Sequence[str] | None = None
) -> int:
    """Exact number of distinct payers with an effective transaction in ``months`` (``YYYY-MM``),
    optionally only at ``nmids`` — the way to count unique payers across days, merchants or areas."""
    con = connect(settings, memory_limit="1GB")
    try:
        con.execute(
            f"CREATE TEMP VIEW ledger AS SELECT * FROM {scan_sql(list_files(settings, TRANSACTIONS, months))}"
        )
        _register_reversals(con, settings)
        where = ""
        if nmids is not None:
            import pyarrow as pa

            con.register("wanted", pa.table({"nmid": pa.array(list(nmids), type=pa.string())}))
            where = "AND t.nmid IN (SELECT nmid FROM wanted)"
        row = con.execute(
            "SELECT COUNT(DISTINCT t.payer) FROM ledger t LEFT JOIN reversals r "
            "ON r.acquirer_code = t.acquirer_code AND r.txn_id = t.txn_id "
            f"WHERE t.status = 'success' AND r.txn_id IS NULL {where}"
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0
