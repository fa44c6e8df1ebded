"""Region pages and their JSON twins: tree, region page, map GeoJSON, boundary export and history."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from regions_helpers import Importer, LogIn, shared_file

from smartkotim.accounts.roles import Role
from smartkotim.regions.models import RegionLevel


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/wilayah", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/masuk")
    assert client.get("/api/regions").status_code == 401
    assert client.get("/api/regions/62.02/map.geojson").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_region_tree(client: TestClient, log_in: LogIn, role: Role) -> None:
    log_in(role)
    html = client.get("/wilayah").text
    assert "Kotawaringin Timur" in html and 'data-region-code="62.02.05.1002"' in html
    assert 'id="region-map"' in html and "Peta skematik" in html
    tree = client.get("/api/regions").json()
    assert tree["code"] == "62.02" and len(tree["children"]) == 17
    assert sum(len(k["children"]) for k in tree["children"]) == 185
    history = client.get("/api/boundaries/imports")
    assert history.status_code == (200 if role in (Role.ADMIN, Role.ANALYST) else 403)


def test_region_page_and_json_twin(client: TestClient, log_in: LogIn) -> None:
    log_in(Role.LEADER)
    html = client.get("/wilayah/62.02.05").text
    assert "Baamang" in html and 'data-region-code="62.02.05.1002"' in html and "Baamang Tengah" in html
    assert 'data-geojson-url="/api/regions/62.02.05/map.geojson"' in html
    detail = client.get("/api/regions/62.02.05").json()
    assert [a["code"] for a in detail["ancestors"]] == ["62.02"]
    assert [c["code"] for c in detail["children"]][:2] == ["62.02.05.1001", "62.02.05.1002"]
    assert detail["boundary"] is None and detail["map_is_schematic"] is True
    desa = client.get("/api/regions/62.02.05.1002").json()
    assert desa["region"]["postal_code"] == "74312" and desa["children"] == []
    assert client.get("/wilayah/62.02.99").status_code == 404
    assert client.get("/api/regions/62.02.99").json()["status"] == 404


def test_schematic_map_geojson(client: TestClient, log_in: LogIn) -> None:
    log_in(Role.OPD_OFFICER)
    kabupaten = client.get("/api/regions/62.02/map.geojson")
    assert kabupaten.headers["content-type"].startswith("application/geo+json")
    data = kabupaten.json()
    assert data["schematic"] is True and data["level"] == "kecamatan" and data["missing_codes"] == []
    assert len(data["features"]) == 17 and all(f["properties"]["schematic"] for f in data["features"])
    kecamatan = client.get("/api/regions/62.02.06/map.geojson").json()
    assert kecamatan["level"] == "desa" and len(kecamatan["features"]) == 11
    desa = client.get("/api/regions/62.02.06.1001/map.geojson").json()
    selected = [f["id"] for f in desa["features"] if f["properties"]["selected"]]
    assert selected == ["62.02.06.1001"] and len(desa["features"]) == 11


def test_real_map_and_export_after_import(
    client: TestClient, log_in: LogIn, boundaries: Path, import_file: Importer
) -> None:
    log_in(Role.ANALYST)
    assert client.get("/api/boundaries/desa.geojson").status_code == 404
    import_file(shared_file(boundaries, RegionLevel.KECAMATAN))
    data = client.get("/api/regions/62.02/map.geojson").json()
    assert data["schematic"] is False and len(data["features"]) == 17 and data["import_id"] is not None
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert "Peta skematik" not in client.get("/wilayah").text
    # Desa not imported yet: the kecamatan page still shows desa tiles.
    assert client.get("/api/regions/62.02.06/map.geojson").json()["schematic"] is True
    export = client.get("/api/boundaries/kecamatan.geojson")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    features = export.json()["features"]
    assert sorted(f["id"] for f in features) == [f"62.02.{i:02d}" for i in range(1, 18)]
    assert all(f["properties"]["area_km2"] > 0 for f in features)
    assert client.get("/api/boundaries/provinsi.geojson").status_code == 422
    assert client.get("/api/regions/62.02.05.1002").json()["boundary"] is None  # desa level not imported


def test_region_detail_carries_the_boundary(
    client: TestClient, log_in: LogIn, boundaries: Path, import_file: Importer
) -> None:
    log_in(Role.SURVEYOR)
    import_file(shared_file(boundaries, RegionLevel.KECAMATAN))
    detail = client.get("/api/regions/62.02.05").json()
    assert detail["boundary"]["area_km2"] > 0
    assert 112.9 < detail["boundary"]["centroid_lon"] < 113.1
    assert "Luas (km²)" in client.get("/wilayah/62.02.05").text


def test_boundary_history_for_admins(
    client: TestClient, log_in: LogIn, boundaries: Path, import_file: Importer
) -> None:
    log_in(Role.ADMIN)
    assert "Belum ada batas wilayah" in client.get("/wilayah/batas").text
    first = import_file(shared_file(boundaries, RegionLevel.KABUPATEN))
    items = client.get("/api/boundaries/imports").json()
    assert [(i["id"], i["level"], i["version"], i["is_current"]) for i in items] == [
        (first.import_id, "kabupaten", 1, True)
    ]
    html = client.get("/wilayah/batas").text
    assert f'data-import-id="{first.import_id}"' in html and "kotim_kabupaten.geojson" in html
    detail = client.get(f"/api/boundaries/imports/{first.import_id}").json()
    assert detail["report"]["matched"][0]["code"] == "62.02"
    assert "Fitur yang cocok" in client.get(f"/wilayah/batas/{first.import_id}").text
    assert client.get("/api/boundaries/imports/999").status_code == 404


def test_bank_partner_cannot_see_the_import_history(client: TestClient, log_in: LogIn) -> None:
    log_in(Role.BANK_PARTNER)
    assert client.get("/wilayah/batas").status_code == 403
    assert client.get("/wilayah").status_code == 200


def test_lookup_api(client: TestClient, log_in: LogIn, boundaries: Path, import_file: Importer) -> None:
    log_in(Role.OPD_OFFICER)
    before = client.get("/api/regions/lookup", params={"lon": 112.95, "lat": -2.53}).json()
    assert before["point_desa_code"] is None and "batas desa" in before["point_note"]
    import_file(shared_file(boundaries, RegionLevel.DESA))
    answer = client.get(
        "/api/regions/lookup",
        params={
            "lon": 112.95,
            "lat": -2.53,
            "postal_code": "74312",
            "address": "Kel. Baamang Tengah, Baamang",
        },
    ).json()
    assert answer["point_desa_code"].startswith("62.02.")
    assert "62.02.05.1002" in answer["postal_code_desa_codes"]
    assert answer["address_match"]["code"] == "62.02.05.1002"
    assert client.get("/api/regions/lookup", params={"postal_code": "12"}).status_code == 422


def test_english_page(client: TestClient, log_in: LogIn) -> None:
    log_in(Role.LEADER)
    client.get("/bahasa/en?next=/")
    html = client.get("/wilayah/62.02.05").text
    assert "Schematic map" in html and "Regions below" in html and "Postal code" in html
