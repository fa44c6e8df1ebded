"""Importing the shared Kotim boundaries (../shared/data/boundaries) at all three levels."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from regions_helpers import Importer, shared_file
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts.models import AuditEntry
from smartkotim.regions import queries, services
from smartkotim.regions.models import RegionLevel

EXPECTED = {RegionLevel.KABUPATEN: 1, RegionLevel.KECAMATAN: 17, RegionLevel.DESA: 185}


def test_all_three_levels_match_every_feature_and_register_entry(
    db: Session, boundaries: Path, import_file: Importer
) -> None:
    for level, count in EXPECTED.items():
        result = import_file(shared_file(boundaries, level))
        report = result.report
        assert result.status == "imported"
        assert report["level"] == level and report["level_detected"] is True
        assert len(report["matched"]) == count
        assert report["unmatched_features"] == [] and report["unmatched_register"] == []
        assert report["ambiguous"] == [] and report["duplicates"] == []
        assert {m["method"] for m in report["matched"]} == {"code"}
        stored = queries.list_current_boundaries(db, level)
        assert len(stored) == count
    register_codes = {r.code for r in queries.list_regions(db, regency_code="62.02", level=RegionLevel.DESA)}
    assert {b.region_code for b in queries.list_current_boundaries(db, RegionLevel.DESA)} == register_codes


def test_stored_areas_add_up_to_the_regency(db: Session, boundaries: Path, import_file: Importer) -> None:
    import_file(shared_file(boundaries, RegionLevel.DESA))
    frame = gpd.read_file(shared_file(boundaries, RegionLevel.DESA))
    expected = float(frame.to_crs("EPSG:6933").area.sum() / 1e6)
    total = sum(b.area_km2 for b in queries.list_current_boundaries(db, RegionLevel.DESA))
    assert abs(total - expected) < 1.0
    assert 15_000 < total < 16_000  # BIG: 15,541.88 km²


def test_points_inside_known_desa_map_to_those_desa(
    db: Session, boundaries: Path, import_file: Importer
) -> None:
    import_file(shared_file(boundaries, RegionLevel.DESA))
    frame = gpd.read_file(shared_file(boundaries, RegionLevel.DESA))
    points = shapely.point_on_surface(frame.geometry.values)
    codes = services.get_desa_at_points(db, shapely.get_x(points), shapely.get_y(points))
    assert list(codes) == list(frame["kode"])
    one = frame.iloc[42]
    point = shapely.point_on_surface(one.geometry)
    assert services.get_desa_at_point(db, point.x, point.y) == one["kode"]
    # Far outside the regency: no desa.
    assert services.get_desa_at_point(db, 100.0, 0.0) is None


def test_batch_lookup_agrees_with_a_naive_contains_loop(
    db: Session, boundaries: Path, import_file: Importer
) -> None:
    import_file(shared_file(boundaries, RegionLevel.DESA))
    frame = gpd.read_file(shared_file(boundaries, RegionLevel.DESA))
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(112.07, 113.28, 300), rng.uniform(-3.30, -1.19, 300)
    found = services.get_desa_at_points(db, lon, lat)
    for x, y, code in zip(lon, lat, found, strict=True):
        containing = [
            k for k, g in zip(frame["kode"], frame.geometry, strict=True) if g.covers(shapely.Point(x, y))
        ]
        assert (code is None and not containing) or code in containing


def test_reimport_makes_a_new_version_and_keeps_the_old_one(
    db: Session, boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    first = import_file(shared_file(boundaries, RegionLevel.KECAMATAN))
    again = import_file(shared_file(boundaries, RegionLevel.KECAMATAN))
    assert again.status == "unchanged" and again.import_id == first.import_id
    changed = tmp_path / "kecamatan_v2.geojson"
    frame = gpd.read_file(shared_file(boundaries, RegionLevel.KECAMATAN))
    frame["geometry"] = frame.geometry.simplify(0.001)
    frame.to_file(changed, driver="GeoJSON")
    second = import_file(changed)
    assert second.status == "imported" and second.version == 2 and second.import_id != first.import_id
    imports = queries.list_boundary_imports(db, level=RegionLevel.KECAMATAN)
    assert [(i.id, i.is_current) for i in imports] == [(second.import_id, True), (first.import_id, False)]
    assert len(queries.list_boundaries(db, first.import_id)) == 17
    assert queries.get_current_import(db, RegionLevel.KECAMATAN).id == second.import_id  # type: ignore[union-attr]


def test_import_writes_an_audit_entry(db: Session, boundaries: Path, import_file: Importer) -> None:
    result = import_file(shared_file(boundaries, RegionLevel.KABUPATEN))
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.event == "regions.boundaries.imported")))
    assert len(entries) == 1
    assert entries[0].object_id == str(result.import_id)
    assert entries[0].actor_label == "test"
    assert entries[0].details["level"] == "kabupaten"


def test_point_index_follows_the_current_version(
    db: Session, boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    import_file(shared_file(boundaries, RegionLevel.DESA))
    frame = gpd.read_file(shared_file(boundaries, RegionLevel.DESA))
    first = services.get_point_index(db)
    assert first is not None and services.get_point_index(db) is first  # cached per version
    # Version 2: two desa swap geometries; the lookup must follow at once.
    swapped = frame.copy()
    swapped.loc[[0, 1], "geometry"] = list(frame.geometry.iloc[[1, 0]])
    path = tmp_path / "swapped.geojson"
    swapped.to_file(path, driver="GeoJSON")
    import_file(path)
    point = shapely.point_on_surface(frame.geometry.iloc[0])
    assert services.get_desa_at_point(db, point.x, point.y) == frame["kode"].iloc[1]
