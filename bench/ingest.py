"""Benchmark of the transaction ingest (issue 3 §5).

Generates N rows (default 10,000,000) as CSV in the default profile (one bank, 5,000 merchants, one month,
0.1 % of rows repeating an earlier txn id inside the file) and measures, each in its own process:

- ``seconds``: the full ingest (SHA-256, parse, validate, pseudonymise, dedupe, ledger commit, rollups,
  kept upload) of the file into an empty ledger with a SQLite state database, up to the batch
  ``applied``, and its ``peak_rss_mib``;
- ``metrics_refresh_s``: the metrics refresh of issue 4 that follows an applied batch (inline in the
  CLI, the next job in the web worker), timed after ``seconds``; ``seconds_with_metrics`` is the sum and
  ``peak_rss_with_metrics_mib`` the process's peak including it;
- ``floor_s``: DuckDB's bare ``COPY (SELECT *, month FROM read_csv(...)) TO … (FORMAT parquet,
  PARTITION_BY (month))`` of the same file — the unavoidable read and write;
- ``pandas_s``: a straightforward pandas pipeline doing the same checks, pseudonymisation and dedupe and
  writing the same partitioned Parquet (``--skip-pandas`` to leave it out);
- ``repeat_refusal_s``: the same file offered again (refused by its SHA-256);
- ``overlap_added``: a second N-row file that overlaps the ledger except for N/10 new rows.

Usage: ``python bench/ingest.py [--rows N] [--work-dir DIR] [--skip-pandas]``. The last line printed
is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MERCHANTS = 5000
CHANNELS = "['qris','qris','qris','qris','qris','qris','qris','edc','transfer','emoney','va']"


def generate(path: Path, rows: int, *, first_id: int = 0, repeat_below: int | None = None) -> None:
    """Write ``rows`` rows of txn ids ``first_id …``; ids below ``repeat_below`` repeat every 1000th."""
    import duckdb

    limit = rows + first_id if repeat_below is None else repeat_below
    txn = f"CASE WHEN i < {limit} AND i % 1000 = 999 THEN i - 1 ELSE i END"
    duckdb.connect().execute(
        f"""COPY (
        SELECT 'BANKA' AS acquirer, 'T' || lpad(({txn})::VARCHAR, 10, '0') AS txn_id,
            strftime(TIMESTAMP '2026-10-01 00:00:00' + to_seconds((hash(i) % 2678400)::BIGINT),
                     '%Y-%m-%dT%H:%M:%S') || '+07:00' AS timestamp,
            'ID' || lpad((1025380000000 + hash(i * 7) % {MERCHANTS})::VARCHAR, 13, '0') AS nmid,
            (1000 + (hash(i * 3) % 200) * 500)::BIGINT AS amount,
            ({CHANNELS})[1 + (hash(i * 5) % 11)::INT] AS channel,
            CASE WHEN hash(i * 11) % 100 < 97 THEN 'success' ELSE 'failed' END AS status,
            'CIF' || lpad((hash(i * 13) % 300000)::VARCHAR, 9, '0') AS payer_id
        FROM range({first_id}, {first_id + rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')"""
    )


def child(args: list[str]) -> dict[str, Any]:
    """Run ``bench/ingest.py --child …`` and return the JSON it prints."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _settings(work: Path) -> Any:
    from smartkotim.config import load_settings

    return load_settings(data_dir=work / "var", secret_key="bench-secret-key-0123456789-abcdefghijklmnop")


def setup_state(work: Path) -> None:
    """A fresh data directory: migrated SQLite, one bank, the merchants."""
    from smartkotim.accounts.models import Organisation
    from smartkotim.economy.registry.models import Merchant
    from smartkotim.runtime import open_runtime

    runtime = open_runtime(_settings(work))
    with runtime.session_factory() as session:
        session.add(Organisation(code="BANKA", name="Bank A", kind="bank"))
        session.add_all(
            Merchant(nmid=f"ID{1025380000000 + i:013d}", name=f"m{i}", name_normalised=f"m{i}")
            for i in range(MERCHANTS)
        )
        session.commit()


def child_ingest(work: Path, path: Path) -> dict[str, Any]:
    """Ingest ``path`` (timed from the first byte hashed to the batch applied)."""
    from smartkotim.economy.ingest import services
    from smartkotim.economy.ingest.models import BatchSource
    from smartkotim.runtime import open_runtime

    runtime = open_runtime(_settings(work))
    started, cpu = time.perf_counter(), _cpu()
    sha, size = services.file_sha256(path)
    spec = services.UploadSpec(path=path, file_name=path.name, sha256=sha, size=size, bank_code="BANKA",
                               profile_name="default", source=BatchSource.CLI)  # fmt: skip
    try:
        batch = services.ingest_file(runtime.settings, runtime.session_factory, spec, metrics="none")
    except services.DuplicateFileError as exc:
        return {"refused": True, "seconds": time.perf_counter() - started, "batch_id": exc.batch_id}
    seconds, cpu_s = time.perf_counter() - started, _cpu() - cpu
    peak_mib = _peak_mib()
    metrics_s = _time_metrics_refresh(runtime, batch.id)
    return {"refused": False, "seconds": seconds, "cpu_s": cpu_s, "status": batch.status,
            "message": batch.message,
            "read": batch.rows_read, "accepted": batch.rows_accepted, "duplicate": batch.rows_duplicate,
            "rejected": batch.rows_rejected, "timings": (batch.details or {}).get("timings", {}),
            "metrics_refresh_s": round(metrics_s, 3),
            "peak_rss_mib": peak_mib,
            "peak_rss_with_metrics_mib": _peak_mib()}  # fmt: skip


def _time_metrics_refresh(runtime: Any, batch_id: int) -> float:
    """Run and time the metrics refresh of issue 4 that follows an applied batch (the CLI runs it inline
    after the batch, the web worker as the next job): wall seconds. It is not part of ``seconds``."""
    from sqlalchemy import select

    from smartkotim.economy.ingest import reconcile
    from smartkotim.economy.ingest.models import TransactionRollup

    with runtime.session_factory() as session:
        days = sorted(session.scalars(
            select(TransactionRollup.day).where(TransactionRollup.batch_id == batch_id).distinct()
        ))  # fmt: skip
    began = time.perf_counter()
    reconcile.refresh_metrics(runtime.settings, runtime.session_factory, batch_id, days)
    return time.perf_counter() - began


def _peak_mib() -> float:
    """Peak resident memory of this process so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds (user + system, all threads) used by this process so far: unlike wall time, hardly
    changed by other programs competing for the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_floor(path: Path, out: Path) -> dict[str, Any]:
    """DuckDB's bare read + partitioned Parquet write of the file."""
    import duckdb

    con = duckdb.connect()
    started, cpu = time.perf_counter(), _cpu()
    con.execute(
        f"COPY (SELECT *, year(timestamp) * 100 + month(timestamp) AS month FROM read_csv('{path}')) "
        f"TO '{out}' (FORMAT parquet, PARTITION_BY (month))"
    )
    return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu}


def child_pandas(path: Path, out: Path) -> dict[str, Any]:
    """The straightforward pandas pipeline: same checks, pseudonyms, dedupe, partitioned Parquet."""
    import hashlib

    import pandas as pd

    started = time.perf_counter()
    key = "bench-key"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    ts = pd.to_datetime(df["timestamp"], utc=True, errors="coerce", format="ISO8601")
    amount = pd.to_numeric(df["amount"], errors="coerce")
    ok = ts.notna() & amount.gt(0) & amount.le(100_000_000) & df["nmid"].str.fullmatch(r"ID\d{13}")
    ok &= df["channel"].isin(["qris", "edc", "transfer", "emoney", "va"])
    ok &= df["status"].isin(["success", "failed", "reversed"]) & df["txn_id"].ne("")
    payers = df["payer_id"].unique()
    mapping = {p: int(hashlib.sha256(f"{key}:{p}".encode()).hexdigest()[:15], 16) for p in payers}
    out_df = pd.DataFrame({
        "acquirer_code": df["acquirer"], "txn_id": df["txn_id"], "ts": ts, "nmid": df["nmid"],
        "amount": amount, "channel": df["channel"], "status": df["status"],
        "payer": df["payer_id"].map(mapping),
    })[ok]  # fmt: skip
    out_df = out_df.drop_duplicates(["acquirer_code", "txn_id"])
    local = out_df["ts"].dt.tz_convert("Asia/Jakarta")
    out_df["day"] = local.dt.date
    out_df["month"] = local.dt.strftime("%Y-%m")
    out_df.to_parquet(out, partition_cols=["month"], index=False)
    return {"seconds": time.perf_counter() - started}


def run_child(argv: list[str]) -> None:
    kind, rest = argv[0], argv[1:]
    if kind == "setup":
        setup_state(Path(rest[0]))
        result: dict[str, Any] = {}
    elif kind == "ingest":
        result = child_ingest(Path(rest[0]), Path(rest[1]))
    elif kind == "floor":
        result = child_floor(Path(rest[0]), Path(rest[1]))
    else:
        result = child_pandas(Path(rest[0]), Path(rest[1]))
    print(json.dumps(result), flush=True)
    # leave without interpreter teardown: pandas/pyarrow's worker threads can abort the process at exit
    # ("terminate called without an active exception") after the result is printed and all files closed
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    shutil.rmtree(work / "var", ignore_errors=True)
    for stale in ("floor", "pandas"):
        shutil.rmtree(work / stale, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    n = args.rows
    main_csv, overlap_csv = work / "report.csv", work / "overlap.csv"
    started = time.perf_counter()
    generate(main_csv, n)
    generate(overlap_csv, n, first_id=n // 10, repeat_below=n)
    print(
        f"generated 2 × {n:,} rows in {time.perf_counter() - started:.1f} s "
        f"({main_csv.stat().st_size:,} B each)"
    )
    child(["setup", str(work)])
    first = child(["ingest", str(work), str(main_csv)])
    print(f"ingest: {json.dumps(first)}")
    refusal = child(["ingest", str(work), str(main_csv)])
    overlap = child(["ingest", str(work), str(overlap_csv)])
    print(f"overlap: {json.dumps(overlap)}")
    floor = child(["floor", str(main_csv), str(work / "floor")])
    pandas_s = None if args.skip_pandas else child(["pandas", str(main_csv), str(work / "pandas")])["seconds"]
    seconds = first["seconds"]
    result = {
        "rows": n, "seconds": round(seconds, 2), "rows_per_s": round(n / seconds),
        "floor_s": round(floor["seconds"], 2), "pandas_s": None if pandas_s is None else round(pandas_s, 2),
        "cpu_s": round(first["cpu_s"], 2), "floor_cpu_s": round(floor["cpu_s"], 2),
        "peak_rss_mib": round(first["peak_rss_mib"]), "repeat_refusal_s": round(refusal["seconds"], 3),
        "repeat_refused": refusal["refused"], "overlap_added": overlap.get("accepted"),
        "overlap_expected": n // 10, "accepted": first["accepted"], "duplicate": first["duplicate"],
        "timings": first["timings"], "metrics_refresh_s": first["metrics_refresh_s"],
        "seconds_with_metrics": round(seconds + first["metrics_refresh_s"], 2),
        "peak_rss_with_metrics_mib": round(first["peak_rss_with_metrics_mib"]),
        "cpus": os.cpu_count(),
    }  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(sys.argv[2:])
    else:
        main()
