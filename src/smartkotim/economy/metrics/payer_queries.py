"""Unique payers and the median ticket as DuckDB SQL: exact for small windows, mergeable partials for
the rest.

Unique payers cannot be summed over areas or periods, and the median cannot be averaged. Both are
therefore computed per *window* (a period clipped to the data's day range) from one of:

- **raw rows** (``pay``): ``count(DISTINCT payer)`` and ``quantile_disc(amount, 0.5)`` for windows of
  ``exact_periods``; for the other windows, the rows of their *edge days* (days in a month the window
  does not cover whole, e.g. the days of an ISO week or of ``L30D``);
- **month partials** for the months a large window covers whole: per calendar month, level and area,
  a HyperLogLog register set (the largest rank per bucket) and the amount counts (how many ``ok``
  transactions of each amount). Registers merge by ``max`` and counts by ``sum``, so a year is 12
  small merges instead of a year of ledger rows. The partials of months no batch touched are kept in
  files (``partials.py``); a batch re-reads only its own months.

The HyperLogLog is the one of Flajolet, Fusy, Gandouet and Meunier (2007, "HyperLogLog: the analysis of
a near-optimal cardinality estimation algorithm") with ``2**HLL_PRECISION`` buckets over DuckDB's 64-bit
``hash`` of the payer pseudonym (bucket = the top ``HLL_PRECISION`` bits, rank = 1 + the trailing zeros
of the other bits), linear counting below 2.5 × the bucket count and no large-range correction (64-bit
hash; Heule, Nunkesser and Hall 2013). Relative standard error ≈ 1.04 / √buckets. The median is
exact: the lower median (the ⌈n/2⌉-th smallest amount, ``quantile_disc``'s choice) from the merged
counts.

The reference (everything from the ledger rows) and the production path run the same SQL, the reference
without partials; registers and counts of a window are the same however its days are split, so the two
give the same figures. Standard SQL apart from ``hash``, ``bit_count`` and ``xor`` (Spark SQL has
``xxhash64``, ``bit_count`` and ``^``).
"""

from __future__ import annotations

import math

from smartkotim.economy.metrics.ledger_queries import LEVEL_COLUMNS

HLL_PRECISION = 12
HLL_BUCKETS = 1 << HLL_PRECISION
# Relative standard error 1.04 / sqrt(m) (Flajolet et al. 2007), per cent, rounded up: 1.63 for m = 4096
HLL_RSE_PCT = math.ceil(10400 / math.sqrt(HLL_BUCKETS)) / 100

_RANK_BITS = 64 - HLL_PRECISION
# ``h`` is the payer's 64-bit hash; a sentinel bit above the rank bits bounds the rank at _RANK_BITS + 1
BUCKET_SQL = f"(h >> {_RANK_BITS})::SMALLINT"
_RANKED = f"((h & {(1 << _RANK_BITS) - 1}::UBIGINT) | {1 << _RANK_BITS}::UBIGINT)"
RHO_SQL = f"bit_count(xor({_RANKED}, {_RANKED} - 1))::TINYINT"


def pay_sql(source: str, where: str) -> str:
    """``CREATE TEMP TABLE pay(day, month, amount, payer, bucket, rho, desa_code, kecamatan_code,
    market_code)`` from ``source`` (a ``FROM`` clause whose rows have those columns but month, bucket and
    rho) filtered by ``where``."""
    return f"""
CREATE OR REPLACE TEMP TABLE pay AS
SELECT day, date_trunc('month', day)::DATE AS month, amount, payer, {BUCKET_SQL} AS bucket,
       {RHO_SQL} AS rho, desa_code, kecamatan_code, market_code
FROM (SELECT *, hash(payer) AS h FROM {source} WHERE {where})
"""


# The data's day range [lo, hi) — windows are clipped to it — and the calendar months in it, clipped.
DATA_MONTHS_SQL = """
CREATE OR REPLACE TEMP TABLE data_months AS
SELECT m::DATE AS month, greatest(m::DATE, $lo) AS mlo,
       least((m + INTERVAL 1 MONTH)::DATE, $hi) AS mhi
FROM generate_series(date_trunc('month', $lo::DATE), $hi::DATE - INTERVAL 1 DAY, INTERVAL 1 MONTH) AS g(m)
WHERE $lo < $hi
"""

WINDOWS_SQL = """
CREATE OR REPLACE TEMP TABLE windows AS
SELECT p.period_id, greatest(p.start, $lo) AS ws, least(p."end", $hi) AS we,
       p.period_id IN (SELECT period_id FROM exact_periods) AS exact
FROM periods AS p
"""

