"""The schematic tile map shown until official boundaries are imported.

Kecamatan tiles are laid out from the approximate positions of the kecamatan capitals (public facts,
``docs/regions.md``); desa are small tiles inside their kecamatan's tile in code order — their place
inside the tile says nothing about geography. Regencies without known capitals get a plain grid.
"""

from __future__ import annotations

from collections.abc import Sequence

from shapely import Polygon

from smartkotim.lib.geo_schematic import Tile, layout_tiles, subdivide_tile, tile_origin, tile_square

CELL_DEGREES = 0.16

# Approximate (lon, lat) of each kecamatan capital of Kotawaringin Timur (62.02), from public sources.
# 62.02.16 Tualan Hulu: capital uncertain, so it has no position and is drawn below the map.
KECAMATAN_CAPITALS: dict[str, dict[str, tuple[float, float]]] = {
    "62.02": {
        "62.02.01": (113.00, -2.41),  # Kota Besi
        "62.02.02": (112.98, -2.32),  # Cempaga: Cempaka Mulia
        "62.02.03": (112.45, -1.98),  # Mentaya Hulu: Kuala Kuayan
        "62.02.04": (112.75, -2.01),  # Parenggean
        "62.02.05": (112.96, -2.52),  # Baamang (Sampit)
        "62.02.06": (112.93, -2.57),  # Mentawa Baru Ketapang: Ketapang (Sampit)
        "62.02.07": (112.80, -2.69),  # Mentaya Hilir Utara: Bagendang
        "62.02.08": (112.91, -2.87),  # Mentaya Hilir Selatan: Samuda
        "62.02.09": (113.05, -2.85),  # Pulau Hanaut: Bapinang
        "62.02.10": (112.69, -1.49),  # Antang Kalang: Tumbang Kalang
        "62.02.11": (112.89, -3.22),  # Teluk Sampit: Ujung Pandaran
        "62.02.12": (113.07, -2.56),  # Seranau: Mentaya Seberang
        "62.02.13": (113.09, -1.92),  # Cempaga Hulu: Pundu
        "62.02.14": (112.53, -2.34),  # Telawang: Sebabi
        "62.02.15": (112.38, -1.84),  # Bukit Santuai: Tumbang Penyahuan
        "62.02.17": (112.55, -1.77),  # Telaga Antang: Tumbang Mangkup
    },
}


def capital_positions(regency_code: str) -> dict[str, tuple[float, float]]:
    """Approximate (lon, lat) of the kecamatan capitals of the regency (empty when unknown)."""
    return dict(KECAMATAN_CAPITALS.get(regency_code, {}))


def kecamatan_tiles(regency_code: str, kecamatan_codes: Sequence[str]) -> dict[str, tuple[Polygon, Tile]]:
    """A square (lon/lat degrees) and its grid tile for each kecamatan code."""
    positions = {c: p for c, p in capital_positions(regency_code).items() if c in kecamatan_codes}
    origin = tile_origin(positions)
    tiles = layout_tiles(list(kecamatan_codes), positions, CELL_DEGREES)
    return {t.code: (tile_square(t, origin, CELL_DEGREES), t) for t in tiles}


def desa_tiles(kecamatan_square: Polygon, desa_codes: Sequence[str]) -> dict[str, Polygon]:
    """Small squares for the desa of one kecamatan inside its tile, in code order."""
    return dict(zip(desa_codes, subdivide_tile(kecamatan_square, len(desa_codes)), strict=True))
