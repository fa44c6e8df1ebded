"""Synthetic bank transaction reports for the demo and the benchmarks (documented in docs/demo_data.md).

``generate_transactions(merchants, months, rows_per_month, seed)`` yields one ``BankMonth`` per
acquirer and month: a pyarrow table in the ingest's default profile (``acquirer, txn_id, timestamp,
nmid, amount, channel, status, payer_id``; timestamp ISO 8601 in WIB without offset, amount whole
rupiah). Everything is a pure function of its arguments: each month has its own random stream
(``seed``, year, month), so a month's file is identical whichever window it is generated in.

Model per merchant and month: expected count = weight × ramp (0→1 over the six months after QRIS
onboarding) × growth (+2.5 % a month since 2024-01) × a Lebaran/December bump; dormant merchants
(stickers without use) transact at 3 % of that. Counts are Poisson draws scaled so that the window
averages ``rows_per_month`` rows. Each transaction falls on a day of the month drawn with weekday
weights (weekends busier, Friday quieter) — for occasional traders inside one 10-day stretch of the
month — and at an hour inside the merchant's ``open_hours`` (market
opening hours; busiest early) or, without them, a day or night hour profile.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

COLUMNS = ("acquirer", "txn_id", "timestamp", "nmid", "amount", "channel", "status", "payer_id")
CHANNELS = np.array(["qris", "edc", "transfer", "emoney", "va"])
CHANNEL_P = np.array([0.88, 0.05, 0.03, 0.02, 0.02])
STATUSES = np.array(["success", "failed", "reversed"])
STATUS_P = np.array([0.975, 0.02, 0.005])
REVERSAL_DELAY_S = 20 * 60  # a reversed payment is voided 20 minutes after it (capped at the month's end)
# Share of payments by shoppers from a kabupaten-wide pool (commuters, civil servants, traders buying
# stock) who pay in several kecamatan: one payer of the kabupaten, counted in each kecamatan they pay in
TRAVELLING_SHARE = 0.15
TRAVELLING_PAYERS = 3_000
EPOCH = (2024, 1)  # growth is counted from this month, so a month's data never depends on the window
MONTHLY_GROWTH = 0.025
BUMP_MONTHS = {3: 1.25, 4: 1.15, 12: 1.2}  # Ramadan/Lebaran (approximate) and year end
DAY_HOURS = np.array([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
DAY_HOUR_P = np.array([9, 14, 15, 13, 11, 9, 8, 6, 5, 4, 3, 3], dtype=float)
NIGHT_HOURS = np.array([17, 18, 19, 20, 21, 22])
NIGHT_HOUR_P = np.array([10, 20, 25, 22, 15, 8], dtype=float)
OCCASIONAL_DAYS = 10  # an occasional trader's stretch of market days in a month
WEEKDAY_WEIGHT = np.array([1.0, 0.95, 0.95, 1.0, 0.9, 1.2, 1.25])  # Monday … Sunday (Friday prayers)


@dataclass(frozen=True, slots=True)
class TxnMerchant:
    """What the generator needs of a merchant.

    ``weight``: expected successful transactions per month at maturity (before scaling);
    ``onboarded``: ``(year, month)`` of QRIS onboarding; ``median_amount``: rupiah;
    ``payer_pool``: the key of the group of payers who shop there (e.g. the kecamatan code).
    """

    nmid: str
    acquirer: str
    weight: float = 1.0
    onboarded: tuple[int, int] = EPOCH
    dormant: bool = False
    night: bool = False
    median_amount: int = 25_000
    payer_pool: str = "62.02"
    open_hours: tuple[int, int] | None = None  # (first hour, closing hour) WIB, e.g. (5, 12)
    occasional: bool = False  # trades in one 10-day stretch a month (seasonal/part-time traders)


@dataclass(frozen=True, slots=True)
class BankMonth:
    """One bank's report for one month (``YYYY-MM``): a table in the default profile."""

    acquirer: str
    month: str
    table: pa.Table


def month_index(year: int, month: int) -> int:
    """Months since ``EPOCH`` (negative before it)."""
    return (year - EPOCH[0]) * 12 + (month - EPOCH[1])