WINDOW_KEYS_SQL = """
CREATE OR REPLACE TEMP TABLE window_keys AS
SELECT row_number() OVER (ORDER BY ws, we, exact) AS wid, ws, we, exact
FROM (SELECT DISTINCT ws, we, exact FROM windows WHERE ws < we)
"""

# The months an estimated window covers whole (within the data range): read from month partials.
WINDOW_MONTHS_SQL = """
CREATE OR REPLACE TEMP TABLE window_months AS
SELECT k.wid, d.month FROM window_keys AS k JOIN data_months AS d
    ON $use_partials AND NOT k.exact AND k.ws <= d.mlo AND d.mhi <= k.we
"""

# The days each window reads as raw rows: every day of an exact window, the edge days of the others.
RAW_DAYS_SQL = """
CREATE OR REPLACE TEMP TABLE raw_days AS
SELECT wid, exact, day FROM (
    SELECT wid, exact,
           unnest(generate_series(ws::TIMESTAMP, we::TIMESTAMP - INTERVAL 1 DAY, INTERVAL 1 DAY))::DATE AS day
    FROM window_keys
) AS d
WHERE NOT EXISTS (
    SELECT 1 FROM window_months AS wm WHERE wm.wid = d.wid AND wm.month = date_trunc('month', d.day)::DATE
)
"""

# Months whose partials are needed but not handed in fresh: rebuilt from raw rows (all their days).
REBUILD_MONTHS_SQL = """
CREATE OR REPLACE TEMP TABLE rebuild_months AS
SELECT DISTINCT wm.month FROM window_months AS wm
WHERE wm.month NOT IN (SELECT month FROM fresh_months)
"""

NEEDED_DAYS_SQL = """
CREATE OR REPLACE TEMP TABLE needed_days AS
SELECT DISTINCT day FROM raw_days
UNION
SELECT unnest(generate_series(d.mlo::TIMESTAMP, d.mhi::TIMESTAMP - INTERVAL 1 DAY, INTERVAL 1 DAY))::DATE
FROM data_months AS d JOIN rebuild_months USING (month)
"""

NEEDED_MONTHS_SQL = "SELECT DISTINCT strftime(day, '%Y-%m') AS m FROM needed_days ORDER BY m"


def _per_level(select: str, where: str, group: str) -> str:
    """``select`` (with ``{level}`` and ``{code}``) once per area level, as ``UNION ALL``."""
    parts = []
    for level, code, column in LEVEL_COLUMNS:
        condition = " AND ".join(c for c in (where, f"{column} IS NOT NULL" if column else "") if c)
        groups = ", ".join(g for g in (group, column or "") if g)
        parts.append(
            select.format(level=f"'{level}'", code=code)
            + (f" WHERE {condition}" if condition else "")
            + f" GROUP BY {groups}"
        )
    return "\nUNION ALL ".join(parts)


def rebuilt_partials_sql() -> tuple[str, str]:
    """``CREATE TEMP TABLE rebuilt_registers(month, level, code, bucket, rho)`` and
    ``rebuilt_amounts(month, level, code, amount, n)``: the partials of ``rebuild_months`` from ``pay``."""
    where = "month IN (SELECT month FROM rebuild_months)"
    registers = _per_level(
        "SELECT month, {level} AS level, {code} AS code, bucket, max(rho) AS rho FROM pay",
        where,
        "month, bucket",
    )
    amounts = _per_level(
        "SELECT month, {level} AS level, {code} AS code, amount, count(*) AS n FROM pay",
        where,
        "month, amount",
    )
    return (
        f"CREATE OR REPLACE TEMP TABLE rebuilt_registers AS\n{registers}",
        f"CREATE OR REPLACE TEMP TABLE rebuilt_amounts AS\n{amounts}",
    )


# The month partials a run uses, restricted to the months some window covers whole: the rebuilt
# registers (the fresh ones go straight to the dense merge in ``hll.py``), the rebuilt and the fresh
# amount counts (``fresh_amounts``).
MONTH_PARTIALS_SQL = """
CREATE OR REPLACE TEMP TABLE month_registers AS
SELECT month, level, code, bucket, rho FROM rebuilt_registers
WHERE month IN (SELECT month FROM window_months);
CREATE OR REPLACE TEMP VIEW month_amounts AS
SELECT month, level, code, amount, n FROM rebuilt_amounts
UNION ALL SELECT month, level, code, amount, n FROM fresh_amounts
WHERE month IN (SELECT month FROM window_months) AND month NOT IN (SELECT month FROM rebuild_months)
"""


