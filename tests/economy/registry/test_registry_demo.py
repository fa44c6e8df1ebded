"""Demo data: the generator is deterministic, the register is plausible, adoption has an area gradient
and grows over time (computed here from the generated rows), and the demo register imports idempotently."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
from registry_helpers import Person
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.demo.economy import build_demo_register
from smartkotim.demo.economy_loading import load_register
from smartkotim.demo.economy_transactions import TxnMerchant, generate_transactions, month_range
from smartkotim.economy.registry.rules import is_valid_nmid

END = date(2026, 10, 1)
MONTHS = month_range("2024-11", "2026-10")
SAMPIT_KEC = ("62.02.06", "62.02.05")
UPRIVER_KEC = ("62.02.10", "62.02.17", "62.02.15")


def test_generator_is_deterministic_and_in_the_default_profile() -> None:
    merchants = [
        TxnMerchant(nmid=f"ID1{i:012d}", acquirer=("BRI", "BNI")[i % 2], weight=1 + i % 5) for i in range(40)
    ]
    first = [
        (r.acquirer, r.month, r.table) for r in generate_transactions(merchants, MONTHS[:3], 500, seed=3)
    ]
    again = [
        (r.acquirer, r.month, r.table) for r in generate_transactions(merchants, MONTHS[:3], 500, seed=3)
    ]
    other = [r.table for r in generate_transactions(merchants, MONTHS[:3], 500, seed=4)]
    assert [(a, m) for a, m, _ in first] == [(a, m) for a, m, _ in again]
    assert all(t1.equals(t2) for (_, _, t1), (_, _, t2) in zip(first, again, strict=True))
    assert not all(t.equals(o) for (_, _, t), o in zip(first, other, strict=False))
    table = first[0][2]
    assert table.column_names == [
        "acquirer",
        "txn_id",
        "timestamp",
        "nmid",
        "amount",
        "channel",
        "status",
        "payer_id",
    ]
    assert set(pc.unique(table.column("channel")).to_pylist()) <= {"qris", "edc", "transfer", "emoney", "va"}
    assert set(pc.unique(table.column("status")).to_pylist()) <= {"success", "failed", "reversed"}
    assert pc.min(table.column("amount")).as_py() >= 1000
    assert all(ts.startswith(first[0][1]) for ts in table.column("timestamp").to_pylist())
    total = sum(t.num_rows for _, _, t in first)
    assert 1200 < total < 1800  # 3 months × 500 on average, Poisson noise


def test_a_month_does_not_depend_on_the_window() -> None:
    merchants = [TxnMerchant(nmid=f"ID1{i:012d}", acquirer="BRI") for i in range(10)]
    short = {r.month: r.table for r in generate_transactions(merchants, ["2025-05"], 100, seed=1)}
    assert short["2025-05"].num_rows > 0


def _adoption(register_merchants: list[dict[str, str]], reports: list, month: str) -> dict[str, float]:
    """Active merchants (≥ 1 successful transaction in ``month``) ÷ all traders, per kecamatan."""
    kec_of_nmid = {}
    traders: dict[str, int] = defaultdict(int)
    market_kec = {}
    for row in register_merchants:
        kec = row["desa_code"][:8] if row["desa_code"] else market_kec.get(row["market_code"], "")
        traders[kec] += 1
        if row["nmid"]:
            kec_of_nmid[row["nmid"]] = kec
    active: dict[str, set[str]] = defaultdict(set)
    for report in reports:
        if report.month != month:
            continue
        ok = report.table.filter(pc.equal(report.table.column("status"), "success"))
        for nmid in set(ok.column("nmid").to_pylist()):
            active[kec_of_nmid[nmid]].add(nmid)
    return {kec: len(active[kec]) / n for kec, n in traders.items() if n}


def test_demo_adoption_is_higher_in_sampit_than_upriver_and_grows() -> None:
    register = build_demo_register("62.02", end=END)
    again = build_demo_register("62.02", end=END)
    assert register.merchants == again.merchants  # deterministic
    assert 2500 <= len(register.merchants) <= 4000
    nmids = [r["nmid"] for r in register.merchants if r["nmid"]]
    assert all(is_valid_nmid(n) for n in nmids) and len(set(nmids)) == len(nmids)
    assert {m["code"] for m in register.markets} >= {
        "PPM",
        "PIM",
        "PSR-KERAMAT",
        "PSR-EKS-MENTAYA",
        "PSR-AL-KAMAL",
        "PSR-UMAR-HASYIM",
    }
    # the market's desa decides the kecamatan of market traders
    market_desa = {m["code"]: m["desa_code"] for m in register.markets}
    rows = [
        dict(r, desa_code=r["desa_code"] or market_desa.get(r["market_code"], "")) for r in register.merchants
    ]
    reports = list(generate_transactions(register.txn_merchants, MONTHS, 20_000, seed=11))
    last = _adoption(rows, reports, MONTHS[-1])
    first = _adoption(rows, reports, MONTHS[0])
    for city in SAMPIT_KEC:
        for upriver in UPRIVER_KEC:
            assert last[city] > 2 * last[upriver], (city, upriver, last)
    total_last = sum(last[k] for k in last) / len(last)
    total_first = sum(first[k] for k in first) / len(first)
    assert total_last > total_first * 1.2


def test_demo_register_imports_idempotently(
    db: Session, settings: Settings, people: dict[str, Person]
) -> None:
    from smartkotim.accounts.models import Organisation

    for code in ("MANDIRI", "BPD-KALTENG", "BSI"):
        db.add(Organisation(code=code, name=code, kind="bank"))
    db.commit()
    register = build_demo_register("62.02", end=END)
    markets, merchants = load_register(db, settings, register)
    assert (markets.rejected, merchants.rejected) == (0, 0), merchants.errors[:3]
    assert merchants.created == len(register.merchants)
    assert merchants.unresolved == 3
    _, again = load_register(db, settings, register)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(register.merchants))


def test_demo_transactions_spread_over_the_month_and_habitual_merchants_exist() -> None:
    import datetime as dt

    register = build_demo_register("62.02", end=END)
    reports = list(generate_transactions(register.txn_merchants, MONTHS[-2:], 20_000, seed=5))
    weeks: dict[str, set[tuple[int, int]]] = defaultdict(set)
    days: set[int] = set()
    hours: set[int] = set()
    for report in reports:
        if report.month != MONTHS[-1]:
            continue
        ok = report.table.filter(pc.equal(report.table.column("status"), "success"))
        for nmid, text in zip(ok.column("nmid").to_pylist(), ok.column("timestamp").to_pylist(), strict=True):
            stamp = dt.datetime.fromisoformat(text)
            assert stamp.strftime("%Y-%m") == MONTHS[-1]
            weeks[nmid].add(stamp.isocalendar()[:2])
            days.add(stamp.day)
            hours.add(stamp.hour)
    assert days == set(range(1, 32))  # October has 31 days, every one has sales
    assert len(hours) >= 12
    habitual = sum(len(w) >= 4 for w in weeks.values())
    assert 0.3 < habitual / len(weeks) < 0.95, (habitual, len(weeks))
    # PIM (night fish market, 17:00-23:00) trades in the evening only
    pim = {r["nmid"] for r in register.merchants if r["market_code"] == "PIM" and r["nmid"]}
    pim_hours = {
        dt.datetime.fromisoformat(ts).hour
        for report in reports
        for nmid, ts in zip(
            report.table.column("nmid").to_pylist(), report.table.column("timestamp").to_pylist(), strict=True
        )
        if nmid in pim
    }
    assert pim_hours and min(pim_hours) >= 17 and max(pim_hours) < 23


def test_ensure_banks_counts_banks_created_and_already_there(db: Session, orgs: dict[str, int]) -> None:
    from smartkotim.accounts.organisations import BANK_SEED
    from smartkotim.demo.economy_loading import ensure_banks

    existing = sum(code in orgs for code, _ in BANK_SEED)  # the fixture made BRI and BNI
    assert ensure_banks(db, regency_code="62.02") == (len(BANK_SEED) - existing, existing)
    assert ensure_banks(db, regency_code="62.02") == (0, len(BANK_SEED))


def test_a_month_file_is_byte_identical_across_runs(tmp_path: Path) -> None:
    from smartkotim.demo.economy_transactions import write_report_csv

    register = build_demo_register("62.02", end=END)
    first = next(generate_transactions(register.txn_merchants, MONTHS[-1:], 5_000, seed=7))
    again = next(generate_transactions(register.txn_merchants, MONTHS[-1:], 5_000, seed=7))
    one = write_report_csv(first, tmp_path / "a").read_bytes()
    two = write_report_csv(again, tmp_path / "b").read_bytes()
    assert one == two and len(one) > 1000


def test_some_demo_payers_pay_in_several_kecamatan() -> None:
    register = build_demo_register("62.02", end=END)
    kecamatan_of = {m.nmid: m.payer_pool for m in register.txn_merchants}
    payers: dict[str, set[str]] = defaultdict(set)
    everyone: set[str] = set()
    for part in generate_transactions(register.txn_merchants, ["2026-10"], 20_000, seed=5):
        for nmid, payer in zip(
            part.table.column("nmid").to_pylist(), part.table.column("payer_id").to_pylist(), strict=True
        ):
            payers[kecamatan_of[nmid]].add(payer)
            everyone.add(payer)
    in_several = {p for p in everyone if sum(p in s for s in payers.values()) > 1}
    assert in_several and all(p.startswith("PT") for p in in_several)
    # so the kecamatan's unique payers add up to more than the kabupaten's: never sum them
    assert sum(len(s) for s in payers.values()) > len(everyone)


def test_demo_reversals_void_an_earlier_payment_of_the_same_report() -> None:
    register = build_demo_register("62.02", end=END)
    reversals = 0
    for part in generate_transactions(register.txn_merchants, ["2026-10"], 20_000, seed=5):
        rows = part.table.to_pylist()
        stamps = [r["timestamp"] for r in rows]
        assert stamps == sorted(stamps)  # in time order
        payments = {r["txn_id"]: r for r in rows if r["status"] != "reversed"}
        assert len(payments) == sum(1 for r in rows if r["status"] != "reversed")  # ids unique
        for row in (r for r in rows if r["status"] == "reversed"):
            original = payments[row["txn_id"]]  # the payment it voids is in the same report
            assert original["status"] == "success" and original["timestamp"] <= row["timestamp"]
            keys = ("nmid", "amount", "channel", "payer_id")
            assert [original[k] for k in keys] == [row[k] for k in keys]
            reversals += 1
    assert reversals > 0
