"""Boundary files as users bring them: other field names, codes without dots, BPS codes, misspelt
names, projected CRS, GeoPackage and zipped Shapefile (all written here from the shared data)."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import geopandas as gpd
from regions_helpers import Importer, shared_file
from sqlalchemy.orm import Session

from smartkotim.regions import queries
from smartkotim.regions.models import RegionLevel


def _desa(boundaries: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_file(boundaries, RegionLevel.DESA))


def _misspell(name: str) -> str:
    """Drop the second-to-last letter ("Bapinang Hilir" → "Bapinang Hilr")."""
    return name[:-2] + name[-1]


def test_other_field_names_prefixes_misspellings_and_projected_crs(
    db: Session, boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    desa = _desa(boundaries)
    frame = desa.rename(columns={"kode": "KODE_DESA", "nama": "NAMOBJ"})
    frame["KODE_DESA"] = frame["KODE_DESA"].str.replace(".", "", regex=False)  # 6202011009
    frame = frame.to_crs("EPSG:32749")  # UTM 49S, metres
    path = tmp_path / "desa_utm.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = import_file(path)
    report = result.report
    assert report["code_field"] == "KODE_DESA" and report["name_field"] == "NAMOBJ"
    assert "32749" in report["source_crs"]
    assert len(report["matched"]) == 185 and report["unmatched_register"] == []
    stored = queries.list_current_boundaries(db, RegionLevel.DESA, codes=[desa["kode"].iloc[0]])
    lon = stored[0].centroid_lon
    assert 112.0 < lon < 113.3  # stored in WGS84, not metres


def test_names_only_with_prefixes_and_misspellings_match_within_kecamatan(
    db: Session, boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    import_file(shared_file(boundaries, RegionLevel.KECAMATAN))  # gives each desa its parent spatially
    desa = _desa(boundaries)
    names = []
    for i, name in enumerate(desa["nama"]):
        kind = "Kelurahan" if desa["kode"].iloc[i].split(".")[3].startswith("1") else "Desa"
        names.append(f"{kind} {name}" if i % 2 else f"  {name.upper()} ")
    misspelt = [10, 50, 120]
    for i in misspelt:
        names[i] = _misspell(desa["nama"].iloc[i])
    frame = gpd.GeoDataFrame({"NAMOBJ": names}, geometry=desa.geometry.values, crs=desa.crs).to_crs(
        "EPSG:23834"
    )
    path = tmp_path / "desa_names.geojson"
    frame.to_file(path, driver="GeoJSON")
    report = import_file(path, level=RegionLevel.DESA).report
    assert report["code_field"] is None and report["name_field"] == "NAMOBJ"
    assert len(report["matched"]) == 185 and report["ambiguous"] == []
    by_feature = {m["feature"]: m for m in report["matched"]}
    assert all(by_feature[i]["code"] == desa["kode"].iloc[i] for i in range(185))
    assert {by_feature[i]["method"] for i in misspelt} == {"name_fuzzy"}
    assert all(by_feature[i]["score"] < 1.0 for i in misspelt)
    # "Sumber Makmur" exists in three kecamatan: only the spatial parent tells them apart.
    assert Counter(m["parent_method"] for m in report["matched"]) == {"spatial": 185}


def test_duplicate_names_are_ambiguous_without_a_parent_never_guessed(
    boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    desa = _desa(boundaries)
    frame = desa.drop(columns=["kode"])
    path = tmp_path / "names_only.geojson"
    frame.to_file(path, driver="GeoJSON")
    report = import_file(path, allow_partial=True).report
    twins = desa.index[desa["nama"] == "Sumber Makmur"].tolist()
    assert len(twins) == 3
    assert sorted(a["feature"] for a in report["ambiguous"]) == twins
    assert {a["code"] for a in report["unmatched_register"]} == set(desa["kode"].iloc[twins])
    assert len(report["matched"]) == 182


def test_bps_codes_are_matched_by_name_within_the_kabupaten(
    boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    desa = _desa(boundaries)
    # BPS numbers kecamatan 010, 020 … in its own order: made up here, not Kemendagri's numbering.
    kecamatan = sorted(set(desa["kode"].str[:8]))
    bps_kec = {code: f"{(len(kecamatan) - i) * 10:03d}" for i, code in enumerate(kecamatan)}
    seq: Counter[str] = Counter()
    codes = []
    for code in desa["kode"]:
        seq[code[:8]] += 1
        codes.append(f"id6202{bps_kec[code[:8]]}{seq[code[:8]]:03d}")
    frame = gpd.GeoDataFrame(
        {"village_code": codes, "village": desa["nama"]}, geometry=desa.geometry.values, crs=desa.crs
    )
    path = tmp_path / "bps.geojson"
    frame.to_file(path, driver="GeoJSON")
    report = import_file(path).report
    assert report["code_system"] == "bps" and report["code_field"] == "village_code"
    assert len(report["matched"]) == 185
    assert all(m["code"] == desa["kode"].iloc[m["feature"]] for m in report["matched"])
    # The three "Sumber Makmur" get their kecamatan from siblings sharing the BPS kecamatan code.
    twins = set(desa.index[desa["nama"] == "Sumber Makmur"])
    assert {m["parent_method"] for m in report["matched"] if m["feature"] in twins} == {"bps_siblings"}


def test_geopackage_written_by_the_test(
    db: Session, boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    frame = gpd.read_file(shared_file(boundaries, RegionLevel.KECAMATAN)).rename(
        columns={"kode": "KDCPUM", "nama": "WADMKC"}
    )
    path = tmp_path / "kecamatan.gpkg"
    frame.to_crs("EPSG:32749").to_file(path, driver="GPKG", layer="kecamatan")
    result = import_file(path)
    assert result.report["level"] == "kecamatan"
    assert len(result.report["matched"]) == 17
    assert len(queries.list_current_boundaries(db, RegionLevel.KECAMATAN)) == 17


def test_zipped_shapefile_written_by_the_test(
    db: Session, boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    frame = _desa(boundaries).rename(columns={"kode": "KODE_DESA", "nama": "NAMA_DESA"})
    shape_dir = tmp_path / "shp"
    shape_dir.mkdir()
    frame.to_file(shape_dir / "desa.shp", driver="ESRI Shapefile")
    archive = tmp_path / "desa_shp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shape_dir.iterdir():
            zf.write(part, f"batas/{part.name}")
    result = import_file(archive)
    assert result.report["code_field"] == "KODE_DESA"
    assert len(result.report["matched"]) == 185 and result.report["unmatched_register"] == []
    assert len(queries.list_current_boundaries(db, RegionLevel.DESA)) == 185


def test_level_is_detected_from_names_when_there_are_no_codes(
    boundaries: Path, import_file: Importer, tmp_path: Path
) -> None:
    for level, count in ((RegionLevel.KABUPATEN, 1), (RegionLevel.KECAMATAN, 17)):
        frame = gpd.read_file(shared_file(boundaries, level)).drop(columns=["kode"])
        frame["nama"] = ["Kec. " + n if level == RegionLevel.KECAMATAN else n for n in frame["nama"]]
        path = tmp_path / f"{level}_names.geojson"
        frame.to_file(path, driver="GeoJSON")
        report = import_file(path).report
        assert (report["level"], report["level_detected"], len(report["matched"])) == (level, True, count)
