"""The ingest pipeline on DuckDB: stage (pseudonymise) → check → errors → quarantine → dedupe → ledger.

All row work is set-based SQL in DuckDB; no row becomes a Python object. The steps:

1. ``stage_upload``: one parallel scan of the file written as the kept upload ``uploads/<sha256>.parquet``
   (zstd): every original column as text, in file order, the payer column replaced by its pseudonym in
   the scan's projection, so the raw id never reaches a table, a spill file or the kept file; the view
   ``upload`` reads it back with the record index ``r`` (Parquet's ``file_row_number``);
2. ``check_rows``: every value parsed and every rule evaluated into ``checked`` (a bit mask per row);
3. ``collect_errors``: the failing rows unpivoted into ``(row, column, raw value, rule)``;
4. ``write_quarantine``: valid rows of unknown NMIDs appended to the quarantine table (one commit);
5. ``write_new_rows``: valid rows of known NMIDs, minus repeats inside the file and keys already in the
   ledger, written as Parquet files into the ledger folder; the caller publishes them in one commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartkotim.config import Settings
from smartkotim.economy.ingest.parsing import SourceFile, ident
from smartkotim.economy.ingest.validation import (
    QUARANTINE_RULE,
    CheckContext,
    Rule,
    mask_sql,
    parsed_columns,
    rules,
    status_sql,
)
from smartkotim.ledger import (
    QUARANTINE,
    TRANSACTIONS,
    WIB,
    copy_partitioned,
    list_files,
    scan_sql,
    sql_literal,
)

KEY = "acquirer_code, txn_id, is_reversal"


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


def pseudonym_sql(column: str, key_hex: str) -> str:
    """SQL of the payer pseudonym: the first 60 bits of SHA-256(key ‖ ':' ‖ trimmed id), as BIGINT.

    ``key_hex`` is a 256-bit sub-key derived from the installation secret (see ``services``); the
    empty id stays NULL. Python equivalent: ``int(sha256(f"{key}:{id}".encode()).hexdigest()[:15], 16)``.
    """
    value = f"nullif(trim({ident(column)}), '')"
    return (
        f"CAST(CAST(('0x' || substr(sha256({sql_literal(key_hex + ':')} || {value}), 1, 15)) AS BIGINT) "
        "AS VARCHAR)"
    )


def stage_upload(
    con: Any, source: SourceFile, relation: str, payer_column: str | None, key_hex: str, target: Path
) -> int:
    """Write ``relation`` to ``target`` (Parquet) with the payer column pseudonymised, define the view
    ``upload`` over it and return the number of rows."""
    parts = []
    for name in source.header:
        if payer_column is not None and name == payer_column:
            parts.append(f"{pseudonym_sql(name, key_hex)} AS {ident(name)}")
        else:
            parts.append(ident(name))
    row = con.execute(
        f"COPY (SELECT {', '.join(parts)} FROM {relation}) TO {sql_literal(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    ).fetchone()
    open_upload(con, target)
    return int(row[0]) if row else 0


def open_upload(con: Any, kept: Path) -> None:
    """Define the view ``upload`` (``__r``: 0-based record index; then the file's columns) over ``kept``."""
    con.execute(
        "CREATE OR REPLACE TEMP VIEW upload AS SELECT file_row_number AS __r, * EXCLUDE (file_row_number) "
        f"FROM read_parquet({sql_literal(str(kept))}, file_row_number = true)"
    )


def register_known(con: Any, nmids: set[str]) -> None:
    """Load the register's NMIDs into the temporary table ``known``."""
    con.execute("CREATE OR REPLACE TEMP TABLE known (nmid VARCHAR PRIMARY KEY)")
    if nmids:
        import pyarrow as pa

        con.register("known_arrow", pa.table({"nmid": pa.array(sorted(nmids), type=pa.string())}))
        con.execute("INSERT INTO known SELECT nmid FROM known_arrow")
        con.unregister("known_arrow")


def check_rows(con: Any, ctx: CheckContext, source: SourceFile, batch_id: int) -> list[Rule]:
    """Create the temp table ``checked`` (one typed row per file row with its ``mask``); return the rules."""
    rule_list = rules(ctx)
    mask, _ = mask_sql(rule_list)
    con.execute(f"SET TimeZone = {sql_literal(ctx.profile.timestamp.timezone)}")
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE checked AS
            WITH parsed AS (
                SELECT __r AS r, {parsed_columns(ctx)} FROM upload
            ), marked AS (
                SELECT *, nmid IN (SELECT nmid FROM known) AS is_known FROM parsed
            )
            SELECT *, status = 'reversed' AS is_reversal FROM (
                SELECT r, r + {int(source.row_offset)} AS row_no,
                    {sql_literal(ctx.bank_code)} AS acquirer_code, txn_id, ts,
                    CAST(timezone('{WIB}', ts) AS DATE) AS day, nmid, abs(amount_int) AS amount, channel,
                    {status_sql(ctx.profile)} AS status, payer, issuer, mcc,
                    {int(batch_id)} AS batch_id, ({mask}) AS mask
                FROM marked)"""
        )
    finally:
        con.execute("SET TimeZone = 'UTC'")
    return rule_list


def count_rows(con: Any, quarantine_bit: int) -> tuple[int, int, int]:
    """``(read, rejected, quarantined)`` from ``checked``."""
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE mask <> 0 AND mask <> {quarantine_bit}), "
        f"count(*) FILTER (WHERE mask = {quarantine_bit}) FROM checked"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def collect_errors(
    con: Any, rule_list: list[Rule], columns: dict[str, str], limit: int
) -> list[tuple[Any, ...]]:
    """The first ``limit`` errors as ``(row_no, column, raw value, rule)`` sorted by row, and no more.

    The raw value of the payer column is never returned (``NULL``): the kept upload holds only its
    pseudonym and the raw id is gone.
    """
    parts = []
    for rule in rule_list:
        column = columns.get(rule.field, rule.field)
        raw = "NULL" if rule.field == "payer_id" or rule.field not in columns else f"u.{ident(column)}"
        parts.append(
            f"SELECT c.row_no, {sql_literal(column)} AS col, CAST({raw} AS VARCHAR) AS raw, "
            f"{sql_literal(rule.key)} AS rule FROM bad c JOIN upload u ON u.__r = c.r "
            f"WHERE c.mask & {rule.bit} <> 0"
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE bad AS SELECT r, row_no, mask FROM checked WHERE mask <> 0 "
        f"ORDER BY row_no LIMIT {int(limit)}"
    )
    rows: list[tuple[Any, ...]] = con.execute(
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY row_no, rule LIMIT {int(limit)}"
    ).fetchall()
    return rows


def count_errors(con: Any, rule_list: list[Rule]) -> int:
    """Total number of (row, rule) errors, including quarantined rows' ``unknown_nmid``."""
    terms = " + ".join(f"count(*) FILTER (WHERE mask & {r.bit} <> 0)" for r in rule_list)
    row = con.execute(f"SELECT {terms} FROM checked WHERE mask <> 0").fetchone()
    return int(row[0] or 0) if row else 0


def _month_expr(day: str = "day") -> str:
    return f"strftime({day}, '%Y-%m')"


def _ledger_select(source: str, month: str) -> str:
    return (
        f"SELECT acquirer_code, txn_id, ts, day, nmid, amount, channel, status, payer, issuer, mcc, "
        f"batch_id, row_no, {month} AS month FROM {source}"
    )


def write_quarantine(con: Any, settings: Settings, quarantine_bit: int, batch_id: int) -> list[Any]:
    """Write valid rows of unknown NMIDs not yet in quarantine as files of the quarantine table."""
    existing = scan_sql(list_files(settings, QUARANTINE))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE q_new AS
        SELECT * FROM checked c WHERE mask = {quarantine_bit}
          AND NOT EXISTS (SELECT 1 FROM {existing} e WHERE e.acquirer_code = c.acquirer_code
                          AND e.txn_id = c.txn_id AND (e.status = 'reversed') = (c.status = 'reversed'))
        QUALIFY row_number() OVER (PARTITION BY acquirer_code, txn_id, status = 'reversed' ORDER BY r) = 1"""
    )
    row = con.execute("SELECT count(*) FROM q_new").fetchone()
    if not row or not row[0]:
        return []
    return copy_partitioned(
        con, settings, QUARANTINE, _ledger_select("q_new", _month_expr()), batch_id=batch_id
    )


def _assign_reversal_months(con: Any, settings: Settings) -> None:
    """``cand.month``: a reversal goes to the month of the transaction it reverses, when that is known."""
    has_reversal = con.execute("SELECT count(*) FROM cand WHERE is_reversal").fetchone()
    if not has_reversal or not has_reversal[0]:
        return
    ledger = scan_sql(list_files(settings, TRANSACTIONS))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE originals AS
        SELECT acquirer_code, txn_id, min(month) AS month FROM (
            SELECT l.acquirer_code, l.txn_id, l.month FROM {ledger} l
            WHERE l.status <> 'reversed' AND EXISTS (SELECT 1 FROM cand c WHERE c.is_reversal
                  AND c.acquirer_code = l.acquirer_code AND c.txn_id = l.txn_id)
            UNION ALL
            SELECT acquirer_code, txn_id, month FROM cand WHERE NOT is_reversal
        ) GROUP BY ALL"""
    )
    con.execute(
        "UPDATE cand SET month = o.month FROM originals o WHERE cand.is_reversal "
        "AND cand.acquirer_code = o.acquirer_code AND cand.txn_id = o.txn_id"
    )


