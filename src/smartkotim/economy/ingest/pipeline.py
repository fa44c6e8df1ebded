"""The ingest pipeline on DuckDB after pass A (``kept.write_kept``): counts, errors, quarantine,
dedupe and the ledger write. All row work is set-based SQL; no row becomes a Python object.

Every step reads only the typed columns it needs from the kept upload (Parquet, column pruning and
row-group statistics make that cheap), so nothing of the size of the file is held in memory:

1. ``count_rows``: read / rejected / quarantined from ``__sk_mask``;
2. ``collect_errors``: the failing rows' bits unpivoted into ``(row, column, raw value, rule)``;
3. ``write_quarantine``: valid rows of unknown NMIDs appended to the quarantine table;
4. ``write_new_rows``: valid rows of known NMIDs, minus repeats inside the file (found by a hash
   group-by over the keys, confirmed exactly on the few candidates) and minus keys already in the
   ledger (an anti-join reading only the key columns of the affected and neighbouring months),
   written straight into the ledger folder by one ``COPY … PARTITION_BY (month)``; the caller
   publishes them in one Delta commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from smartkotim.config import Settings
from smartkotim.economy.ingest.kept import typed_source, upload_view
from smartkotim.economy.ingest.parsing import ident
from smartkotim.economy.ingest.validation import QUARANTINE_RULE, Rule
from smartkotim.ledger import (
    QUARANTINE,
    TRANSACTIONS,
    WIB,
    copy_partitioned,
    list_files,
    scan_sql,
    sql_literal,
)

KEY_JOIN = "{a}.txn_id = {b}.txn_id AND {a}.is_reversal = {b}.is_reversal"


@dataclass(slots=True)
class PipelineCounts:
    """Row counts of one run: ``read = rejected + quarantined + duplicate + accepted``."""

    read: int = 0
    rejected: int = 0
    quarantined: int = 0
    duplicate: int = 0
    accepted: int = 0
    value_accepted: int = 0
    error_count: int = 0
    months: list[str] = field(default_factory=list)


def register_known(con: Any, nmids: set[str]) -> None:
    """Load the register's NMIDs into the temporary table ``known``."""
    con.execute("CREATE OR REPLACE TEMP TABLE known (nmid VARCHAR PRIMARY KEY)")
    if nmids:
        import pyarrow as pa

        con.register("known_arrow", pa.table({"nmid": pa.array(sorted(nmids), type=pa.string())}))
        con.execute("INSERT INTO known SELECT nmid FROM known_arrow")
        con.unregister("known_arrow")


def register_types(con: Any, bank_code: str, *, with_known: bool) -> None:
    """ENUM types for the low-cardinality columns: ``sk_channel``, ``sk_status``, ``sk_bank`` and, with
    ``with_known``, ``sk_known`` (the register's NMIDs, from the table ``known``).

    DuckDB writes an ENUM column to Parquet as an ordinary dictionary-encoded UTF8 string (readers see a
    string) without building the dictionary row by row, several times faster than a VARCHAR column.
    """
    from smartkotim.economy.ingest.profiles import CANONICAL_CHANNELS, CANONICAL_STATUSES

    types = {
        "sk_channel": ", ".join(sql_literal(c) for c in CANONICAL_CHANNELS),
        "sk_status": ", ".join(sql_literal(c) for c in CANONICAL_STATUSES),
        "sk_bank": sql_literal(bank_code),
    }
    if with_known:
        types["sk_known"] = "SELECT nmid FROM known ORDER BY nmid"
    for name, values in types.items():
        con.execute(f"DROP TYPE IF EXISTS {name}")
        con.execute(f"CREATE TYPE {name} AS ENUM ({values})")


def day_sql(ts: str, *, fixed_wib: bool) -> str:
    """The WIB calendar date of the TIMESTAMPTZ ``ts``.

    WIB has been UTC+7 without daylight saving since 1964, so for timestamps after 1970 integer
    arithmetic on the epoch gives the same date as the time-zone database, ~10× faster.
    """
    if fixed_wib:
        days = f"CAST((epoch_us({ts}) + 25200000000) // 86400000000 AS INTEGER)"  # µs: 7 h and 1 day
        return f"CAST(DATE '1970-01-01' + {days} AS DATE)"
    return f"CAST(timezone('{WIB}', {ts}) AS DATE)"


