"""The transaction ledger: Delta Lake tables under ``DATA_DIR/ledger`` and the DuckDB engine over them.

Two Delta tables, both partitioned by ``month`` (``YYYY-MM`` of the WIB date of the transaction):

- ``transactions``: every recorded transaction (the source of truth; append-only);
- ``quarantine``: valid rows whose NMID is not (yet) on the merchant register.

Writes are made by DuckDB (``COPY … TO … (FORMAT parquet, PARTITION_BY (month))``, parallel and
streaming) into the table folder, then published by **one** Delta commit that adds exactly those files.
Files that no commit references are invisible to every reader, so a crash before the commit leaves the
table as it was; the commit carries the batch id in its metadata and as a Delta application transaction
(``txn`` action, app id ``smartkotim.ingest``), which is what reconcile reads back.

Readers list the files of the current snapshot (``DeltaTable.file_uris``) and scan them with DuckDB's
``read_parquet``; DuckDB's own ``delta`` extension is not used because it is downloaded at run time.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from deltalake import DeltaTable
from deltalake import Schema as DeltaSchema
from deltalake.transaction import (
    AddAction,
    CommitProperties,
    RemoveAction,
    Transaction,
    create_table_with_add_actions,
)

from smartkotim.config import Settings

TRANSACTIONS = "transactions"
QUARANTINE = "quarantine"
APP_ID = "smartkotim.ingest"
WIB = "Asia/Jakarta"

# Column order of both tables; ``month`` is the partition column (kept in the Delta log, not the files).
LEDGER_SCHEMA = pa.schema(
    [
        pa.field("acquirer_code", pa.string()),
        pa.field("txn_id", pa.string()),
        pa.field("ts", pa.timestamp("us", tz="UTC")),
        pa.field("day", pa.date32()),
        pa.field("nmid", pa.string()),
        pa.field("amount", pa.int64()),
        pa.field("channel", pa.string()),
        pa.field("status", pa.string()),
        pa.field("payer", pa.int64()),
        pa.field("issuer", pa.string()),
        pa.field("mcc", pa.string()),
        pa.field("batch_id", pa.int64()),
        pa.field("row_no", pa.int64()),
        pa.field("month", pa.string()),
    ]
)
LEDGER_COLUMNS = tuple(LEDGER_SCHEMA.names)
_STAT_COLUMNS = ("acquirer_code", "txn_id", "nmid", "amount", "status", "batch_id", "day")


class LedgerError(RuntimeError):
    """The ledger folder is unreadable or a commit failed."""


def table_path(settings: Settings, table: str) -> Path:
    """Folder of one Delta table (``transactions`` or ``quarantine``)."""
    return settings.ledger_dir / table


def work_dir(settings: Settings) -> Path:
    """Scratch folder for DuckDB spill files and upload spools (emptied of a batch's files at its end)."""
    path = settings.data_dir / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def connect(settings: Settings, database: str | Path = ":memory:", *, memory_limit: str = "2GB") -> Any:
    """A DuckDB connection set up for the ledger: UTC session, bounded memory, spill under ``DATA_DIR/tmp``.

    Spilling is safe for privacy because raw payer ids are replaced by pseudonyms in the very first
    projection of a scan, before any operator that could spill.
    """
    con = duckdb.connect(str(database))
    spill = work_dir(settings) / "duckdb"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{_sql_text(str(spill))}'")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    return con


def _sql_text(value: str) -> str:
    return value.replace("'", "''")


def sql_literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal."""
    return "'" + _sql_text(value) + "'"


def _open(settings: Settings, table: str) -> DeltaTable | None:
    path = table_path(settings, table)
    if not DeltaTable.is_deltatable(str(path)):
        return None
    return DeltaTable(str(path))


def list_files(settings: Settings, table: str, months: Iterable[str] | None = None) -> list[str]:
    """Absolute paths of the current snapshot's data files, optionally only of ``months`` (``YYYY-MM``)."""
    dt = _open(settings, table)
    if dt is None:
        return []
    month_list = sorted(set(months)) if months is not None else None
    if month_list is not None and not month_list:
        return []
    filters = [("month", "in", month_list)] if month_list is not None else None
    return [uri.removeprefix("file://") for uri in dt.file_uris(file_pruning_predicate=filters)]


def scan_sql(files: Sequence[str]) -> str:
    """A DuckDB table expression over ``files`` with the ``month`` partition column (empty when none)."""
    if not files:
        columns = ", ".join(f"CAST(NULL AS {_duck_type(f.type)}) AS {f.name}" for f in LEDGER_SCHEMA)
        return f"(SELECT {columns} WHERE false)"
    listing = ", ".join(sql_literal(f) for f in files)
    return f"read_parquet([{listing}], hive_partitioning = true, hive_types = {{'month': VARCHAR}})"


def _duck_type(kind: pa.DataType) -> str:
    if pa.types.is_timestamp(kind):
        return "TIMESTAMPTZ"
    if pa.types.is_date(kind):
        return "DATE"
    if pa.types.is_integer(kind):
        return "BIGINT"
    return "VARCHAR"


def copy_partitioned(
    con: Any,
    settings: Settings,
    table: str,
    select_sql: str,
    *,
    batch_id: int,
    months: Sequence[str] | None = None,
) -> list[Any]:
    """Write ``select_sql`` (columns as ``LEDGER_COLUMNS``) as Parquet files into ``table``'s folder.

    ``months``: the ``YYYY-MM`` values the rows have, when the caller knows them for certain. A
    single month is written, whatever the rows' ``month`` column says, as one file
    ``month=YYYY-MM/b<batch>_<uuid>.parquet`` by a plain ordered ``COPY`` (about 40 % less CPU than
    DuckDB's ``PARTITION_BY`` writer, measured on 10M rows); otherwise one ``COPY … PARTITION_BY
    (month)``. Parquet format version 2 with zstd level 1 (level 3, the default, costs ~30 % more CPU
    for files a few percent smaller).

    Returns DuckDB's per-file statistics rows (for ``commit_files``); nothing is visible until committed.
    """
    target = table_path(settings, table)
    target.mkdir(parents=True, exist_ok=True)
    options = "RETURN_STATS, PARQUET_VERSION V2, COMPRESSION zstd, COMPRESSION_LEVEL 1"
    if months is not None and len(months) == 1:
        month = str(months[0])
        folder = target / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"b{int(batch_id)}_{uuid.uuid4()}.parquet"
        written: list[Any] = con.execute(
            f"COPY (SELECT * EXCLUDE (month) FROM ({select_sql})) "
            f"TO {sql_literal(str(path))} (FORMAT parquet, {options})"
        ).fetchall()
        if not written or not written[0][1]:
            path.unlink(missing_ok=True)
            return []
        return [(*row[:5], {"month": month}, *row[6:]) for row in written]
    rows: list[Any] = con.execute(
        f"COPY ({select_sql}) TO {sql_literal(str(target))} (FORMAT parquet, PARTITION_BY (month), "
        f"FILENAME_PATTERN 'b{int(batch_id)}_{{uuid}}', APPEND, {options})"
    ).fetchall()
    return rows


def _stats_json(count: int, column_stats: dict[str, dict[str, str]]) -> str:
    stats: dict[str, Any] = {"numRecords": int(count), "minValues": {}, "maxValues": {}, "nullCount": {}}
    for raw_name, values in column_stats.items():
        name = raw_name.strip('"')
        if name not in _STAT_COLUMNS:
            continue
        if "null_count" in values:
            stats["nullCount"][name] = int(values["null_count"])
        if "min" in values and "max" in values:
            is_int = name in ("amount", "batch_id")
            stats["minValues"][name] = int(values["min"]) if is_int else values["min"]
            stats["maxValues"][name] = int(values["max"]) if is_int else values["max"]
    return json.dumps(stats)


def commit_files(
    settings: Settings, table: str, copy_rows: Sequence[Any], *, batch_id: int, operation: str
) -> int | None:
    """Publish the files written by ``copy_partitioned`` in **one** Delta commit; return the new version.

    The commit carries ``{"batch_id": …, "operation": …}`` as metadata and a Delta application
    transaction ``(smartkotim.ingest, batch_id)``. No files → no commit, ``None``.

    Raises:
        LedgerError: when the commit fails (the written files then stay unreferenced).
    """
    if not copy_rows:
        return None
    root = table_path(settings, table)
    now_ms = int(time.time() * 1000)
    actions: list[AddAction] = []
    for row in copy_rows:
        path, count, size, _footer, column_stats, partitions = row[:6]
        rel = os.path.relpath(path, root)
        values = {str(k): (None if v is None else str(v)) for k, v in (partitions or {}).items()}
        actions.append(AddAction(rel, int(size), values, now_ms, True, _stats_json(count, column_stats)))
    properties = CommitProperties(
        custom_metadata={"batch_id": str(batch_id), "smartkotim_operation": operation},
        app_transactions=[Transaction(APP_ID, int(batch_id))],
    )
    try:
        existing = _open(settings, table)
        if existing is None:
            create_table_with_add_actions(
                str(root),
                DeltaSchema.from_arrow(LEDGER_SCHEMA),
                actions,
                mode="append",
                partition_by=["month"],
                commit_properties=properties,
            )
        else:
            existing.create_write_transaction(
                list[AddAction | RemoveAction](actions),
                mode="append",
                schema=DeltaSchema.from_arrow(LEDGER_SCHEMA),
                partition_by=["month"],
                commit_properties=properties,
            )
    except Exception as exc:  # deltalake raises several types; the caller needs one
        raise LedgerError(f"Delta commit of batch {batch_id} to {table} failed: {exc}") from exc
    dt = _open(settings, table)
    return None if dt is None else int(dt.version())


def committed_batches(settings: Settings, table: str = TRANSACTIONS) -> dict[int, int]:
    """``{batch_id: version}`` for every commit of ``table`` that carries a batch id (from the history)."""
    dt = _open(settings, table)
    if dt is None:
        return {}
    found: dict[int, int] = {}
    for entry in dt.history():
        raw = entry.get("batch_id")
        if raw is not None and str(raw).isdigit():
            found.setdefault(int(raw), int(entry.get("version", -1)))
    return found


def referenced_files(settings: Settings, table: str) -> set[str]:
    """Absolute paths of every file the current snapshot references."""
    return set(list_files(settings, table))


def remove_orphans(settings: Settings, batch_id: int) -> int:
    """Delete files written for ``batch_id`` that no commit references (after a crash); return how many."""
    removed = 0
    for table in (TRANSACTIONS, QUARANTINE):
        root = table_path(settings, table)
        if not root.is_dir():
            continue
        live = referenced_files(settings, table)
        for path in root.glob(f"month=*/b{int(batch_id)}_*.parquet"):
            if str(path) not in live and str(path.resolve()) not in live:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def delete_quarantined(settings: Settings, nmids: Sequence[str], *, batch_id: int) -> int:
    """Delete the quarantined rows of ``nmids`` (after their release) in one commit; return rows deleted."""
    dt = _open(settings, QUARANTINE)
    if dt is None or not nmids:
        return 0
    listing = ", ".join(sql_literal(n) for n in sorted(set(nmids)))
    metrics = dt.delete(
        f"nmid IN ({listing})",
        commit_properties=CommitProperties(custom_metadata={"release_batch_id": str(batch_id)}),
    )
    return int(metrics.get("num_deleted_rows", 0) or 0)


def summarise_ledger(settings: Settings) -> dict[str, Any]:
    """Rows and value by status, in total, per month and per acquirer (a full scan with DuckDB).

    Returns ``{"total": {...}, "by_status": [...], "by_month": [...], "by_acquirer": [...]}``; every
    ``value`` is integer rupiah, ``rows`` a count; ``quarantined`` counts the quarantine table.
    """
    files = list_files(settings, TRANSACTIONS)
    con = connect(settings, memory_limit="1GB")
    try:
        base = f"SELECT month, acquirer_code, status, count(*) AS n, sum(amount) AS v FROM {scan_sql(files)}"
        rows = con.execute(base + " GROUP BY ALL ORDER BY ALL").fetchall()
        q_files = list_files(settings, QUARANTINE)
        quarantined = con.execute(f"SELECT count(*) FROM {scan_sql(q_files)}").fetchone()
    finally:
        con.close()
    return _fold_stats(rows, int(quarantined[0]) if quarantined else 0)


def _fold_stats(rows: Sequence[tuple[str, str, str, int, int]], quarantined: int) -> dict[str, Any]:
    def bump(table: dict[tuple[str, str], list[int]], key: tuple[str, str], n: int, v: int) -> None:
        cell = table.setdefault(key, [0, 0])
        cell[0] += int(n)
        cell[1] += int(v or 0)

    by_status: dict[tuple[str, str], list[int]] = {}
    by_month: dict[tuple[str, str], list[int]] = {}
    by_acquirer: dict[tuple[str, str], list[int]] = {}
    total: dict[tuple[str, str], list[int]] = {}
    for month, acquirer, status, n, v in rows:
        bump(by_status, ("", status), n, v)
        bump(by_month, (month, status), n, v)
        bump(by_acquirer, (acquirer, status), n, v)
        bump(total, ("", ""), n, v)
    grand = total.get(("", ""), [0, 0])
    return {
        "total": {"rows": grand[0], "value": grand[1], "quarantined": quarantined},
        "by_status": [{"status": k[1], "rows": c[0], "value": c[1]} for k, c in sorted(by_status.items())],
        "by_month": [
            {"month": k[0], "status": k[1], "rows": c[0], "value": c[1]} for k, c in sorted(by_month.items())
        ],
        "by_acquirer": [
            {"acquirer_code": k[0], "status": k[1], "rows": c[0], "value": c[1]}
            for k, c in sorted(by_acquirer.items())
        ],
    }