def _neighbour_months(months: list[str]) -> list[str]:
    found: set[str] = set()
    for month in months:
        year, mon = int(month[:4]), int(month[5:7])
        for delta in (-1, 0, 1):
            y, m = year + (mon - 1 + delta) // 12, (mon - 1 + delta) % 12 + 1
            found.add(f"{y:04d}-{m:02d}")
    return sorted(found)


def write_new_rows(con: Any, settings: Settings, batch_id: int) -> tuple[list[Any], int, int]:
    """Write the rows new to the ledger as unpublished files; return ``(copy stats, rows, success value)``.

    A key is ``(acquirer_code, txn_id, is_reversal)``: the first occurrence in the file wins, and a key
    already in the ledger in the row's month or a neighbouring month is a duplicate.
    """
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE cand AS SELECT * EXCLUDE (mask), {_month_expr()} AS month "
        "FROM checked WHERE mask = 0"
    )
    _assign_reversal_months(con, settings)
    months = [str(r[0]) for r in con.execute("SELECT DISTINCT month FROM cand").fetchall()]
    existing = scan_sql(list_files(settings, TRANSACTIONS, _neighbour_months(months)))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE repeats AS
        SELECT {KEY}, min(r) AS keep FROM cand GROUP BY ALL HAVING count(*) > 1"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE fresh AS
        SELECT c.* FROM cand c
        WHERE NOT EXISTS (SELECT 1 FROM repeats d WHERE d.acquirer_code = c.acquirer_code
                          AND d.txn_id = c.txn_id AND d.is_reversal = c.is_reversal AND d.keep <> c.r)
          AND NOT EXISTS (SELECT 1 FROM {existing} e WHERE e.acquirer_code = c.acquirer_code
                          AND e.txn_id = c.txn_id AND (e.status = 'reversed') = c.is_reversal)"""
    )
    row = con.execute(
        "SELECT count(*), coalesce(sum(amount) FILTER (WHERE status = 'success'), 0) FROM fresh"
    ).fetchone()
    assert row is not None
    if not row[0]:
        return [], 0, 0
    stats = copy_partitioned(con, settings, TRANSACTIONS, _ledger_select("fresh", "month"), batch_id=batch_id)
    return stats, int(row[0]), int(row[1])


def kept_path(settings: Settings, sha256: str) -> Path:
    """Where the pseudonymised copy of an upload is kept (Parquet, every column as text, file order)."""
    return settings.uploads_dir / f"{sha256}.parquet"


def known_columns(source: SourceFile) -> str:
    """Comma-separated header for messages."""
    return ", ".join(source.header)


def quarantine_rule_key() -> str:
    """The rule key of quarantined rows (``unknown_nmid``)."""
    return QUARANTINE_RULE
