"""The metric definitions as DuckDB SQL: the shared steps and the row-level (ledger) versions.

Relations registered on the connection (see ``compute.py``):

- ``txn(nmid, day DATE, amount BIGINT, payer, ok BOOLEAN, attempted BOOLEAN, acquirer)``: ledger rows
  on their WIB day; ``ok`` = successful and not reversed, ``attempted`` = successful or failed;
- ``cells(day, acquirer, nmid, txn_count, value, attempted)``: rollup sums (``cell_queries.py``);
- ``merchants(merchant_id, nmid, desa_code, kecamatan_code, market_code, registered, onboarded_on,
  acquirer)``: the register (merged records left out);
- ``periods(period_id, kind, start, "end", habitual_weeks)`` and ``day_periods(day, period_id)``: the
  periods to compute and, for every day they cover, the periods that contain it;
- ``period_months(period_id, month)``: the calendar months each period overlaps;
- ``areas(level, code, parent_code, adults)``: regions and markets.

Each step fills one temp table, grouped by period and the four area levels at once (``GROUPING
SETS``): ``flows`` (transactions, value, attempts), ``merchant_days`` → ``activity``, ``register``,
``reported`` → ``reporting``; ``payers`` in ``payer_queries.py``. ``flows``, ``merchant_days`` and
``reported`` come either from the ledger rows (here: the reference, "straight from the ledger") or from
the rollup cells (``cell_queries.py``: the production path); the parity test checks that both agree.
Only standard SQL aggregates plus ``quantile_disc``, so the text runs on Spark SQL too.
"""

from __future__ import annotations

# GROUPING(kecamatan_code, desa_code, market_code): bit set = column aggregated away
LEVEL = """CASE GROUPING(kecamatan_code, desa_code, market_code)
    WHEN 7 THEN 'kabupaten' WHEN 3 THEN 'kecamatan' WHEN 5 THEN 'desa' ELSE 'market' END"""
CODE = """CASE GROUPING(kecamatan_code, desa_code, market_code)
    WHEN 7 THEN $regency WHEN 3 THEN kecamatan_code WHEN 5 THEN desa_code ELSE market_code END"""
SETS = """GROUPING SETS ((period_id), (period_id, kecamatan_code), (period_id, desa_code),
    (period_id, market_code))"""

# --- row level (the reference: straight from the ledger) ---------------------------------------

TX_SQL = """
CREATE OR REPLACE TEMP TABLE tx AS
SELECT t.day, t.amount, t.payer, t.ok, t.attempted, t.acquirer, m.merchant_id, m.desa_code,
       m.kecamatan_code, m.market_code
FROM txn AS t JOIN merchants AS m ON t.nmid = m.nmid
WHERE t.day >= $first AND t.day < $stop
"""

FLOWS_SQL = f"""
CREATE OR REPLACE TEMP TABLE flows AS
SELECT period_id, {LEVEL} AS level, {CODE} AS code,
       count(*) FILTER (WHERE ok) AS transactions,
       coalesce(sum(amount) FILTER (WHERE ok), 0) AS value,
       count(*) FILTER (WHERE attempted) AS attempted
FROM tx JOIN day_periods USING (day)
GROUP BY {SETS}
"""

MERCHANT_DAYS_SQL = """
CREATE OR REPLACE TEMP TABLE merchant_days AS
SELECT merchant_id, day FROM tx WHERE ok GROUP BY merchant_id, day
"""

REPORTED_SQL = """
CREATE OR REPLACE TEMP TABLE reported AS
SELECT DISTINCT acquirer, date_trunc('month', day)::DATE AS month FROM txn
WHERE attempted AND day >= $first AND day < $stop
"""

# ``pay``: payer_queries.pay_sql("tx", "ok")

# --- shared steps --------------------------------------------------------------------------------


def activity_sql(merchant_periods: str) -> str:
    """``CREATE TEMP TABLE activity(period_id, level, code, merchants_active, habitual_count)`` from
    ``merchant_periods``, a query of ``(period_id, merchant_id, active_weeks)``: the merchants with any
    active week, and those with at least the period's ``habitual_weeks``."""
    return f"""
CREATE OR REPLACE TEMP TABLE activity AS
WITH merchant_periods AS ({merchant_periods})
SELECT mp.period_id, {LEVEL} AS level, {CODE} AS code,
       count(*) AS merchants_active,
       count(*) FILTER (WHERE mp.active_weeks >= p.habitual_weeks) AS habitual_count
FROM merchant_periods AS mp
JOIN merchants AS m USING (merchant_id)
JOIN periods AS p USING (period_id)
GROUP BY {SETS}
"""