def define_candidates(
    con: Any,
    kept: Path,
    *,
    bank_code: str,
    row_offset: int,
    mask: int,
    name: str,
    fixed_wib: bool,
    typed: list[str] | None = None,
) -> None:
    """The view ``name`` over the kept upload's rows whose mask is ``mask``, in canonical columns: ``r,
    row_no, acquirer_code, txn_id, ts, day, nmid, amount, channel, status, payer, issuer, mcc, is_reversal``
    (``typed``: the typed columns the kept upload stores, from its spec)."""
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {name} AS
        SELECT r, r + {int(row_offset)} AS row_no, {sql_literal(bank_code)} AS acquirer_code,
            __sk_txn AS txn_id, __sk_ts AS ts,
            {day_sql("__sk_ts", fixed_wib=fixed_wib)} AS day, __sk_nmid AS nmid, abs(__sk_amount) AS amount,
            __sk_channel AS channel, __sk_status AS status, __sk_payer AS payer, __sk_issuer AS issuer,
            __sk_mcc AS mcc, __sk_status = 'reversed' AS is_reversal
        FROM {typed_source(kept, typed)} WHERE __sk_mask = {int(mask)}"""
    )


def count_rows(con: Any, kept: Path, quarantine_bit: int) -> tuple[int, int, int]:
    """``(read, rejected, quarantined)`` of a kept upload (reads only its mask column)."""
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE __sk_mask <> 0 AND __sk_mask <> {quarantine_bit}), "
        f"count(*) FILTER (WHERE __sk_mask = {quarantine_bit}) FROM {typed_source(kept)}"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What the ledger write needs to know about its candidate rows, from **one** scan: the first and last
    day, the months (first days) present and whether any row is a reversal."""

    first: date | None
    last: date | None
    months: tuple[date, ...]
    has_reversals: bool


def source_facts(con: Any, source: str) -> SourceFacts:
    """``SourceFacts`` of the rows of ``source`` (a candidates view), in one aggregate over it."""
    row = con.execute(
        "SELECT min(day), max(day), list(DISTINCT date_trunc('month', day)), bool_or(is_reversal) "
        f"FROM {source}"
    ).fetchone()
    first, last, months, reversals = row if row is not None else (None, None, None, None)
    found = tuple(sorted(m for m in (months or []) if m is not None))
    return SourceFacts(first, last, found, bool(reversals))


def month_sql(first: date | None, last: date | None, day: str = "c.day") -> str:
    """SQL of the ``YYYY-MM`` partition value of ``day`` for rows whose days lie in ``[first, last]``: a
    range ``CASE`` over the months between them (several times cheaper than ``strftime`` per row), or
    ``strftime`` when they span more than two years."""
    if first is None or last is None or (last.year - first.year) * 12 + last.month - first.month > 24:
        return f"strftime({day}, '%Y-%m')"
    whens, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = (year + month // 12, month % 12 + 1)
        whens.append(
            f"WHEN {day} < DATE '{following[0]:04d}-{following[1]:02d}-01' THEN '{year:04d}-{month:02d}'"
        )
        year, month = following
    return f"CASE WHEN {day} < DATE '{first.year:04d}-{first.month:02d}-01' THEN NULL {' '.join(whens)} END"


def collect_errors(
    con: Any, kept: Path, rule_list: list[Rule], columns: dict[str, str], *, limit: int, row_offset: int
) -> list[tuple[Any, ...]]:
    """The first ``limit`` errors as ``(row_no, column, raw value, rule)`` sorted by row, and no more.

    The raw value of the payer column is never returned (``NULL``): only its pseudonym was kept.
    """
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE bad AS SELECT r, r + {int(row_offset)} AS row_no, __sk_mask AS mask "
        f"FROM {typed_source(kept)} WHERE __sk_mask <> 0 ORDER BY r LIMIT {int(limit)}"
    )
    upload_view(con, kept, "bad_upload", where="__sk_mask <> 0")
    parts = []
    for rule in rule_list:
        column = columns.get(rule.field, rule.field)
        raw = "NULL" if rule.field == "payer_id" or rule.field not in columns else f"u.{ident(column)}"
        parts.append(
            f"SELECT c.row_no, {sql_literal(column)} AS col, CAST({raw} AS VARCHAR) AS raw, "
            f"{sql_literal(rule.key)} AS rule FROM bad c JOIN bad_upload u ON u.__r = c.r "
            f"WHERE c.mask & {rule.bit} <> 0"
        )
    rows: list[tuple[Any, ...]] = con.execute(
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY row_no, rule LIMIT {int(limit)}"
    ).fetchall()
    return rows