# Integer ids of the areas (for the dense merge in ``hll.py``): the register's areas (``areas``: every
# region of the regency and every market; month partials are keyed by the register, see partials.py)
# and whatever else the edge registers name, rather than a scan of every month's registers.
AREA_IDS_SQL = """
CREATE OR REPLACE TEMP TABLE area_ids AS
SELECT (row_number() OVER (ORDER BY level, code) - 1)::INTEGER AS aid, level, code FROM (
    SELECT level, code FROM areas UNION SELECT DISTINCT level, code FROM edge_registers
    UNION SELECT level, code FROM fresh_areas
)
"""


def edge_registers_sql() -> str:
    """``CREATE TEMP TABLE edge_registers(wid, level, code, bucket, rho)``: the registers of the
    estimated windows' edge days, from ``pay``."""
    edge = "pay JOIN (SELECT wid, day FROM raw_days WHERE NOT exact) USING (day)"
    registers = _per_level(
        f"SELECT wid, {{level}} AS level, {{code}} AS code, bucket, max(rho) AS rho FROM {edge}",
        "",
        "wid, bucket",
    )
    return f"CREATE OR REPLACE TEMP TABLE edge_registers AS\n{registers}"


def payers_sql() -> list[str]:
    """The statements that fill ``payers(period_id, level, code, unique_payers, median_ticket)`` from
    ``pay``, ``raw_days``, ``window_months``, the month amounts ``month_amounts`` and ``estimated(wid,
    aid, unique_payers)`` (``hll.py``). Medians come from ``quantile_disc`` over raw rows for windows that
    cover no month whole (days, ISO weeks, …), from the merged amount counts for the others."""
    exact = _per_level(
        "SELECT wid, {level} AS level, {code} AS code, count(DISTINCT payer) AS unique_payers, "
        "quantile_disc(amount, 0.5) AS median_ticket FROM pay JOIN (SELECT wid, day FROM raw_days "
        "WHERE exact) USING (day)",
        "",
        "wid",
    )
    merged = "wid IN (SELECT wid FROM window_months)"
    edge_medians = _per_level(
        "SELECT wid, {level} AS level, {code} AS code, quantile_disc(amount, 0.5) AS median_ticket "
        f"FROM pay JOIN (SELECT wid, day FROM raw_days WHERE NOT exact AND NOT {merged}) USING (day)",
        "",
        "wid",
    )
    edge_amounts = _per_level(
        "SELECT wid, {level} AS level, {code} AS code, amount, count(*) AS n "
        f"FROM pay JOIN (SELECT wid, day FROM raw_days WHERE NOT exact AND {merged}) USING (day)",
        "",
        "wid, amount",
    )
    return [
        f"""CREATE OR REPLACE TEMP TABLE window_amounts AS
SELECT wid, level, code, amount, sum(n) AS n FROM (
    SELECT wm.wid, a.level, a.code, a.amount, a.n
    FROM month_amounts AS a JOIN window_months AS wm USING (month)
    UNION ALL {edge_amounts}
) GROUP BY wid, level, code, amount""",
        f"""CREATE OR REPLACE TEMP TABLE exact_payers AS
{exact}""",
        f"""CREATE OR REPLACE TEMP TABLE window_medians AS
SELECT wid, level, code, min(amount) FILTER (WHERE 2 * cum >= total) AS median_ticket
FROM (
    SELECT wid, level, code, amount,
           sum(n) OVER (PARTITION BY wid, level, code ORDER BY amount) AS cum,
           sum(n) OVER (PARTITION BY wid, level, code) AS total
    FROM window_amounts
) GROUP BY wid, level, code
UNION ALL {edge_medians}""",
        """CREATE OR REPLACE TEMP TABLE payers AS
WITH by_window AS (
    SELECT wid, level, code, unique_payers, median_ticket FROM exact_payers
    UNION ALL SELECT e.wid, a.level, a.code, e.unique_payers, md.median_ticket
    FROM estimated AS e JOIN area_ids AS a USING (aid) JOIN window_medians AS md
        ON md.wid = e.wid AND md.level = a.level AND md.code = a.code
)
SELECT w.period_id, b.level, b.code, b.unique_payers, b.median_ticket
FROM windows AS w
JOIN window_keys AS k ON k.ws = w.ws AND k.we = w.we AND k.exact = w.exact
JOIN by_window AS b ON b.wid = k.wid""",
    ]
