"""The production versions of ``flows``, ``merchant_days`` and ``reported``: from the rollup cells.

``cells(day, acquirer, nmid, txn_count, value, attempted)`` holds, per WIB day, acquirer and NMID, the
sums of the rollups (``txn_rollups``: ``txn_count`` and ``value`` of effective transactions,
``attempted`` = effective + failed + reversed successful ones). Everything additive and merchant
activity come from here; only ``pay`` (for unique payers and the median ticket) reads ledger rows.
Standard SQL; see ``ledger_queries.py`` for the relations and the shared steps.
"""

from __future__ import annotations

from smartkotim.economy.metrics.ledger_queries import CODE, LEVEL, SETS

CX_SQL = """
CREATE OR REPLACE TEMP TABLE cx AS
SELECT c.day, c.txn_count, c.value, c.attempted, m.merchant_id, m.desa_code, m.kecamatan_code,
       m.market_code
FROM cells AS c JOIN merchants AS m ON c.nmid = m.nmid
WHERE c.day >= $first AND c.day < $stop
"""

FLOWS_SQL = f"""
CREATE OR REPLACE TEMP TABLE flows AS
SELECT period_id, {LEVEL} AS level, {CODE} AS code,
       sum(txn_count)::BIGINT AS transactions, sum(value)::BIGINT AS value,
       sum(attempted)::BIGINT AS attempted
FROM cx JOIN day_periods USING (day)
GROUP BY {SETS}
"""

MERCHANT_DAYS_SQL = """
CREATE OR REPLACE TEMP TABLE merchant_days AS
SELECT merchant_id, day FROM cx WHERE txn_count > 0 GROUP BY merchant_id, day
"""

REPORTED_SQL = """
CREATE OR REPLACE TEMP TABLE reported AS
SELECT DISTINCT acquirer, date_trunc('month', day)::DATE AS month FROM cells
WHERE attempted > 0 AND day >= $first AND day < $stop
"""

# The ledger rows ``pay`` is made of (payer_queries.pay_sql): effective transactions of registered NMIDs
PAY_SOURCE = """(
SELECT t.day, t.amount, t.payer, m.desa_code, m.kecamatan_code, m.market_code
FROM txn AS t JOIN merchants AS m ON t.nmid = m.nmid
WHERE t.ok
)"""

EMPTY_CELLS_SQL = """
SELECT NULL::DATE AS day, NULL::VARCHAR AS acquirer, NULL::VARCHAR AS nmid, NULL::BIGINT AS txn_count,
       NULL::BIGINT AS value, NULL::BIGINT AS attempted
WHERE false
"""

BANK_MIX_SQL = """
SELECT c.acquirer, sum(c.txn_count)::BIGINT AS transactions, sum(c.value)::BIGINT AS value
FROM cells AS c JOIN area_nmids AS a ON a.nmid = c.nmid
WHERE c.day >= $start AND c.day < $stop AND c.txn_count > 0
GROUP BY c.acquirer
ORDER BY transactions DESC, c.acquirer
"""