# day by day (the reference)
ACTIVITY_SQL = activity_sql("""
    SELECT dp.period_id, md.merchant_id,
           count(DISTINCT date_trunc('week', md.day)) AS active_weeks
    FROM merchant_days AS md JOIN day_periods AS dp USING (day)
    GROUP BY dp.period_id, md.merchant_id
""")

REGISTER_SQL = f"""
CREATE OR REPLACE TEMP TABLE register AS
SELECT period_id, {LEVEL} AS level, {CODE} AS code,
       count(*) AS traders_known,
       count(*) FILTER (WHERE registered AND (onboarded_on IS NULL OR onboarded_on < p."end"))
           AS merchants_registered,
       list(DISTINCT acquirer) FILTER (
           WHERE registered AND acquirer IS NOT NULL AND (onboarded_on IS NULL OR onboarded_on < p."end")
       ) AS acquirers
FROM merchants AS m CROSS JOIN periods AS p
GROUP BY {SETS}
"""

REPORTING_SQL = """
CREATE OR REPLACE TEMP TABLE reporting AS
WITH expected AS (
    SELECT r.period_id, r.level, r.code, unnest(r.acquirers) AS acquirer FROM register AS r
)
SELECT e.period_id, e.level, e.code, count(*) AS reporting_expected,
       count(rep.acquirer) AS reporting_received
FROM expected AS e
JOIN period_months AS pm USING (period_id)
LEFT JOIN reported AS rep ON rep.acquirer = e.acquirer AND rep.month = pm.month
GROUP BY e.period_id, e.level, e.code
"""

# Periods whose kabupaten has at most $max_exact transactions get exact distinct payers; the others a
# HyperLogLog estimate (docs/metrics.md).
EXACT_PERIODS_SQL = """
CREATE OR REPLACE TEMP TABLE exact_periods AS
SELECT p.period_id FROM periods AS p
LEFT JOIN flows AS f ON f.period_id = p.period_id AND f.level = 'kabupaten'
WHERE coalesce(f.transactions, 0) <= $max_exact
"""

# (level, code expression, grouping column) of the four area levels, for one plain GROUP BY per level
# (DuckDB counts distinct values much faster that way than under GROUPING SETS); see payer_queries.py.
LEVEL_COLUMNS = (
    ("kabupaten", "$regency", None),
    ("kecamatan", "kecamatan_code", "kecamatan_code"),
    ("desa", "desa_code", "desa_code"),
    ("market", "market_code", "market_code"),
)


RESULT_SQL = """
WITH keys AS (
    SELECT period_id, level, code FROM register WHERE code IS NOT NULL
    UNION SELECT period_id, level, code FROM flows WHERE code IS NOT NULL
)
SELECT k.level, k.code AS area_code, a.parent_code, k.period_id, p.kind AS period_kind,
       p.start AS period_start, p."end" AS period_end,
       coalesce(r.traders_known, 0) AS traders_known,
       coalesce(r.merchants_registered, 0) AS merchants_registered,
       coalesce(ac.merchants_active, 0) AS merchants_active,
       CASE WHEN p.habitual_weeks IS NULL THEN NULL ELSE coalesce(ac.habitual_count, 0) END
           AS merchants_habitual,
       coalesce(f.transactions, 0)::BIGINT AS transactions, coalesce(f.value, 0)::BIGINT AS value,
       coalesce(py.unique_payers, 0) AS unique_payers, py.median_ticket::BIGINT AS median_ticket,
       coalesce(f.attempted, 0)::BIGINT AS attempted, a.adults,
       coalesce(rp.reporting_expected, 0) AS reporting_expected,
       coalesce(rp.reporting_received, 0) AS reporting_received
FROM keys AS k
JOIN periods AS p ON p.period_id = k.period_id
LEFT JOIN areas AS a ON a.level = k.level AND a.code = k.code
LEFT JOIN register AS r ON r.period_id = k.period_id AND r.level = k.level AND r.code = k.code
LEFT JOIN flows AS f ON f.period_id = k.period_id AND f.level = k.level AND f.code = k.code
LEFT JOIN payers AS py ON py.period_id = k.period_id AND py.level = k.level AND py.code = k.code
LEFT JOIN activity AS ac ON ac.period_id = k.period_id AND ac.level = k.level AND ac.code = k.code
LEFT JOIN reporting AS rp ON rp.period_id = k.period_id AND rp.level = k.level AND rp.code = k.code
ORDER BY k.period_id, k.level, k.code
"""

DATA_RANGE_SQL = "SELECT min(day), max(day) FROM txn"

EMPTY_TXN_SQL = """
SELECT NULL::VARCHAR AS nmid, NULL::DATE AS day, NULL::BIGINT AS amount, NULL::VARCHAR AS payer,
       NULL::BOOLEAN AS ok, NULL::BOOLEAN AS attempted, NULL::VARCHAR AS acquirer
WHERE false
"""