def parse_month(text: str) -> tuple[int, int]:
    """``"2025-03"`` → ``(2025, 3)``; raises ``ValueError`` otherwise."""
    year, month = text.split("-")
    if len(year) != 4 or not 1 <= int(month) <= 12:
        raise ValueError(f"{text!r} is not a month like 2025-03")
    return int(year), int(month)


def expected_counts(merchants: Sequence[TxnMerchant], month: str) -> np.ndarray:
    """Expected (unscaled) transactions of each merchant in ``month``."""
    year, mon = parse_month(month)
    now = month_index(year, mon)
    onboard = np.array([month_index(*m.onboarded) for m in merchants])
    ramp = np.clip((now - onboard + 1) / 6.0, 0.0, 1.0)
    weight = np.array([m.weight for m in merchants]) * np.where([m.dormant for m in merchants], 0.03, 1.0)
    growth = (1 + MONTHLY_GROWTH) ** max(now, 0) * BUMP_MONTHS.get(mon, 1.0)
    return np.asarray(weight * ramp * growth, dtype=float)


def _scale(merchants: Sequence[TxnMerchant], months: Sequence[str], rows_per_month: int) -> float:
    total = sum(float(expected_counts(merchants, m).sum()) for m in months)
    return rows_per_month * len(months) / total if total > 0 else 0.0


def generate_transactions(
    merchants: Sequence[TxnMerchant], months: Sequence[str], rows_per_month: int, seed: int
) -> Iterator[BankMonth]:
    """One ``BankMonth`` per acquirer with rows, per month, in month then acquirer order.

    ``rows_per_month`` is the average over ``months`` (busy months have more). Deterministic in
    (merchants, months, rows_per_month, seed).
    """
    if not merchants or not months:
        return
    scale = _scale(merchants, months, rows_per_month)
    acquirers = np.array([m.acquirer for m in merchants])
    for month in months:
        table = _month_table(merchants, month, scale, seed)
        if table.num_rows == 0:
            continue
        merchant_of = table.column("_merchant").to_numpy()
        table = table.drop_columns(["_merchant"])
        for acquirer in sorted(set(acquirers.tolist())):
            mask = acquirers[merchant_of] == acquirer
            if mask.any():
                part = table.filter(pa.array(mask))
                yield BankMonth(acquirer, month, _with_ids(part, acquirer, month))


def _month_table(merchants: Sequence[TxnMerchant], month: str, scale: float, seed: int) -> pa.Table:
    year, mon = parse_month(month)
    rng = np.random.default_rng([seed, year, mon])
    counts = rng.poisson(expected_counts(merchants, month) * scale)
    index = np.repeat(np.arange(len(merchants)), counts)
    n = len(index)
    night = np.array([m.night for m in merchants])[index]
    hours = np.where(
        night,
        rng.choice(NIGHT_HOURS, size=n, p=NIGHT_HOUR_P / NIGHT_HOUR_P.sum()),
        rng.choice(DAY_HOURS, size=n, p=DAY_HOUR_P / DAY_HOUR_P.sum()),
    )
    hours = _within_opening_hours(merchants, index, hours, rng)
    occasional = np.array([m.occasional for m in merchants])
    days = _day_of_month(rng, year, mon, index, occasional)
    seconds = days * 86400 + hours * 3600 + rng.integers(0, 3600, n)
    stamps = np.datetime64(f"{year:04d}-{mon:02d}-01T00:00:00") + seconds.astype("timedelta64[s]")
    order = np.argsort(stamps, kind="stable")
    index, stamps = index[order], stamps[order]
    medians = np.array([m.median_amount for m in merchants], dtype=float)[index]
    amounts = np.maximum(1000, np.round(medians * rng.lognormal(0.0, 0.6, n) / 500) * 500).astype(np.int64)
    pools = np.array([m.payer_pool for m in merchants])[index]
    payers = np.char.add(
        np.char.add("P", np.char.replace(pools, ".", "")), rng.integers(0, 4000, n).astype(str)
    )
    travel = np.random.default_rng([seed, year, mon, 7])  # own stream: the other columns stay as they were
    travelling = travel.random(n) < TRAVELLING_SHARE
    payers = np.where(
        travelling, np.char.add("PT", travel.integers(0, TRAVELLING_PAYERS, n).astype(str)), payers
    )
    return pa.table(
        {
            "_merchant": index,
            "timestamp": np.datetime_as_string(stamps, unit="s"),
            "nmid": np.array([m.nmid for m in merchants])[index],
            "amount": amounts,
            "channel": rng.choice(CHANNELS, size=n, p=CHANNEL_P),
            "status": rng.choice(STATUSES, size=n, p=STATUS_P),
            "payer_id": payers,
        }
    )


