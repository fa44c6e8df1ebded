"""The kept upload (``uploads/<sha256>.parquet``), written by the single pass that reads the file.

``write_kept`` is "pass A" of the pipeline: **one** ordered, parallel DuckDB ``COPY`` reads the source
once, replaces the payer id by its pseudonym in its first projection, parses every value, evaluates
every rule (``validation``) and writes one Parquet file holding (layout 3)

- the file's own columns **that the profile maps**, as text, **only for the rows that broke a rule**
  (NULL for the others, which costs next to nothing to write): the error report quotes them and a
  re-processing batch re-reads them. The payer column is never stored (its pseudonym is
  ``__sk_payer``), nor is a column the profile ignores, which may hold personal data such as payer ids
  a profile does not map (spec key ``stored`` lists the columns kept; a re-processing profile that maps
  another column finds it empty);
- the typed columns ``__sk_txn, __sk_ts, __sk_nmid, __sk_amount`` (signed whole rupiah),
  ``__sk_channel, __sk_status, __sk_payer, __sk_issuer, __sk_mcc``, the rule mask ``__sk_mask`` and
  ``__sk_r`` (the record index when the source is not the file itself, else NULL);
- Parquet key-value metadata ``smartkotim_kept``: JSON telling ``upload_view`` how to show each column.

The record index of a row is ``__sk_r`` or else Parquet's ``file_row_number`` (the COPY preserves file
order). Later steps read only the typed columns they need. Older layouts are still read by
``upload_view``: layout 2 (every column's text, elided where it equalled the parsed value, restored
exactly) and layout 1 (no metadata: the columns as they were with the payer column pseudonymised).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from smartkotim.economy.ingest.parsing import FileFormatError, ident
from smartkotim.economy.ingest.validation import (
    CheckContext,
    P,
    Rule,
    col,
    fast_ok_sql,
    first_columns,
    mask_sql,
    rules,
    second_columns,
)
from smartkotim.ledger import sql_literal

SPEC_KEY = "smartkotim_kept"
STORED = ("txn", "ts", "nmid", "amount", "channel", "status", "payer", "issuer", "mcc", "mask")
"""Typed columns of a kept upload (``__sk_`` + name), besides ``__sk_r``."""
OPTIONAL = {"issuer": "issuer", "mcc": "mcc"}  # typed columns written only when the profile maps them
# canonical field → the typed column shown for it in a row that passed every rule
_CANONICAL = {
    "txn_id": "txn",
    "nmid": "nmid",
    "amount": "amount",
    "channel": "channel",
    "status": "status",
    "timestamp": "ts",
    "issuer": "issuer",
    "mcc": "mcc",
}


def check_reserved(header: tuple[str, ...]) -> None:
    """Refuse a header that uses the reserved ``__sk_`` prefix.

    Raises:
        FileFormatError: naming the column.
    """
    for name in header:
        if name.lower().startswith(P):
            raise FileFormatError(f"nama kolom {name!r} memakai awalan {P!r} yang dicadangkan SmartKotim")


def pseudonym_sql(raw: str, key_hex: str) -> str:
    """SQL of the payer pseudonym of the SQL value ``raw`` (already trimmed): the first 60 bits of
    ``SHA-256(key ‖ ':' ‖ id)`` as BIGINT; NULL stays NULL.

    ``key_hex`` is 32 hex characters, so that key, colon and an id of up to 22 bytes fit in one
    SHA-256 block (one compression per row instead of two). Python equivalent:
    ``int(sha256(f"{key}:{id}".encode()).hexdigest()[:15], 16)``.
    """
    return f"CAST(('0x' || left(sha256({sql_literal(key_hex + ':')} || {raw}), 15)) AS BIGINT)"


def _canonical(ctx: CheckContext, header: tuple[str, ...]) -> dict[str, str]:
    """``{column: how}``: how ``upload_view`` shows a mapped column of a row that passed every rule —
    ``"typed:<name>"`` (the parsed value as text) or ``"text:<literal>"`` (the uploading bank's code)."""
    mapped = ctx.profile.source_columns()
    payer = mapped.get("payer_id")
    found: dict[str, str] = {}
    acquirer = mapped.get("acquirer")
    if acquirer in header and acquirer != payer:
        found[acquirer] = "text:" + ctx.bank_code.upper()
    for field, typed in _CANONICAL.items():
        column = mapped.get(field)
        if column in header and column != payer and column not in found:
            found[column] = "typed:" + typed
    return found


def stage_select(
    source_sql: str, header: tuple[str, ...], ctx: CheckContext, payer_sql: str, *, record: str | None = None
) -> tuple[str, dict[str, Any], list[Rule]]:
    """The pass-A ``SELECT`` over ``source_sql`` (raw VARCHAR columns ``header``), its metadata spec
    and the rules it evaluates. Needs the temp table ``known`` (``nmid``) and the ENUM types of
    ``pipeline.register_types`` on the connection.

    The file's own columns are stored only for rows that break a rule (``__sk_mask <> 0``): those are
    the rows the error report quotes and a re-processing batch re-reads; a row that passed is in the
    ledger (or is a duplicate) and needs only its typed columns. ``record``: SQL of the record index
    when ``source_sql`` is not the file itself (re-processing reads a kept upload, whose ``__r`` is the
    original file's index); it is stored as ``__sk_r`` (NULL otherwise: the index is the Parquet row
    number).
    """
    rule_list = rules(ctx)
    mask, _ = mask_sql(rule_list, fast_ok_sql(ctx))
    raw = ", ".join(ident(h) for h in header)
    first = ", ".join(f"{sql} AS {col(name)}" for name, sql in first_columns(ctx, payer_sql))
    second = second_columns(ctx)
    afast, amount = (f"{sql} AS {col(name)}" for name, sql in second[:2])
    status = f"{second[2][1]} AS {col('status')}"
    mapped = ctx.profile.source_columns()
    payer = mapped.get("payer_id")
    # only columns the profile maps, and never the payer column (restored from __sk_payer): a column the
    # profile ignores may hold personal data (a payer id the profile does not map) and is not needed
    kept_text = [name for name in header if name in mapped.values() and name != payer]
    stored = [f"CASE WHEN {col('mask')} <> 0 THEN {ident(name)} END AS {ident(name)}" for name in kept_text]
    kept_typed = [n for n in STORED if n not in OPTIONAL or OPTIONAL[n] in mapped]
    typed = ", ".join(col(name) for name in kept_typed)
    passed = f", {record} AS __sk_record" if record else ""
    sql = f"""SELECT {", ".join(stored)}, {typed},
            {"__sk_record" if record else "CAST(NULL AS BIGINT)"} AS {col("r")} FROM (
        SELECT *, {status}, {mask} AS {col("mask")} FROM (
            SELECT *, {afast}, {amount} FROM (
                SELECT *, {col("nmid")} IN (SELECT nmid FROM known) AS {col("known")} FROM (
                    SELECT {raw}, {first}{passed} FROM {source_sql}))))"""
    spec = {
        "version": 3,
        "header": list(header),
        "payer": payer,
        "canonical": _canonical(ctx, header),
        "typed": kept_typed,
        "stored": kept_text,
    }
    return sql, spec, rule_list


def write_kept(con: Any, select_sql: str, spec: dict[str, Any], target: Path, timezone: str) -> int:
    """Run pass A: write ``select_sql`` to ``target`` in file order; return the number of rows.

    The session zone is ``timezone`` during the pass (ISO timestamps without an offset are read in it).
    Parquet format version 2 stores the integer and timestamp columns (pseudonym, timestamp, masks) with
    delta/byte-stream encodings instead of trying a dictionary first: 3-4× less CPU for those columns.
    """
    metadata = sql_literal(json.dumps(spec, separators=(",", ":")))
    con.execute(f"SET TimeZone = {sql_literal(timezone)}")
    con.execute("SET preserve_insertion_order = true")
    try:
        row = con.execute(
            f"COPY ({select_sql}) TO {sql_literal(str(target))} "
            f"(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, PARQUET_VERSION V2, "
            f"KV_METADATA {{{SPEC_KEY}: {metadata}}})"
        ).fetchone()
    finally:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
    return int(row[0]) if row else 0


def read_spec(con: Any, path: Path) -> dict[str, Any] | None:
    """The restore spec stored in a kept upload, or ``None`` for the older layout."""
    rows = con.execute(
        f"SELECT value FROM parquet_kv_metadata({sql_literal(str(path))}) "
        f"WHERE decode(key) = {sql_literal(SPEC_KEY)}"
    ).fetchall()
    if not rows:
        return None
    spec: dict[str, Any] = json.loads(bytes(rows[0][0]).decode())
    return spec


def _restore(name: str, spec: dict[str, Any]) -> str:
    if name == spec.get("payer"):
        return f"CAST({col('payer')} AS VARCHAR)"
    if int(spec.get("version", 2)) >= 3:
        # the file's text of rows that broke a rule; the parsed value of the others (NULL if unmapped)
        if "stored" in spec and name not in spec["stored"]:
            return "CAST(NULL AS VARCHAR)"  # a column the profile did not map: never kept
        how = spec.get("canonical", {}).get(name)
        if how is None:
            shown = "CAST(NULL AS VARCHAR)"
        elif str(how).startswith("text:"):
            shown = sql_literal(str(how)[5:])
        else:
            shown = f"CAST({col(str(how)[6:])} AS VARCHAR)"
        return f"CASE WHEN {col('mask')} <> 0 THEN {ident(name)} ELSE {shown} END"
    elided = spec.get("elided", {}).get(name)
    if elided is None:
        return ident(name)
    bit, how = int(elided[0]), str(elided[1])
    value = sql_literal(how[5:]) if how.startswith("text:") else f"CAST({col(how[6:])} AS VARCHAR)"
    return f"CASE WHEN {col('same')} & {bit} <> 0 THEN {value} ELSE {ident(name)} END"


def upload_view(
    con: Any, path: Path, name: str = "upload", *, where: str = "TRUE", failing_only: bool = False
) -> tuple[str, ...]:
    """Define the view ``name`` (``__r``: 0-based record index in the uploaded file; then the file's
    columns as text, the payer column holding pseudonyms) over a kept upload; return the header.

    Rows that broke a rule show the file's text exactly. Rows that passed show their parsed values
    (kept uploads written since layout 3 do not store the text of those rows; layout 2 restores it
    exactly). ``where`` (SQL over the kept columns, e.g. ``__sk_mask <> 0``) restricts the rows;
    ``failing_only`` keeps only the rows that broke a rule (every row of a kept upload without a spec).
    """
    spec = read_spec(con, path)
    source = f"read_parquet({sql_literal(str(path))}, file_row_number = true) WHERE {where}"
    if spec is None:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT file_row_number AS __r, "
            f"* EXCLUDE (file_row_number) FROM {source}"
        )
        return tuple(str(r[0]) for r in con.execute(f"DESCRIBE {name}").fetchall())[1:]
    if failing_only:
        source += f" AND {col('mask')} <> 0"
    header = tuple(str(h) for h in spec["header"])
    columns = ", ".join(f"{_restore(h, spec)} AS {ident(h)}" for h in header)
    record = (
        f"coalesce({col('r')}, file_row_number)" if int(spec.get("version", 2)) >= 3 else "file_row_number"
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {record} AS __r, {columns} FROM {source}")
    return header


def typed_source(path: Path, typed: list[str] | None = None) -> str:
    """A table expression over the typed columns of a kept upload written by this version (layout 3)
    with ``r`` (the record index in the uploaded file); typed columns not stored (``OPTIONAL`` ones the
    profile does not map) read as NULL when ``typed`` lists those stored."""
    missing = [n for n in OPTIONAL if typed is not None and n not in typed]
    nulls = "".join(f", CAST(NULL AS VARCHAR) AS {col(n)}" for n in missing)
    source = f"read_parquet({sql_literal(str(path))}, file_row_number = true)"
    return f"(SELECT coalesce({col('r')}, file_row_number) AS r, *{nulls} FROM {source})"
