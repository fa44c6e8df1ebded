"""Demo market points lie inside the desa their code names (checked against the real boundaries in
../shared/data at test time; the demo itself never needs them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from smartkotim.demo.economy import build_demo_register


def test_demo_market_and_trader_points_lie_in_their_desa(shared_data: Path) -> None:
    desa = gpd.read_file(shared_data / "boundaries" / "kotim_desa.geojson").set_index("kode")
    register = build_demo_register("62.02", end=date(2026, 10, 1))
    outside = [
        (m["code"], m["desa_code"])
        for m in register.markets
        if not desa.loc[m["desa_code"]].geometry.contains(Point(float(m["lon"]), float(m["lat"])))
    ]
    assert outside == []
    market_desa = {m["code"]: m["desa_code"] for m in register.markets}
    traders = [r for r in register.merchants if r["market_code"] and r["lat"]]
    inside = sum(
        desa.loc[market_desa[r["market_code"]]].geometry.contains(Point(float(r["lon"]), float(r["lat"])))
        for r in traders
    )
    assert inside >= 0.97 * len(traders), (inside, len(traders))
