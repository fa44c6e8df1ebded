"""The kept upload (``uploads/<sha256>.parquet``), written by the single pass that reads the file.

``write_kept`` is "pass A" of the pipeline: **one** ordered, parallel DuckDB ``COPY`` reads the source
once, replaces the payer id by its pseudonym in its first projection, parses every value, evaluates
every rule (``validation``) and writes one Parquet file holding

- the file's own columns in file order, as text. A value that equals its parsed canonical form (the
  usual case: ``T0001``, ``25000``, ``qris``) is stored as NULL and flagged in the bitmask ``__sk_same``,
  so it costs next to nothing to write; ``upload_view`` restores it exactly. The payer column is never
  stored: its pseudonym is ``__sk_payer``, and the restored column shows the pseudonym;
- the typed columns ``__sk_txn, __sk_ts, __sk_nmid, __sk_amount`` (signed whole rupiah),
  ``__sk_channel, __sk_status, __sk_payer, __sk_issuer, __sk_mcc`` and the rule mask ``__sk_mask``;
- Parquet key-value metadata ``smartkotim_kept``: JSON telling ``upload_view`` how to restore each column.

The record index of a row is Parquet's ``file_row_number`` (the COPY preserves file order). Later steps
read only the typed columns they need. A kept upload written before this layout (no metadata) holds
the columns as they were with the payer column already pseudonymised; ``upload_view`` reads both.
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
OPTIONAL = {"issuer": "issuer", "mcc": "mcc"}  # typed columns written only when the profile maps them
# canonical field → the typed column whose text equals the raw value in the usual case
_ELIDABLE = {
    "txn_id": "txn",
    "nmid": "nmid",
    "amount": "amount",
    "channel": "channel",
    "status": "status",
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


def _elided(ctx: CheckContext, header: tuple[str, ...]) -> dict[str, tuple[int, str]]:
    """``{column: (bit, how to restore)}``: ``"typed:<name>"`` or ``"text:<literal>"``."""
    mapped = ctx.profile.source_columns()
    payer = mapped.get("payer_id")
    found: dict[str, tuple[int, str]] = {}
    acquirer = mapped.get("acquirer")
    if acquirer in header and acquirer != payer:
        found[acquirer] = (1, "text:" + ctx.bank_code.upper())
    for field, typed in _ELIDABLE.items():
        column = mapped.get(field)
        if column in header and column != payer and column not in found:
            found[column] = (1 << len(found), "typed:" + typed)
    return found


def _equal_sql(column: str, how: str) -> str:
    if how == "typed:amount":
        return col("afast")
    if how.startswith("text:"):
        return f"coalesce({ident(column)} = {sql_literal(how[5:])}, FALSE)"
    return f"coalesce({ident(column)} = CAST({col(how[6:])} AS VARCHAR), FALSE)"


def stage_select(
    source_sql: str, header: tuple[str, ...], ctx: CheckContext, payer_sql: str
) -> tuple[str, dict[str, Any], list[Rule]]:
    """The pass-A ``SELECT`` over ``source_sql`` (raw VARCHAR columns ``header``), its metadata spec
    and the rules it evaluates. Needs the temp table ``known`` (``nmid``) and the ENUM types of
    ``pipeline.register_types`` on the connection."""
    rule_list = rules(ctx)
    mask, _ = mask_sql(rule_list, fast_ok_sql(ctx))
    raw = ", ".join(ident(h) for h in header)
    first = ", ".join(f"{sql} AS {col(name)}" for name, sql in first_columns(ctx, payer_sql))
    second = second_columns(ctx)
    afast, amount = (f"{sql} AS {col(name)}" for name, sql in second[:2])
    status = f"{second[2][1]} AS {col('status')}"
    elided = _elided(ctx, header)
    payer = ctx.profile.source_columns().get("payer_id")
    same = " | ".join(
        f"(CASE WHEN {_equal_sql(c, how)} THEN {bit} ELSE 0 END)" for c, (bit, how) in elided.items()
    )
    stored = []
    for name in header:
        if name == payer:
            continue  # never stored: restored from __sk_payer
        if name in elided:
            stored.append(
                f"CASE WHEN {_equal_sql(name, elided[name][1])} THEN NULL ELSE {ident(name)} END "
                f"AS {ident(name)}"
            )
        else:
            stored.append(ident(name))
    mapped = ctx.profile.source_columns()
    kept_typed = [n for n in STORED if n not in OPTIONAL or OPTIONAL[n] in mapped]
    typed = ", ".join(col(name) for name in kept_typed)
    sql = f"""SELECT {", ".join(stored)}, ({same or "0"}) AS {col("same")}, {typed} FROM (
        SELECT *, {status}, {mask} AS {col("mask")} FROM (
            SELECT *, {afast}, {amount} FROM (
                SELECT *, {col("nmid")} IN (SELECT nmid FROM known) AS {col("known")} FROM (
                    SELECT {raw}, {first} FROM {source_sql}))))"""
    spec = {"version": 2, "header": list(header), "payer": payer, "elided": elided, "typed": kept_typed}
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
    elided = spec.get("elided", {}).get(name)
    if elided is None:
        return ident(name)
    bit, how = int(elided[0]), str(elided[1])
    value = sql_literal(how[5:]) if how.startswith("text:") else f"CAST({col(how[6:])} AS VARCHAR)"
    return f"CASE WHEN {col('same')} & {bit} <> 0 THEN {value} ELSE {ident(name)} END"


def upload_view(con: Any, path: Path, name: str = "upload", *, where: str = "TRUE") -> tuple[str, ...]:
    """Define the view ``name`` (``__r``: 0-based record index; then the file's columns as text, as the
    file had them, the payer column holding pseudonyms) over a kept upload; return the header.

    ``where`` (SQL over the kept columns, e.g. ``__sk_mask <> 0``) restricts the rows.
    """
    spec = read_spec(con, path)
    source = f"read_parquet({sql_literal(str(path))}, file_row_number = true) WHERE {where}"
    if spec is None:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT file_row_number AS __r, "
            f"* EXCLUDE (file_row_number) FROM {source}"
        )
        return tuple(str(r[0]) for r in con.execute(f"DESCRIBE {name}").fetchall())[1:]
    header = tuple(str(h) for h in spec["header"])
    columns = ", ".join(f"{_restore(h, spec)} AS {ident(h)}" for h in header)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT file_row_number AS __r, {columns} FROM {source}"
    )
    return header


def typed_source(path: Path, typed: list[str] | None = None) -> str:
    """A table expression over a kept upload's typed columns with ``r`` (the record index); typed columns
    not stored (``OPTIONAL`` ones the profile does not map) read as NULL when ``typed`` lists those stored."""
    missing = [n for n in OPTIONAL if typed is not None and n not in typed]
    nulls = "".join(f", CAST(NULL AS VARCHAR) AS {col(n)}" for n in missing)
    source = f"read_parquet({sql_literal(str(path))}, file_row_number = true)"
    return f"(SELECT file_row_number AS r, *{nulls} FROM {source})"