def _within_opening_hours(
    merchants: Sequence[TxnMerchant], index: np.ndarray, hours: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Hours of merchants with ``open_hours`` redrawn inside them (busiest early, as in a market)."""
    opens = np.array([m.open_hours[0] if m.open_hours else -1 for m in merchants])[index]
    closes = np.array([m.open_hours[1] if m.open_hours else -1 for m in merchants])[index]
    span = np.maximum(closes - opens, 1)
    drawn = opens + np.floor(span * rng.beta(1.3, 2.2, len(index))).astype(np.int64)
    return np.where(opens >= 0, drawn, hours)


def _day_of_month(
    rng: np.random.Generator, year: int, month: int, index: np.ndarray, occasional: np.ndarray
) -> np.ndarray:
    """Zero-based day of the month of each row (``index`` = its merchant), weighted by weekday (markets
    open daily; weekends busier); an occasional merchant trades only in one ``OCCASIONAL_DAYS`` stretch
    of the month (its start drawn per merchant and month)."""
    first = date(year, month, 1)
    days = calendar.monthrange(year, month)[1]
    weekday = (first.weekday() + np.arange(days)) % 7  # 0 = Monday
    weights = WEEKDAY_WEIGHT[weekday]
    spread = rng.choice(days, size=len(index), p=weights / weights.sum())
    starts = rng.integers(0, days - OCCASIONAL_DAYS + 1, len(occasional))
    stretch = starts[index] + rng.integers(0, OCCASIONAL_DAYS, len(index))
    return np.where(occasional[index], stretch, spread)


def _with_ids(part: pa.Table, acquirer: str, month: str) -> pa.Table:
    """The report of ``acquirer`` for ``month``: txn ids numbered in time order, and each row drawn as
    ``reversed`` turned into a successful transaction followed, ``REVERSAL_DELAY_S`` later (within the
    month), by its reversal: a row with the same txn id and the status ``reversed``, as banks report a
    refund or void of a payment."""
    n = part.num_rows
    prefix = f"{acquirer}-{month.replace('-', '')}-"
    ids = np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    status = part.column("status").to_numpy(zero_copy_only=False).astype(str)
    reversed_rows = np.flatnonzero(status == "reversed")
    status[reversed_rows] = "success"
    columns = {
        "acquirer": np.array([acquirer] * n),
        "txn_id": ids,
        **{name: part.column(name).to_numpy(zero_copy_only=False) for name in COLUMNS[2:]},
    }
    columns["status"] = status
    if len(reversed_rows):
        year, mon = parse_month(month)
        last = np.datetime64(f"{year:04d}-{mon:02d}-{calendar.monthrange(year, mon)[1]:02d}T23:59:59")
        stamps = columns["timestamp"][reversed_rows].astype("datetime64[s]")
        later = np.minimum(stamps + np.timedelta64(REVERSAL_DELAY_S, "s"), last)
        extra = {name: values[reversed_rows] for name, values in columns.items()}
        extra["timestamp"] = np.datetime_as_string(later, unit="s")
        extra["status"] = np.array(["reversed"] * len(reversed_rows))
        columns = {name: np.concatenate([values, extra[name]]) for name, values in columns.items()}
        order = np.argsort(columns["timestamp"].astype("datetime64[s]"), kind="stable")
        columns = {name: values[order] for name, values in columns.items()}
    return pa.table({name: pa.array(columns[name]) for name in COLUMNS})


def write_report_csv(report: BankMonth, folder: Path) -> Path:
    """Write one report as ``<folder>/<acquirer>_<YYYY-MM>.csv`` (UTF-8, comma); returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{report.acquirer}_{report.month}.csv"
    pacsv.write_csv(report.table, path, pacsv.WriteOptions(quoting_style="needed"))
    return path


def month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive."""
    y, m = parse_month(first)
    end = parse_month(last)
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
