"""Duplicate merchants: the same normalised name within 50 m in the same market is flagged for merge.

A group lists merchants that are *all* pairwise within 50 m (its ``max_distance_m`` is ≤ 50).

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
    """Groups (two or more) of ``merchants`` in which every pair is ≤ ``limit_m`` apart (complete link).

    Greedy and deterministic: in the given order, each merchant not yet grouped starts a group and takes
    every later ungrouped merchant within ``limit_m`` of all members so far. So a chain A–B–C with
    A–C over the limit never lands in one group; a pair left over shows up once the group is merged.
    """
    grouped: set[int] = set()
    groups: list[list[Merchant]] = []
    for i, seed in enumerate(merchants):
        if i in grouped:
            continue
        group = [seed]
        for j in range(i + 1, len(merchants)):
            if j not in grouped and all(_merchant_distance(m, merchants[j]) <= limit_m for m in group):
                group.append(merchants[j])
                grouped.add(j)
        if len(group) > 1:
            grouped.add(i)
            groups.append(group)
    return groups


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
