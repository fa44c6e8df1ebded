"""Pure geometry and name helpers: names, codes, the point index, schematic layout."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from smartkotim.lib.geo_index import PolygonIndex
from smartkotim.lib.geo_names import CodeSystem, name_variants, normalise_name, parse_region_code
from smartkotim.lib.geo_schematic import layout_tiles, subdivide_tile, tile_square


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kel. Baamang  Tengah", "baamang tengah"),
        ("DESA Bapinang-Hilir", "bapinang hilir"),
        ("Kecamatan Kota Besi", "kota besi"),  # "Kota" is part of the name, not a prefix
        ("Kabupaten Kotawaringin Timur", "kotawaringin timur"),
        ("Ds. Sungai Ubar Mandiri", "sungai ubar mandiri"),
        ("Sungai  Paring’", "sungai paring"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_slash_variants() -> None:
    assert name_variants("Baamang Hulu/Tengah") == ["baamang hulu/tengah", "baamang hulu", "baamang tengah"]
    assert name_variants("Sebabi / Sebabi Baru") == ["sebabi/sebabi baru", "sebabi", "sebabi baru"]


@given(st.text(max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@pytest.mark.parametrize(
    ("raw", "digits", "depth", "system"),
    [
        ("62.02.01.2003", "6202012003", 4, CodeSystem.KEMENDAGRI),
        ("620201", "620201", 3, CodeSystem.KEMENDAGRI),
        ("6202012003", "6202012003", 4, None),
        (6202012003.0, "6202012003", 4, None),
        ("id6202020005", "6202020005", 4, CodeSystem.BPS),
        ("6202020", "6202020", 3, CodeSystem.BPS),
        ("62.02", "6202", 2, CodeSystem.KEMENDAGRI),
    ],
)
def test_parse_region_code(raw: object, digits: str, depth: int, system: CodeSystem | None) -> None:
    parsed = parse_region_code(raw)
    assert parsed is not None and (parsed.digits, parsed.depth, parsed.system) == (digits, depth, system)


@pytest.mark.parametrize("raw", ["", "Kota Besi", "62", "62.2.01", 12.5, None, True, "62020100"])
def test_parse_region_code_rejects(raw: object) -> None:
    assert parse_region_code(raw) is None


def test_polygon_index_finds_cells_of_a_grid() -> None:
    cells = [shapely.box(x, y, x + 1, y + 1) for x in range(10) for y in range(10)]
    labels = [f"{x}-{y}" for x in range(10) for y in range(10)]
    index = PolygonIndex(labels, cells)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(-1, 11, 5000), rng.uniform(-1, 11, 5000)
    found = index.locate(lon, lat)
    for x, y, label in zip(lon, lat, found, strict=True):
        inside = 0 <= x <= 10 and 0 <= y <= 10
        assert (label is not None) == inside
        if inside and x % 1 and y % 1:
            assert label == f"{int(x)}-{int(y)}"


def test_polygon_index_shared_edge_goes_to_the_first_label() -> None:
    index = PolygonIndex(["a", "b"], [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    assert list(index.locate(np.array([1.0]), np.array([0.5]))) == ["a"]
    assert list(index.locate(np.array([]), np.array([]))) == []
    with pytest.raises(ValueError, match="1-D arrays of one length"):
        index.locate(np.array([1.0, 2.0]), np.array([1.0]))


def test_layout_keeps_every_region_on_its_own_cell() -> None:
    positions = {"a": (0.0, 0.0), "b": (0.01, 0.0), "c": (0.5, -0.5)}
    tiles = layout_tiles(["a", "b", "c", "d"], positions, cell=0.16)
    cells = [(t.col, t.row) for t in tiles]
    assert len(set(cells)) == 4
    by_code = {t.code: t for t in tiles}
    assert (by_code["a"].col, by_code["a"].row) == (0, 0)
    assert by_code["d"].position_known is False and by_code["d"].row > by_code["c"].row
    squares = [tile_square(t, (0.0, 0.0), 0.16) for t in tiles]
    assert all(not p.intersects(q) for i, p in enumerate(squares) for q in squares[i + 1 :])


def test_subdivide_tile_stays_inside_and_does_not_overlap() -> None:
    square = shapely.box(0, 0, 1, 1)
    parts = subdivide_tile(square, 7)
    assert len(parts) == 7
    assert all(square.contains(p) for p in parts)
    assert all(not p.intersects(q) for i, p in enumerate(parts) for q in parts[i + 1 :])
