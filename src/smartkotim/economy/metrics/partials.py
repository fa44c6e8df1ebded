"""The month partials of unique payers and the median ticket, kept between runs (``payer_queries``).

Per calendar month two files in ``DATA_DIR/metrics/payers/``: ``registers-YYYY-MM-<key>.npz`` (the
HyperLogLog registers of every area with a payer, dense: ``areas`` — ``level`` ␟ ``code`` — and a
``uint8`` array areas × buckets, read straight into the merge) and ``amounts-YYYY-MM-<key>.parquet``
(how many effective transactions of each amount: ``month, level, code, amount, n``, amounts in rupiah).
They hold no payer pseudonym: a register is the largest rank of the hashes that fell in its bucket.

``<key>`` is ``fingerprint``: the sketch's version and precision, DuckDB's version (its ``hash``) and
the register's mapping of NMIDs to areas. A file whose key differs (a merchant moved, a new NMID, a
DuckDB upgrade) is not used and is deleted at the next run, which rebuilds the month from the ledger.
Files follow the ledger as long as every change of the ledger reaches the metrics, like the rollup
extract (``cells.py``): a batch's update discards the months of its days; a full recompute discards
all. Each file is replaced atomically; the metrics lock serialises writers.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from smartkotim.config import Settings
from smartkotim.economy.metrics.cells import metrics_dir
from smartkotim.economy.metrics.compute import AMOUNT_SCHEMA, PayerPartials, RegisterInputs
from smartkotim.economy.metrics.payer_queries import HLL_BUCKETS, HLL_PRECISION

SKETCH_VERSION = "2"  # bump when the partials' meaning or format changes (2: dense registers)
SUFFIXES = {"registers": ".npz", "amounts": ".parquet"}
AREA_SEPARATOR = "\x1f"  # between level and code in the registers file's ``areas``


def partials_dir(settings: Settings) -> Path:
    """``DATA_DIR/metrics/payers`` (created)."""
    path = metrics_dir(settings) / "payers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def fingerprint(register: RegisterInputs) -> str:
    """16 hex characters of SHA-256 over what the partials depend on besides the ledger: sketch version
    and precision, DuckDB's version and the regency and every NMID's desa, kecamatan and market."""
    head = f"{SKETCH_VERSION}|{HLL_PRECISION}|{duckdb.__version__}|{register.regency_code}"
    digest = hashlib.sha256(head.encode())
    names = ("nmid", "desa_code", "kecamatan_code", "market_code")
    columns = [register.merchants.column(n).to_pylist() for n in names]
    for row in sorted(r for r in zip(*columns, strict=True) if r[0]):
        digest.update(("\x1f".join(v or "" for v in row) + "\x1e").encode())
    return digest.hexdigest()[:16]


def _path(settings: Settings, kind: str, month: date, key: str) -> Path:
    return partials_dir(settings) / f"{kind}-{month:%Y-%m}-{key}{SUFFIXES[kind]}"


def _month_of(path: Path) -> date | None:
    parts = path.name.split(".")[0].split("-")  # kind, YYYY, MM, key
    if len(parts) != 4 or parts[0] not in SUFFIXES or path.suffix != SUFFIXES[parts[0]]:
        return None
    return date(int(parts[1]), int(parts[2]), 1)


def discard(
    settings: Settings, months: Collection[date] | None = None, *, keep_key: str | None = None
) -> None:
    """Delete the files of ``months`` (first days; ``None``: all months), every file whose key is not
    ``keep_key`` (when given) and anything else in the folder (old formats, interrupted writes)."""
    wanted = None if months is None else {m.replace(day=1) for m in months}
    for path in partials_dir(settings).iterdir():
        month = _month_of(path)
        stale_key = keep_key is not None and not path.name.split(".")[0].endswith(f"-{keep_key}")
        if month is None or stale_key or wanted is None or month in wanted:
            path.unlink(missing_ok=True)


def none() -> PayerPartials:
    """No fresh partials (every month a run needs is rebuilt)."""
    return PayerPartials([], {}, AMOUNT_SCHEMA.empty_table())


def load(con: duckdb.DuckDBPyConnection, settings: Settings, key: str) -> PayerPartials:
    """The months that have both files under ``key``: their registers as dense arrays and their amount
    counts as a relation on ``con``."""
    found: dict[date, set[str]] = {}
    for path in partials_dir(settings).glob(f"*-{key}.*"):
        month = _month_of(path)
        if month is not None:
            found.setdefault(month, set()).add(path.name.split("-")[0])
    months = sorted(m for m, kinds in found.items() if kinds == set(SUFFIXES))
    if not months:
        return none()
    registers = {}
    for month in months:
        with np.load(_path(settings, "registers", month, key), allow_pickle=False) as stored:
            registers[month] = (stored["areas"], stored["registers"])
    return PayerPartials(
        months, registers, con.read_parquet([str(_path(settings, "amounts", m, key)) for m in months])
    )


def save(con: duckdb.DuckDBPyConnection, settings: Settings, months: Collection[date], key: str) -> None:
    """Write the rebuilt partials of ``months`` (from ``con``'s ``rebuilt_registers`` and
    ``rebuilt_amounts``) under ``key``, each file replaced atomically. Registers are stored dense: the
    areas (``level`` ␟ ``code``) with a payer and a ``uint8`` array (areas × buckets)."""
    for month in sorted(months):
        day = f"DATE '{month.isoformat()}'"
        target = _path(settings, "registers", month, key)
        partial = target.with_name(target.name + ".partial")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE saved_areas AS SELECT "
            "(row_number() OVER (ORDER BY level, code) - 1)::INTEGER AS idx, level, code "
            f"FROM (SELECT DISTINCT level, code FROM rebuilt_registers "
            f"WHERE month = {day})"
        )
        areas = [
            f"{level}{AREA_SEPARATOR}{code}"
            for _i, level, code in con.sql("SELECT idx, level, code FROM saved_areas ORDER BY idx").fetchall()
        ]
        rows = con.sql(
            "SELECT a.idx, r.bucket, r.rho FROM rebuilt_registers AS r JOIN saved_areas AS a "
            f"USING (level, code) WHERE r.month = {day}"
        ).to_arrow_table()
        dense = np.zeros((len(areas), HLL_BUCKETS), np.uint8)
        dense[rows.column("idx").to_numpy(), rows.column("bucket").to_numpy()] = rows.column("rho").to_numpy()
        with partial.open("wb") as handle:
            np.savez(handle, areas=np.array(areas, dtype=str), registers=dense)
        os.replace(partial, target)
        target = _path(settings, "amounts", month, key)
        partial = target.with_name(target.name + ".partial")
        columns = ", ".join(AMOUNT_SCHEMA.names)
        quoted = str(partial).replace("'", "''")
        con.execute(
            f"COPY (SELECT {columns} FROM rebuilt_amounts WHERE month = {day}) "
            f"TO '{quoted}' (FORMAT parquet, COMPRESSION snappy)"
        )
        os.replace(partial, target)
