"""Benchmark: point (lon, lat) → desa with the STRtree index, against a naive baseline.

Builds ``smartkotim.lib.geo_index.PolygonIndex`` — the index behind
``regions.services.get_desa_at_points`` — from the shared desa boundaries
(``../shared/data/boundaries/kotim_desa.geojson``) or, when that file is absent, from a synthetic grid
of 185 irregular polygons over the regency's box. Then it places 1,000,000 random points in the
regency's box, and compares with a naive loop (``polygon.contains(point)`` over every polygon) on a
sample of the same points, checking that both agree. Prints points/s and peak RSS; the last line is
one JSON object.

    .venv/bin/python bench/point_lookup.py [--points N] [--baseline-points N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import shapely

from smartkotim.lib.geo_index import PolygonIndex

SHARED_DESA = Path(__file__).resolve().parents[2] / "shared" / "data" / "boundaries" / "kotim_desa.geojson"
REGENCY_BOX = (112.07, -3.30, 113.28, -1.19)  # lon/lat extent of Kotawaringin Timur


def load_shared() -> tuple[list[str], list[shapely.Geometry]]:
    """Codes and geometries of the shared desa file."""
    import geopandas as gpd

    frame = gpd.read_file(SHARED_DESA)
    return list(frame["kode"]), list(frame.geometry)


def synthetic_grid(
    rng: np.random.Generator, cols: int = 15, rows: int = 13
) -> tuple[list[str], list[shapely.Geometry]]:
    """A jittered grid of polygons (about 40 vertices each) tiling the regency's box."""
    minx, miny, maxx, maxy = REGENCY_BOX
    dx, dy = (maxx - minx) / cols, (maxy - miny) / rows
    labels, polygons = [], []
    for c in range(cols):
        for r in range(rows):
            x0, y0 = minx + c * dx, miny + r * dy
            cell = shapely.box(x0, y0, x0 + dx, y0 + dy).segmentize(dx / 10)
            coords = np.asarray(cell.exterior.coords)
            coords[1:-1] += rng.normal(0, dx / 200, coords[1:-1].shape)
            polygons.append(shapely.make_valid(shapely.Polygon(coords)))
            labels.append(f"{c:02d}.{r:02d}")
    return labels, polygons


def naive(
    labels: list[str], polygons: list[shapely.Geometry], lon: np.ndarray, lat: np.ndarray
) -> list[str | None]:
    """The baseline: test every polygon for every point (first hit wins, as in the index)."""
    out: list[str | None] = []
    for x, y in zip(lon, lat, strict=True):
        point = shapely.Point(x, y)
        out.append(
            next((label for label, poly in zip(labels, polygons, strict=True) if poly.covers(point)), None)
        )
    return out


def peak_rss_mb() -> float:
    """Peak resident set size of this process, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(points: int, baseline_points: int, seed: int) -> dict[str, object]:
    """Build the index, time ``points`` lookups and the naive loop on a sample; return the figures."""
    rng = np.random.default_rng(seed)
    source = "shared" if SHARED_DESA.is_file() else "synthetic"
    labels, polygons = load_shared() if source == "shared" else synthetic_grid(rng)
    started = time.perf_counter()
    index = PolygonIndex(labels, polygons)
    build_s = time.perf_counter() - started

    minx, miny, maxx, maxy = REGENCY_BOX
    lon, lat = rng.uniform(minx, maxx, points), rng.uniform(miny, maxy, points)
    started = time.perf_counter()
    found = index.locate(lon, lat)
    index_s = time.perf_counter() - started

    n = min(baseline_points, points)
    started = time.perf_counter()
    expected = naive(labels, polygons, lon[:n], lat[:n])
    naive_s = time.perf_counter() - started
    agree = sum(a == b for a, b in zip(found[:n], expected, strict=True))
    return {
        "benchmark": "point_lookup",
        "source": source,
        "polygons": len(labels),
        "points": points,
        "build_s": round(build_s, 4),
        "index_s": round(index_s, 3),
        "index_points_per_s": round(points / index_s),
        "matched_share": round(float(np.mean(found != None)), 4),  # noqa: E711  (object array)
        "baseline": "shapely covers() loop over every polygon",
        "baseline_points": n,
        "baseline_s": round(naive_s, 3),
        "baseline_points_per_s": round(n / naive_s),
        "speedup": round((points / index_s) / (n / naive_s), 1),
        "baseline_agreement": round(agree / n, 6) if n else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Parse the options, run, print the figures; the last line is one JSON object."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--baseline-points", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    r = run(args.points, args.baseline_points, args.seed)
    print(f"source: {r['source']} ({r['polygons']} polygons), index built in {r['build_s']} s")
    print(f"STRtree index: {r['points']:,} points in {r['index_s']} s = {r['index_points_per_s']:,} points/s")
    print(
        f"naive loop: {r['baseline_points']:,} points in {r['baseline_s']} s"
        f" = {r['baseline_points_per_s']:,} points/s (speed-up {r['speedup']}x)"
    )
    print(f"agreement on the sample: {r['baseline_agreement']}; peak RSS {r['peak_rss_mb']} MiB")
    print(json.dumps(r))
    return r


if __name__ == "__main__":
    outcome = main()
    sys.exit(0 if outcome["baseline_agreement"] in (None, 1.0) else 1)
