"""Schematic tile maps: one square per region, laid out roughly by geography, for when no boundaries exist.

Pure geometry (no database). ``layout_tiles`` snaps approximate positions (for example kecamatan
capitals) to a square grid, moving a region to the nearest free cell when its cell is taken; regions
without a known position go on a row below the map. ``tile_square`` and ``subdivide_tile`` turn cells
into polygons in the same units as the positions (degrees), so tiles sit near the real places.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shapely import Polygon, box

TILE_FILL = 0.9  # share of a cell covered by its tile (the rest is the gap between tiles)


@dataclass(frozen=True, slots=True)
class Tile:
    """One region's cell: column (west → east), row (north → south) and whether its position was known."""

    code: str
    col: int
    row: int
    position_known: bool


def _nearest_free(target: tuple[float, float], taken: set[tuple[int, int]]) -> tuple[int, int]:
    """The free grid cell closest to the continuous position ``target`` (col, row)."""
    best: tuple[float, int, int] | None = None
    radius = 0
    while best is None or radius <= math.ceil(best[0]) + 1:
        base_c, base_r = round(target[0]), round(target[1])
        for dc in range(-radius, radius + 1):
            for dr in range(-radius, radius + 1):
                cell = (base_c + dc, base_r + dr)
                if cell in taken:
                    continue
                dist = math.hypot(cell[0] - target[0], cell[1] - target[1])
                if best is None or (dist, cell[0], cell[1]) < best:
                    best = (dist, cell[0], cell[1])
        radius += 1
    return best[1], best[2]


def layout_tiles(
    codes: Sequence[str], positions: Mapping[str, tuple[float, float]], cell: float
) -> list[Tile]:
    """Grid cells for ``codes``; ``positions`` maps a code to its approximate (lon, lat) in degrees.

    ``cell`` is the grid spacing in degrees. Codes are placed in order; a code whose cell is taken
    goes to the nearest free cell. Without any position the tiles form a near-square grid in code order.
    """
    known = [c for c in codes if c in positions]
    taken: set[tuple[int, int]] = set()
    tiles: list[Tile] = []
    if known:
        west = min(positions[c][0] for c in known)
        north = max(positions[c][1] for c in known)
        for code in known:
            lon, lat = positions[code]
            col, row = _nearest_free(((lon - west) / cell, (north - lat) / cell), taken)
            taken.add((col, row))
            tiles.append(Tile(code, col, row, True))
    unknown = [c for c in codes if c not in positions]
    width = max((t.col for t in tiles), default=-1) + 1 or math.ceil(math.sqrt(len(unknown)))
    first_row = max((t.row for t in tiles), default=-2) + 2
    for i, code in enumerate(unknown):
        tiles.append(Tile(code, i % max(width, 1), first_row + i // max(width, 1), False))
    return tiles


def tile_origin(positions: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """The (lon, lat) of grid cell (0, 0): the west-most and north-most known position, else (0, 0)."""
    if not positions:
        return 0.0, 0.0
    return min(p[0] for p in positions.values()), max(p[1] for p in positions.values())


def tile_square(tile: Tile, origin: tuple[float, float], cell: float) -> Polygon:
    """The square of ``tile`` in degrees (lon, lat), centred on its cell, ``TILE_FILL`` of the cell wide."""
    half = cell * TILE_FILL / 2
    cx = origin[0] + tile.col * cell
    cy = origin[1] - tile.row * cell
    return box(cx - half, cy - half, cx + half, cy + half)


def subdivide_tile(square: Polygon, count: int) -> list[Polygon]:
    """``count`` small squares filling ``square`` row by row (west → east, north → south)."""
    if count <= 0:
        return []
    side = math.ceil(math.sqrt(count))
    minx, _, maxx, maxy = square.bounds
    step = (maxx - minx) / side
    gap = step * (1 - TILE_FILL) / 2
    cells = []
    for i in range(count):
        col, row = i % side, i // side
        x0, y1 = minx + col * step, maxy - row * step
        cells.append(box(x0 + gap, y1 - step + gap, x0 + step - gap, y1 - gap))
    return cells
