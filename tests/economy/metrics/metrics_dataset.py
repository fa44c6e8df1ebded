"""A small hand-made dataset whose metrics are worked out by hand in the tests.

Kabupaten 62.02; kecamatan K1 = 62.02.06 (desa A = .1001 with market PSR1, desa B = .1002),
K2 = 62.02.05 (desa C = .1001), K3 = 62.02.10 (desa D = .2001, no merchant at all).
ISO weeks of October 2026: W40 ends Sun 4 Oct, W41 5–11, W42 12–18, W43 19–25, W44 26 Oct–1 Nov.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

K1, K2, K3 = "62.02.06", "62.02.05", "62.02.10"
A, B, C, D = "62.02.06.1001", "62.02.06.1002", "62.02.05.1001", "62.02.10.2001"
MARKET = "PSR1"


@dataclass(frozen=True, slots=True)
class M:
    """A merchant of the dataset."""

    key: int
    nmid: str | None
    desa: str
    market: str | None
    registered: bool
    onboarded_on: date | None
    acquirer: str | None


@dataclass(frozen=True, slots=True)
class T:
    """A transaction: WIB day, amount in rupiah, payer id, status, merchant key."""

    txn_id: str
    merchant: int
    day: date
    amount: int
    payer: str
    status: str = "success"


MERCHANTS = [
    M(1, "ID1000000000001", A, MARKET, True, date(2026, 1, 1), "BNK1"),
    M(2, "ID1000000000002", A, MARKET, True, date(2026, 10, 15), "BNK2"),
    M(3, None, A, MARKET, False, None, None),
    M(4, "ID1000000000004", B, None, True, None, "BNK1"),
    M(5, None, B, None, False, None, None),
    M(6, "ID1000000000006", C, None, True, date(2025, 1, 1), "BNK1"),
]

TRANSACTIONS = [
    # m1: four active ISO weeks in October (W40..W43) -> habitual; one failed transaction
    T("a1", 1, date(2026, 10, 1), 10_000, "P1"),
    T("a2", 1, date(2026, 10, 6), 20_000, "P2"),
    T("a3", 1, date(2026, 10, 13), 30_000, "P1"),
    T("a4", 1, date(2026, 10, 20), 40_000, "P3"),
    T("a5", 1, date(2026, 10, 20), 5_000, "P4", "failed"),
    # m2: one active week (W42) -> active, not habitual
    T("b1", 2, date(2026, 10, 16), 50_000, "P1"),
    T("b2", 2, date(2026, 10, 17), 60_000, "P2"),
    # m4: W41, W42, W43, W44 -> habitual; one failed transaction on 31 Oct
    T("c1", 4, date(2026, 10, 5), 15_000, "P5"),
    T("c2", 4, date(2026, 10, 12), 15_000, "P5"),
    T("c3", 4, date(2026, 10, 19), 15_000, "P5"),
    T("c4", 4, date(2026, 10, 31), 25_000, "P6"),
    T("c5", 4, date(2026, 10, 31), 99_000, "P6", "failed"),
    # m6: nothing in October 2026; once in November 2026 and once in October 2025
    T("d1", 6, date(2026, 11, 2), 70_000, "P1"),
    T("d2", 6, date(2025, 10, 10), 100_000, "P7"),
]

ADULTS = {A: 1000, B: 500}
