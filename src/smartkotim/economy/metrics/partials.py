"""The month partials of unique payers and the median ticket, kept between runs (``payer_queries``).

Per calendar month two Parquet files in ``DATA_DIR/metrics/payers/``: ``registers-YYYY-MM-<key>`` (the
HyperLogLog registers of every area: ``month, level, code, bucket, rho``) and ``amounts-YYYY-MM-<key>``
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

from smartkotim.config import Settings
from smartkotim.economy.metrics.cells import metrics_dir
from smartkotim.economy.metrics.compute import AMOUNT_SCHEMA, REGISTER_SCHEMA, PayerPartials, RegisterInputs
from smartkotim.economy.metrics.payer_queries import HLL_PRECISION

SKETCH_VERSION = "1"  # bump when the partials' SQL changes meaning
KINDS = {"registers": "rebuilt_registers", "amounts": "rebuilt_amounts"}


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
    return partials_dir(settings) / f"{kind}-{month:%Y-%m}-{key}.parquet"


def _month_of(path: Path) -> date | None:
    parts = path.stem.split("-")  # kind, YYYY, MM, key
    if len(parts) != 4 or parts[0] not in KINDS:
        return None
    return date(int(parts[1]), int(parts[2]), 1)


def discard(
    settings: Settings, months: Collection[date] | None = None, *, keep_key: str | None = None
) -> None:
    """Delete the files of ``months`` (first days; ``None``: all months), and every file whose key is not
    ``keep_key`` (when given)."""
    wanted = None if months is None else {m.replace(day=1) for m in months}
    for path in partials_dir(settings).glob("*.parquet"):
        month = _month_of(path)
        stale_key = keep_key is not None and not path.stem.endswith(f"-{keep_key}")
        if month is None or stale_key or wanted is None or month in wanted:
            path.unlink(missing_ok=True)


def none() -> PayerPartials:
    """No fresh partials (every month a run needs is rebuilt)."""
    return PayerPartials([], REGISTER_SCHEMA.empty_table(), AMOUNT_SCHEMA.empty_table())


def load(con: duckdb.DuckDBPyConnection, settings: Settings, key: str) -> PayerPartials:
    """The months that have both files under ``key``, and their rows as relations on ``con``."""
    found: dict[date, set[str]] = {}
    for path in partials_dir(settings).glob(f"*-{key}.parquet"):
        month = _month_of(path)
        if month is not None:
            found.setdefault(month, set()).add(path.stem.split("-")[0])
    months = sorted(m for m, kinds in found.items() if kinds == set(KINDS))
    if not months:
        return none()
    return PayerPartials(
        months,
        con.read_parquet([str(_path(settings, "registers", m, key)) for m in months]),
        con.read_parquet([str(_path(settings, "amounts", m, key)) for m in months]),
    )


def save(con: duckdb.DuckDBPyConnection, settings: Settings, months: Collection[date], key: str) -> None:
    """Write the rebuilt partials of ``months`` (from ``con``'s ``rebuilt_registers`` and
    ``rebuilt_amounts``) under ``key``, each file replaced atomically."""
    for month in sorted(months):
        for kind, table in KINDS.items():
            target = _path(settings, kind, month, key)
            partial = target.with_suffix(".partial")
            schema = REGISTER_SCHEMA if kind == "registers" else AMOUNT_SCHEMA
            columns = ", ".join(schema.names)
            quoted = str(partial).replace("'", "''")
            con.execute(
                f"COPY (SELECT {columns} FROM {table} WHERE month = DATE '{month.isoformat()}') "
                f"TO '{quoted}' (FORMAT parquet, COMPRESSION snappy)"
            )
            os.replace(partial, target)