def count_errors(con: Any, kept: Path, rule_list: list[Rule]) -> int:
    """Total number of (row, rule) errors, including quarantined rows' ``unknown_nmid``."""
    terms = " + ".join(f"count(*) FILTER (WHERE __sk_mask & {r.bit} <> 0)" for r in rule_list)
    row = con.execute(f"SELECT {terms} FROM {typed_source(kept)} WHERE __sk_mask <> 0").fetchone()
    return int(row[0] or 0) if row else 0


def _ledger_select(from_sql: str, batch_id: int, month: str, *, known_nmids: bool) -> str:
    """Ledger columns (``LEDGER_COLUMNS``) over ``from_sql``, whose candidate rows are aliased ``c``;
    low-cardinality columns as the ENUMs of ``register_types`` (``sk_known`` when ``known_nmids``)."""
    nmid = "CAST(c.nmid AS sk_known)" if known_nmids else "c.nmid"
    return (
        f"SELECT CAST(c.acquirer_code AS sk_bank) AS acquirer_code, c.txn_id, c.ts, c.day, {nmid} AS nmid, "
        "c.amount, CAST(c.channel AS sk_channel) AS channel, CAST(c.status AS sk_status) AS status, c.payer, "
        f"c.issuer, c.mcc, {int(batch_id)} AS batch_id, c.row_no, {month} AS month FROM {from_sql}"
    )


