"""Duplicate merchants: the same normalised name within 50 m in the same market is flagged for merge.

(The same NMID cannot be registered twice: it is refused at registration and import.) Flags are
computed from the register each time, so a merge or a move clears them without bookkeeping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations, groupby

from sqlalchemy.orm import Session

from smartkotim.economy.registry import queries
from smartkotim.economy.registry.models import Merchant
from smartkotim.economy.registry.presenters import merchants_out
from smartkotim.economy.registry.queries import MerchantScope
from smartkotim.economy.registry.schemas import DuplicateGroupOut

DUPLICATE_DISTANCE_M = 50.0
EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS84 points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _merchant_distance(a: Merchant, b: Merchant) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    return distance_m(a.lat, a.lon, b.lat, b.lon)


def cluster_near(
    merchants: Sequence[Merchant], limit_m: float = DUPLICATE_DISTANCE_M
) -> list[list[Merchant]]:
    """Groups (two or more) of ``merchants`` linked by pairwise distances ≤ ``limit_m`` (single link)."""
    parent = list(range(len(merchants)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in combinations(range(len(merchants)), 2):
        if _merchant_distance(merchants[i], merchants[j]) <= limit_m:
            parent[root(i)] = root(j)
    clusters: dict[int, list[Merchant]] = {}
    for i, merchant in enumerate(merchants):
        clusters.setdefault(root(i), []).append(merchant)
    return [c for c in clusters.values() if len(c) > 1]


def list_duplicate_groups(
    session: Session, scope: MerchantScope, limit_m: float = DUPLICATE_DISTANCE_M
) -> list[DuplicateGroupOut]:
    """Every group of likely duplicates in ``scope``: same market and normalised name, ≤ ``limit_m`` apart."""
    markets = {m.id: m.code for m in queries.list_markets(session)}
    groups: list[DuplicateGroupOut] = []
    rows = queries.list_name_groups_in_markets(session, scope)
    for (market_id, name), members in groupby(rows, key=lambda m: (m.market_id, m.name_normalised)):
        for cluster in cluster_near(list(members), limit_m):
            widest = max(_merchant_distance(a, b) for a, b in combinations(cluster, 2))
            groups.append(
                DuplicateGroupOut(
                    market_code=markets.get(market_id or 0, ""),
                    name_normalised=name,
                    max_distance_m=round(widest, 1),
                    merchants=merchants_out(session, cluster),
                )
            )
    return groups


def near_duplicates_of(
    session: Session, merchant: Merchant, limit_m: float = DUPLICATE_DISTANCE_M
) -> list[int]:
    """Ids of other non-merged merchants of the same market and name within ``limit_m`` of ``merchant``."""
    if merchant.market_id is None or merchant.lat is None or merchant.lon is None:
        return []
    same = queries.list_merchants_named_in_market(
        session, market_id=merchant.market_id, name_normalised=merchant.name_normalised
    )
    return [
        other.id
        for other in same
        if other.id != merchant.id
        and other.lat is not None
        and other.lon is not None
        and _merchant_distance(merchant, other) <= limit_m
    ]
