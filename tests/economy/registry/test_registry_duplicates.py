"""Duplicate review: every pair inside a group is within 50 m, and the demo has only a handful."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import combinations

from sqlalchemy.orm import Session

from smartkotim.demo.economy import build_demo_register
from smartkotim.economy.registry.duplicates import DUPLICATE_DISTANCE_M, distance_m, list_duplicate_groups
from smartkotim.economy.registry.models import Market, Merchant
from smartkotim.economy.registry.queries import MerchantScope
from smartkotim.economy.registry.rules import normalise_name

# About 30 m apart in latitude each: A–B and B–C are within 50 m, A–C is not.
CHAIN = (-2.54000, -2.54027, -2.54054)
LON = 112.948


def test_groups_hold_only_pairs_within_50_m(db: Session) -> None:
    market = Market(code="PPM", name="PPM", kind="pasar_induk")
    db.add(market)
    db.flush()
    for lat in CHAIN:
        db.add(Merchant(name="Toko Ani", name_normalised="toko ani", market_id=market.id, lat=lat, lon=LON))
    far_pair = (-2.5500, -2.55001)
    for lat in far_pair:
        db.add(
            Merchant(name="Sayur Budi", name_normalised="sayur budi", market_id=market.id, lat=lat, lon=LON)
        )
    db.commit()
    assert distance_m(CHAIN[0], LON, CHAIN[1], LON) < DUPLICATE_DISTANCE_M
    assert distance_m(CHAIN[0], LON, CHAIN[2], LON) > DUPLICATE_DISTANCE_M
    groups = list_duplicate_groups(db, MerchantScope())
    assert sorted((g.name_normalised, len(g.merchants)) for g in groups) == [
        ("sayur budi", 2),
        ("toko ani", 2),
    ]
    for group in groups:
        points = [(float(m.lat or 0), float(m.lon or 0)) for m in group.merchants]
        widest = max(distance_m(a[0], a[1], b[0], b[1]) for a, b in combinations(points, 2))
        assert widest <= DUPLICATE_DISTANCE_M
        assert group.max_distance_m == round(widest, 1)


def test_demo_register_has_only_a_handful_of_near_duplicates() -> None:
    register = build_demo_register("62.02", end=date(2026, 10, 1))
    by_name: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in register.merchants:
        if row["market_code"] and row["lat"]:
            key = (row["market_code"], normalise_name(row["name"]))
            by_name[key].append((float(row["lat"]), float(row["lon"])))
    near = [
        key
        for key, points in by_name.items()
        for a, b in combinations(points, 2)
        if distance_m(a[0], a[1], b[0], b[1]) <= DUPLICATE_DISTANCE_M
    ]
    assert 1 <= len(near) <= 12, near