def write_quarantine(
    con: Any, settings: Settings, *, bank_code: str, batch_id: int, source: str
) -> list[Any]:
    """Write the rows of ``source`` (candidates view) not yet in quarantine as files of that table."""
    existing = scan_sql(list_files(settings, QUARANTINE))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_new AS
        SELECT * FROM {source} c
        WHERE NOT EXISTS (SELECT 1 FROM {existing} e WHERE e.acquirer_code = {sql_literal(bank_code)}
                          AND e.txn_id = c.txn_id AND (e.status = 'reversed') = c.is_reversal)
        QUALIFY row_number() OVER (PARTITION BY txn_id, is_reversal ORDER BY r) = 1"""
    )
    row = con.execute("SELECT count(*) FROM q_new").fetchone()
    if not row or not row[0]:
        return []
    select = _ledger_select("q_new c", batch_id, "strftime(c.day, '%Y-%m')", known_nmids=False)
    return copy_partitioned(con, settings, QUARANTINE, select, batch_id=batch_id)


def _find_repeats(con: Any, source: str) -> bool:
    """Temp table ``repeats (txn_id, is_reversal, keep)`` of keys seen more than once in ``source``
    (``keep`` = the first record); ``False`` when there are none. Candidates are found by a group-by
    on a 64-bit hash of the key (fixed-width, fast) and confirmed on the exact key."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE dup_hash AS SELECT hash(txn_id, is_reversal) AS h FROM {source} "
        "GROUP BY 1 HAVING count(*) > 1"
    )
    if con.execute("SELECT count(*) FROM dup_hash").fetchone() == (0,):
        return False
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE repeats AS SELECT txn_id, is_reversal, min(r) AS keep FROM {source}
        WHERE hash(txn_id, is_reversal) IN (SELECT h FROM dup_hash) GROUP BY ALL HAVING count(*) > 1"""
    )
    return bool(con.execute("SELECT count(*) FROM repeats").fetchone() != (0,))


def _reversal_months(con: Any, settings: Settings, source: str, bank_code: str) -> None:
    """Temp table ``rev_month (txn_id, month)``: the month of the transaction each reversal of ``source``
    reverses, when it is known (in the ledger or in ``source``); call only when ``source`` has reversals."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE rev_keys AS SELECT DISTINCT txn_id FROM {source} WHERE is_reversal"
    )
    ledger = scan_sql(list_files(settings, TRANSACTIONS))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE rev_month AS
        SELECT txn_id, min(month) AS month FROM (
            SELECT l.txn_id, l.month FROM {ledger} l
            WHERE l.acquirer_code = {sql_literal(bank_code)} AND l.status <> 'reversed'
              AND l.txn_id IN (SELECT txn_id FROM rev_keys)
            UNION ALL
            SELECT c.txn_id, strftime(c.day, '%Y-%m') FROM {source} c
            WHERE NOT c.is_reversal AND c.txn_id IN (SELECT txn_id FROM rev_keys)
        ) GROUP BY txn_id"""
    )


def neighbour_months(months: list[str]) -> list[str]:
    """``months`` (``YYYY-MM``) with the month before and after each."""
    found: set[str] = set()
    for month in months:
        year, mon = int(month[:4]), int(month[5:7])
        for delta in (-1, 0, 1):
            y, m = year + (mon - 1 + delta) // 12, (mon - 1 + delta) % 12 + 1
            found.add(f"{y:04d}-{m:02d}")
    return sorted(found)


def _existing_files(con: Any, settings: Settings, facts: SourceFacts) -> tuple[list[str], list[str]]:
    """``(ledger files, months)``: the months (``YYYY-MM``) the candidate rows will be filed in — their
    days' months and the months of the originals their reversals cancel (from ``rev_month``) — and the
    ledger files of those months and their neighbours (none when the ledger is empty)."""
    months = {m.strftime("%Y-%m") for m in facts.months}
    if facts.has_reversals:
        months |= {str(r[0]) for r in con.execute("SELECT DISTINCT month FROM rev_month").fetchall()}
    if not list_files(settings, TRANSACTIONS):
        return [], sorted(months)
    return list_files(settings, TRANSACTIONS, neighbour_months(sorted(months))), sorted(months)


def write_new_rows(
    con: Any, settings: Settings, *, batch_id: int, bank_code: str, source: str, known_nmids: bool = False
) -> tuple[list[Any], int, int]:
    """Write the rows of ``source`` new to the ledger as unpublished files; return
    ``(copy stats, rows, success value)``.

    A key is ``(acquirer_code, txn_id, is_reversal)`` (``source`` holds one acquirer): the first
    occurrence in the file wins, and a key already in the ledger in the row's month or a neighbouring
    month is a duplicate. A reversal is filed in the month of the transaction it reverses.
    """
    joins, where = [], ["TRUE"]
    if _find_repeats(con, source):
        joins.append(f"LEFT JOIN repeats d ON {KEY_JOIN.format(a='d', b='c')}")
        where.append("(d.keep IS NULL OR d.keep = c.r)")
    facts = source_facts(con, source)
    month = month_sql(facts.first, facts.last)
    if facts.has_reversals:
        _reversal_months(con, settings, source, bank_code)
        joins.append("LEFT JOIN rev_month m ON c.is_reversal AND m.txn_id = c.txn_id")
        month = f"coalesce(m.month, {month})"
    existing, months = _existing_files(con, settings, facts)
    if existing:
        keys = (
            f"(SELECT txn_id, status = 'reversed' AS is_reversal FROM {scan_sql(existing)} "
            f"WHERE acquirer_code = {sql_literal(bank_code)})"
        )
        where.append(f"NOT EXISTS (SELECT 1 FROM {keys} e WHERE {KEY_JOIN.format(a='e', b='c')})")
    from_sql = f"{source} c {' '.join(joins)} WHERE {' AND '.join(where)}"
    select = _ledger_select(from_sql, batch_id, month, known_nmids=known_nmids)
    # every row's month is one of ``months`` (its day's month, or for a reversal the month of the
    # transaction it reverses): with a single month the rows go to one file without a partitioned writer
    stats = copy_partitioned(con, settings, TRANSACTIONS, select, batch_id=batch_id, months=months)
    if not stats:
        return [], 0, 0
    listing = ", ".join(sql_literal(str(s[0])) for s in stats)
    row = con.execute(
        "SELECT count(*), coalesce(sum(amount) FILTER (WHERE status = 'success'), 0) "
        f"FROM read_parquet([{listing}])"
    ).fetchone()
    assert row is not None
    return stats, int(row[0]), int(row[1])


def kept_path(settings: Settings, sha256: str) -> Path:
    """Where the pseudonymised copy of an upload is kept (see ``kept``)."""
    return settings.uploads_dir / f"{sha256}.parquet"


def quarantine_rule_key() -> str:
    """The rule key of quarantined rows (``unknown_nmid``)."""
    return QUARANTINE_RULE
