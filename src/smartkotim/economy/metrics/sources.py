"""Where the computation reads transactions from.

Two inputs (``docs/metrics.md`` "Sources"):

- **cells** — merchant × WIB day × acquirer sums from the rollups (``txn_rollups`` in the state
  database, through the month extract in ``cells.py``): every additive figure and merchant activity;
- **payments** — the ledger's effective transactions row by row (Delta Lake, ``smartkotim.ledger``):
  only for unique payers and the median ticket, which cannot be derived from sums.

``TXN_SOURCES`` is a plain registry of row-level transaction sources: ``"ledger"`` (the source of
truth) and whatever a test registers. A source gets the settings, a DuckDB connection and the months
(``YYYY-MM``) needed (``None`` = all) and returns a relation with the columns ``compute.TXN_COLUMNS``,
or ``None`` when there are no transactions yet.

Reversals (as the ingest stores them): a reversal is a ledger row with status ``reversed`` and the
``(acquirer_code, txn_id)`` of the transaction it cancels, filed in that transaction's month. A
``success`` row counts (``ok``) unless a reversal of its key exists **anywhere** in the ledger — the
same rule as the rollups (``economy.ingest.rollups``). Reversal rows themselves are not attempts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import duckdb

from smartkotim import ledger
from smartkotim.config import Settings

TxnSource = Callable[[Settings, duckdb.DuckDBPyConnection, Collection[str] | None], Any]

LEDGER_VIEW_SQL = """
SELECT r.nmid, r.day, r.amount, r.payer,
       r.status = 'success' AND x.txn_id IS NULL AS ok,
       r.status IN ('success', 'failed') AS attempted,
       r.acquirer_code AS acquirer
FROM {scan} AS r
LEFT JOIN (SELECT DISTINCT acquirer_code, txn_id FROM {all_scan} WHERE status = 'reversed') AS x
    ON x.acquirer_code = r.acquirer_code AND x.txn_id = r.txn_id
"""


def ledger_transactions(
    settings: Settings, con: duckdb.DuckDBPyConnection, months: Collection[str] | None
) -> Any:
    """The ledger's rows (of ``months`` only, when given) as a DuckDB relation with ``TXN_COLUMNS``;
    ``None`` when the ledger has no data files. ``day`` is the WIB date the ingest stored with each row;
    reversals are looked up in the whole ledger (a reversal may arrive months later)."""
    files = ledger.list_files(settings, ledger.TRANSACTIONS, months)
    if not files:
        return None
    every = files if months is None else ledger.list_files(settings, ledger.TRANSACTIONS)
    return con.sql(LEDGER_VIEW_SQL.format(scan=ledger.scan_sql(files), all_scan=ledger.scan_sql(every)))


TXN_SOURCES: dict[str, TxnSource] = {"ledger": ledger_transactions}
