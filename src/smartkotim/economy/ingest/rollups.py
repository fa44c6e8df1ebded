"""Rollups merchant × day × channel × acquirer, derived from the ledger (the source of truth).

A batch touches some ``(acquirer_code, day)`` pairs: the WIB days of its new transactions and, for its
reversals, the days of the transactions they reverse. The rollup rows of exactly those pairs are
recomputed from the ledger and replace the old ones in the state database, in one transaction that
also marks the batch applied. Recomputing from the ledger makes the update idempotent (applying a
batch twice gives the same rows) and exact for distinct payers, which cannot be added up.

``CELL_SQL`` is plain ANSI SQL over two relations, ``ledger`` (the transactions of the affected months)
and ``reversals`` (every reversal key in the ledger), so the same text runs on DuckDB here and on
Spark SQL over the same Delta table at province scale. An effective transaction is a ``success`` row
whose ``(acquirer_code, txn_id)`` has no ``reversed`` row anywhere in the ledger.

Unique payers across days or areas must never be summed from ``payers``; count them from the ledger
with ``count_distinct_payers`` (exact, one DuckDB scan of the months asked for).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from smartkotim.config import Settings
from smartkotim.ledger import TRANSACTIONS, connect, list_files, scan_sql

CELL_SQL = """
SELECT t.day, t.acquirer_code, t.nmid, t.channel,
       SUM(CASE WHEN t.status = 'success' AND r.txn_id IS NULL THEN 1 ELSE 0 END) AS txn_count,
       SUM(CASE WHEN t.status = 'success' AND r.txn_id IS NULL THEN t.amount ELSE 0 END) AS value,
       COUNT(DISTINCT CASE WHEN t.status = 'success' AND r.txn_id IS NULL THEN t.payer END) AS payers,
       SUM(CASE WHEN t.status = 'failed' THEN 1 ELSE 0 END) AS failed_count,
       SUM(CASE WHEN t.status = 'success' AND r.txn_id IS NOT NULL THEN 1 ELSE 0 END) AS reversed_count
FROM ledger t
JOIN affected a ON a.acquirer_code = t.acquirer_code AND a.day = t.day
LEFT JOIN reversals r ON r.acquirer_code = t.acquirer_code AND r.txn_id = t.txn_id
WHERE t.status IN ('success', 'failed')
GROUP BY t.day, t.acquirer_code, t.nmid, t.channel
ORDER BY t.day, t.acquirer_code, t.nmid, t.channel
"""

AFFECTED_SQL = """
SELECT DISTINCT acquirer_code, day FROM ledger WHERE batch_id = {batch} AND status <> 'reversed'
"""
REVERSED_DAYS_SQL = """
SELECT DISTINCT o.acquirer_code, o.day FROM ledger o
JOIN batch_reversals v ON v.acquirer_code = o.acquirer_code AND v.txn_id = o.txn_id
WHERE o.status <> 'reversed'
"""

RollupRow = tuple[date, str, str, str, int, int, int, int, int]


def _register(con: Any, settings: Settings, months: Sequence[str] | None) -> None:
    files = list_files(settings, TRANSACTIONS, months)
    con.execute(f"CREATE OR REPLACE TEMP VIEW ledger AS SELECT * FROM {scan_sql(files)}")
    all_files = list_files(settings, TRANSACTIONS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE reversals AS SELECT DISTINCT acquirer_code, txn_id "
        f"FROM {scan_sql(all_files)} WHERE status = 'reversed'"
    )


def compute_batch_rollups(
    settings: Settings, *, batch_id: int, months: Sequence[str]
) -> tuple[list[tuple[str, date]], list[RollupRow]]:
    """Recompute the rollup rows touched by ``batch_id`` (whose rows lie in ``months``) from the ledger.

    Returns ``(affected (acquirer_code, day) pairs, rows)``; each row is
    ``(day, acquirer_code, nmid, channel, txn_count, value (rupiah), payers, failed_count, reversed_count)``.
    """
    con = connect(settings, memory_limit="1536MB")
    try:
        _register(con, settings, months)
        con.execute(f"CREATE TEMP TABLE affected AS {AFFECTED_SQL.format(batch=int(batch_id))}")
        con.execute(
            "CREATE TEMP TABLE batch_reversals AS SELECT acquirer_code, txn_id FROM ledger "
            f"WHERE batch_id = {int(batch_id)} AND status = 'reversed'"
        )
        if con.execute("SELECT count(*) FROM batch_reversals").fetchone() != (0,):
            con.execute(f"INSERT INTO affected {REVERSED_DAYS_SQL} EXCEPT SELECT * FROM affected")
        pairs = [(str(a), d) for a, d in con.execute("SELECT * FROM affected ORDER BY 1, 2").fetchall()]
        rows: list[RollupRow] = [tuple(r) for r in con.execute(CELL_SQL).fetchall()]
    finally:
        con.close()
    return pairs, rows


def compute_all_rollups(settings: Settings) -> list[RollupRow]:
    """Every rollup row, recomputed from the whole ledger (``rebuild``)."""
    con = connect(settings, memory_limit="1536MB")
    try:
        _register(con, settings, None)
        con.execute("CREATE TEMP TABLE affected AS SELECT DISTINCT acquirer_code, day FROM ledger")
        rows: list[RollupRow] = [tuple(r) for r in con.execute(CELL_SQL).fetchall()]
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
        _register(con, settings, months)
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
