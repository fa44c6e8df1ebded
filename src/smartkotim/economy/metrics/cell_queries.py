"""The production versions of ``flows``, ``merchant_days`` and ``reported``: from the rollup cells.

``cells(day, acquirer, nmid, txn_count, value, attempted)`` holds, per WIB day, acquirer and NMID, the
sums of the rollups (``txn_rollups``: ``txn_count`` and ``value`` of effective transactions,
``attempted`` = effective + failed + reversed successful ones). Everything additive and merchant
activity come from here; only ``pay`` (for unique payers and the median ticket) reads ledger rows.
Standard SQL; see ``ledger_queries.py`` for the relations and the shared steps.
"""

from __future__ import annotations

from smartkotim.economy.metrics.ledger_queries import CODE, LEVEL, SETS, activity_sql

CX_SQL = """
CREATE OR REPLACE TEMP TABLE cx AS
SELECT c.day, c.txn_count, c.value, c.attempted, m.merchant_id, m.desa_code, m.kecamatan_code,
       m.market_code
FROM cells AS c JOIN merchants AS m ON c.nmid = m.nmid
WHERE c.day >= $first AND c.day < $stop
"""

# Periods cover whole calendar months (within the data's days ``data_months``) and edge days. Sums and
# active weeks of a whole month are taken once per month (``cx_month``, ``merchant_month_weeks``), so a
# year is 12 month rows per merchant instead of 365 day rows; the edge days from the day rows. The same
# figures as day by day: sums add up, and a merchant's active ISO weeks are the distinct weeks of the
# union (``ledger_queries.ACTIVITY_SQL`` is the day-by-day reference).
PERIOD_MONTHS_SQL = """
CREATE OR REPLACE TEMP TABLE period_whole_months AS
SELECT p.period_id, d.month FROM periods AS p JOIN data_months AS d
    ON greatest(p.start, $lo) <= d.mlo AND d.mhi <= least(p."end", $hi)
"""

PERIOD_EDGE_DAYS_SQL = """
CREATE OR REPLACE TEMP TABLE period_edge_days AS
SELECT dp.day, dp.period_id FROM day_periods AS dp
WHERE NOT EXISTS (
    SELECT 1 FROM period_whole_months AS pm
    WHERE pm.period_id = dp.period_id AND pm.month = date_trunc('month', dp.day)::DATE
)
"""

CX_MONTH_SQL = """
CREATE OR REPLACE TEMP TABLE cx_month AS
SELECT date_trunc('month', day)::DATE AS month, merchant_id, desa_code, kecamatan_code, market_code,
       sum(txn_count) AS txn_count, sum(value) AS value, sum(attempted) AS attempted
FROM cx GROUP BY ALL
"""

FLOWS_SQL = f"""
CREATE OR REPLACE TEMP TABLE flows AS
SELECT period_id, {LEVEL} AS level, {CODE} AS code,
       sum(txn_count)::BIGINT AS transactions, sum(value)::BIGINT AS value,
       sum(attempted)::BIGINT AS attempted
FROM (
    SELECT pm.period_id, c.txn_count, c.value, c.attempted, c.desa_code, c.kecamatan_code, c.market_code
    FROM cx_month AS c JOIN period_whole_months AS pm USING (month)
    UNION ALL
    SELECT pe.period_id, c.txn_count, c.value, c.attempted, c.desa_code, c.kecamatan_code, c.market_code
    FROM cx AS c JOIN period_edge_days AS pe USING (day)
)
GROUP BY {SETS}
"""

MERCHANT_DAYS_SQL = """
CREATE OR REPLACE TEMP TABLE merchant_days AS
SELECT merchant_id, day FROM cx WHERE txn_count > 0 GROUP BY merchant_id, day;
CREATE OR REPLACE TEMP TABLE merchant_month_weeks AS
SELECT DISTINCT date_trunc('month', day)::DATE AS month, merchant_id, date_trunc('week', day) AS week
FROM merchant_days
"""

ACTIVITY_SQL = activity_sql("""
    SELECT period_id, merchant_id, count(DISTINCT week) AS active_weeks FROM (
        SELECT pm.period_id, w.merchant_id, w.week
        FROM merchant_month_weeks AS w JOIN period_whole_months AS pm USING (month)
        UNION ALL
        SELECT pe.period_id, md.merchant_id, date_trunc('week', md.day) AS week
        FROM merchant_days AS md JOIN period_edge_days AS pe USING (day)
    ) GROUP BY period_id, merchant_id
""")

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
