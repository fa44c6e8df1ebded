"""Pages and their JSON twins: markets, merchants, QRIS, unresolved, duplicates, merge, scoping."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from registry_helpers import MERCHANT_HEADER, Person, WriteCsv, make_qris
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartkotim.accounts.models import AuditEntry
from smartkotim.economy.registry.models import Merchant

MARKET = {
    "code": "PPM",
    "name": "Pusat Perbelanjaan Mentaya",
    "kind": "pasar induk",
    "los_count": 250,
    "managing_office": "DKUKMPP",
    "desa_code": "62.02.06.1002",
    "lat": -2.5405,
    "lon": 112.948,
}


def _seed(client: TestClient, people: dict[str, Person]) -> dict[str, int]:
    admin = people["dkukmpp"].headers
    assert client.post("/api/economy/markets", json=MARKET, headers=admin).status_code == 201
    ids = {}
    for nmid, name, bank, lat in (
        ("ID1000000000001", "Toko Ani", "BRI", -2.5405),
        ("ID1000000000002", "Toko Budi", "BNI", -2.5406),
        (None, "toko ani", None, -2.54053),
    ):
        body = {
            "nmid": nmid,
            "name": name,
            "market_code": "PPM",
            "acquirer": bank,
            "lat": lat,
            "lon": 112.948,
        }
        response = client.post("/api/economy/merchants", json=body, headers=admin)
        assert response.status_code == 201, response.text
        ids[f"{name}-{bank}"] = response.json()["id"]
    return ids


def test_market_pages_and_json_twins(client: TestClient, people: dict[str, Person]) -> None:
    _seed(client, people)
    listed = client.get("/api/economy/markets", headers=people["leader"].headers).json()
    assert [(m["code"], m["merchants"], m["cashless"]) for m in listed] == [("PPM", 3, 2)]
    html = client.get("/ekonomi/pasar", headers=people["leader"].headers).text
    assert "Pusat Perbelanjaan Mentaya" in html and "/ekonomi/pasar/PPM" in html
    leader_detail = client.get("/api/economy/markets/PPM", headers=people["leader"].headers).json()
    assert leader_detail["merchants"] is None  # leaders see aggregates, not merchant records
    bri_detail = client.get("/api/economy/markets/PPM", headers=people["bri"].headers).json()
    assert [m["name"] for m in bri_detail["merchants"]] == ["Toko Ani"]
    page = client.get("/ekonomi/pasar/PPM", headers=people["analyst"].headers).text
    assert "Toko Budi" in page and "Pedagang di pasar ini" in page
    assert client.get("/api/economy/markets/NOPE", headers=people["admin"].headers).status_code == 404


def test_market_writes_need_the_market_office(client: TestClient, people: dict[str, Person]) -> None:
    other = {**MARKET, "code": "PX"}
    assert (
        client.post("/api/economy/markets", json=other, headers=people["kominfo_officer"].headers).status_code
        == 403
    )
    assert client.post("/api/economy/markets", json=other, headers=people["bri"].headers).status_code == 403
    bad = client.post("/api/economy/markets", json={**other, "kind": "mall"}, headers=people["admin"].headers)
    assert bad.status_code == 422
    update = {k: v for k, v in MARKET.items() if k != "code"} | {"los_count": 260}
    client.post("/api/economy/markets", json=MARKET, headers=people["admin"].headers)
    response = client.put("/api/economy/markets/PPM", json=update, headers=people["dkukmpp"].headers)
    assert (response.status_code, response.json()["los_count"]) == (200, 260)


def test_merchant_list_is_scoped_and_audited(
    client: TestClient, people: dict[str, Person], db: Session
) -> None:
    ids = _seed(client, people)
    bri = client.get("/api/economy/merchants", headers=people["bri"].headers).json()
    assert (bri["total"], [m["nmid"] for m in bri["items"]]) == (1, ["ID1000000000001"])
    assert (
        client.get(
            f"/api/economy/merchants/{ids['Toko Budi-BNI']}", headers=people["bri"].headers
        ).status_code
        == 404
    )
    assert client.get("/api/economy/merchants", headers=people["leader"].headers).status_code == 403
    html = client.get("/ekonomi/pedagang", headers=people["analyst"].headers).text
    assert "Toko Budi" in html and "ID1000000000002" in html
    detail = client.get(f"/ekonomi/pedagang/{ids['Toko Ani-BRI']}", headers=people["bri"].headers)
    assert detail.status_code == 200 and "ID1000000000001" in detail.text
    viewed = db.scalars(select(AuditEntry).where(AuditEntry.event == "economy.merchant.viewed")).all()
    assert {(e.actor_label, e.object_type) for e in viewed} == {
        ("bri", "merchant_list"),
        ("analyst", "merchant_list"),
        ("bri", "merchant"),
    }


def test_duplicates_page_and_merge(client: TestClient, people: dict[str, Person], db: Session) -> None:
    ids = _seed(client, people)
    groups = client.get("/api/economy/merchants/duplicates", headers=people["admin"].headers).json()
    assert [sorted(m["id"] for m in g["merchants"]) for g in groups] == [
        sorted([ids["Toko Ani-BRI"], ids["toko ani-None"]])
    ]
    page = client.get("/ekonomi/pedagang/duplikat", headers=people["admin"].headers).text
    assert "Kemungkinan duplikat" in page
    widest = groups[0]["max_distance_m"]  # 0.00003° of latitude ≈ 3.3 m
    assert f"{widest:.1f} m".replace(".", ",") in page and f"{widest:.1f} m" not in page
    merged = client.post(
        f"/api/economy/merchants/{ids['toko ani-None']}/merge",
        json={"into_id": ids["Toko Ani-BRI"]},
        headers=people["dkukmpp"].headers,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["nmid"] == "ID1000000000001"
    assert client.get("/api/economy/merchants/duplicates", headers=people["admin"].headers).json() == []
    old = db.get_one(Merchant, ids["toko ani-None"])
    assert (old.status, old.merged_into_id) == ("merged", ids["Toko Ani-BRI"])
    refused = client.post(
        f"/api/economy/merchants/{ids['Toko Budi-BNI']}/merge",
        json={"into_id": ids["Toko Ani-BRI"]},
        headers=people["surveyor"].headers,
    )
    assert refused.status_code == 403


def test_qris_pages_and_api(client: TestClient, people: dict[str, Person]) -> None:
    headers = people["surveyor"].headers
    payload = make_qris("ID2000000000001", "WARUNG IKAN BUDI", postal="74311")
    page = client.get("/ekonomi/pedagang/qris", headers=headers).text
    assert 'src="/static/js/qris-scan.js"' in page and 'name="payload"' in page
    filled = client.post("/ekonomi/pedagang/qris", data={"payload": payload}, headers=headers)
    assert filled.status_code == 200
    assert 'value="ID2000000000001"' in filled.text and 'value="WARUNG IKAN BUDI"' in filled.text
    wrong = payload[:-4] + ("0000" if not payload.endswith("0000") else "1111")
    bad = client.post("/ekonomi/pedagang/qris", data={"payload": wrong}, headers=headers)
    assert bad.status_code == 422 and "CRC tidak cocok" in bad.text
    parsed = client.post("/api/economy/qris/parse", json={"payload": wrong}, headers=headers).json()
    assert parsed["valid"] is False and any("CRC" in e for e in parsed["errors"])
    refused = client.post("/api/economy/merchants/qris", json={"payload": wrong}, headers=headers)
    assert refused.status_code == 422 and "CRC" in refused.json()["detail"]
    created = client.post("/api/economy/merchants/qris", json={"payload": payload}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["nmid"], body["desa_code"], body["source"]) == ("ID2000000000001", "62.02.05.1001", "qris")
    again = client.post("/api/economy/merchants/qris", json={"payload": payload}, headers=headers)
    assert again.status_code == 409


def test_form_registration_and_unresolved_page(client: TestClient, people: dict[str, Person]) -> None:
    headers = people["dkukmpp"].headers
    form = {"name": "Jasa Fajar", "postal_code": "74322", "nmid": "", "accepts_cashless": ""}
    response = client.post("/ekonomi/pedagang/baru", data=form, headers=headers, follow_redirects=False)
    assert response.status_code == 303
    bad = client.post("/ekonomi/pedagang/baru", data={"name": "X", "nmid": "ID12"}, headers=headers)
    assert bad.status_code == 422 and "13 digit" in bad.text
    unresolved = client.get("/api/economy/merchants/unresolved", headers=headers).json()
    assert [m["name"] for m in unresolved] == ["Jasa Fajar"]
    assert "Jasa Fajar" in client.get("/ekonomi/pedagang/belum-terpetakan", headers=headers).text


def test_merchant_import_upload(client: TestClient, people: dict[str, Person], write_csv: WriteCsv) -> None:
    rows = [
        ["ID1000000000001", "Toko Ani", "", "sayur", "", "", "62.02.05.1001"] + [""] * 7,
        ["", "Tanpa Lokasi"] + [""] * 12,
    ]
    path = write_csv("p.csv", MERCHANT_HEADER, rows)
    with path.open("rb") as handle:
        response = client.post(
            "/api/economy/merchants/import",
            files={"file": ("p.csv", handle, "text/csv")},
            headers=people["dkukmpp"].headers,
        )
    report = response.json()
    assert (report["created"], report["rejected"], report["errors"][0]["row"]) == (1, 1, 3)


def test_search_escapes_like_wildcards_and_paging_and_ids_are_bounded(
    client: TestClient, people: dict[str, Person]
) -> None:
    _seed(client, people)
    headers = people["admin"].headers
    every = client.get("/api/economy/merchants", headers=headers).json()["total"]
    assert every == 3
    for wildcard in ("%", "_", "%ani%"):
        found = client.get("/api/economy/merchants", params={"q": wildcard}, headers=headers).json()
        assert found["total"] == 0, wildcard
    assert client.get("/api/economy/merchants", params={"q": "ani"}, headers=headers).json()["total"] == 2
    for page in ("0", "-1"):
        assert client.get("/api/economy/merchants", params={"page": page}, headers=headers).status_code == 422
        assert client.get("/ekonomi/pedagang", params={"page": page}, headers=headers).status_code == 422
    huge = "99999999999999999999"
    for url in (f"/api/economy/merchants/{huge}", f"/ekonomi/pedagang/{huge}", "/api/economy/merchants/0"):
        assert client.get(url, headers=headers).status_code == 422, url


def test_synthetic_banner_on_every_page_when_demo_data_is_loaded(
    client: TestClient, people: dict[str, Person], db: Session
) -> None:
    headers = people["admin"].headers
    assert 'id="synthetic-banner"' not in client.get("/ekonomi/pasar", headers=headers).text
    _seed(client, people)
    assert 'id="synthetic-banner"' not in client.get("/", headers=headers).text
    merchant = db.scalars(select(Merchant).limit(1)).one()
    merchant.is_synthetic = True
    db.commit()
    for url in ("/", "/ekonomi/pasar", "/ekonomi/pedagang"):
        page = client.get(url, headers=headers).text
        assert 'id="synthetic-banner"' in page and "Data sintetis — untuk demo" in page, url


def test_scoped_surveyor_form_lists_only_markets_in_scope_and_keeps_the_form_when_refused(
    client: TestClient, people: dict[str, Person]
) -> None:
    _seed(client, people)
    other = dict(
        MARKET, code="PSR-KERAMAT", name="Pasar Keramat", desa_code="62.02.05.1001", lat=None, lon=None
    )
    admin = people["dkukmpp"].headers
    assert client.post("/api/economy/markets", json=other, headers=admin).status_code == 201
    surveyor = people["surveyor_mbk"].headers  # scoped to kecamatan 62.02.06
    form = client.get("/ekonomi/pedagang/baru", headers=surveyor).text
    assert 'value="PPM"' in form and 'value="PSR-KERAMAT"' not in form
    assert 'value="PSR-KERAMAT"' in client.get("/ekonomi/pedagang/baru", headers=admin).text
    refused = client.post(
        "/ekonomi/pedagang/baru",
        data={"name": "Sayur Tini", "market_code": "PSR-KERAMAT", "stall": "L-9"},
        headers=surveyor,
    )
    assert refused.status_code == 403
    assert 'id="form-error"' in refused.text and "di luar wilayah tugas" in refused.text
    assert 'value="Sayur Tini"' in refused.text and 'value="L-9"' in refused.text


def test_pages_show_labels_not_raw_values_and_indonesian_validation(
    client: TestClient, people: dict[str, Person]
) -> None:
    headers = people["dkukmpp"].headers
    pkl = dict(MARKET, code="PKL-TAMAN", name="Area PKL Taman Kota", kind="pkl_area")
    assert client.post("/api/economy/markets", json=pkl, headers=headers).status_code == 201
    page = client.get("/ekonomi/pasar", headers=headers).text
    assert "<td>Area PKL</td>" in page and "pkl_area</td>" not in page
    bad = client.post(
        "/ekonomi/pasar/baru",
        data={"code": "PX", "name": "Pasar X", "kind": "pasar_desa", "los_count": "banyak", "lat": "utara"},
        headers=headers,
    )
    assert bad.status_code == 422 and 'id="form-error"' in bad.text
    assert "harus bilangan bulat" in bad.text or "harus angka" in bad.text, bad.text
    assert "Input should" not in bad.text and "valid integer" not in bad.text
    client.get("/bahasa/en", params={"next": "/ekonomi/pasar"}, headers=headers)
    english = client.get("/ekonomi/pasar", headers=headers).text
    assert "<td>Street-vendor (PKL) area</td>" in english and "pkl_area</td>" not in english


def test_market_forms_refuse_a_thousands_separator_naming_field_value_and_rule(
    client: TestClient, people: dict[str, Person]
) -> None:
    headers = people["dkukmpp"].headers
    form = {"code": "PX", "name": "Pasar X", "kind": "pasar_desa", "managing_office": "DKUKMPP"}
    for field, label, value in (("los_count", "Los", "1.000"), ("kios_count", "Kios", "2,5")):
        bad = client.post("/ekonomi/pasar/baru", data={**form, field: value}, headers=headers)
        text = html.unescape(bad.text)
        assert bad.status_code == 422 and 'id="form-error"' in text
        assert f"{label} ({field}): harus bilangan bulat ≥ 0 tanpa pemisah ribuan" in text
        assert f"(nilai '{value}')" in text
        assert f'value="{value}"' in text  # the form keeps what was typed
    assert client.get("/api/economy/markets/PX", headers=headers).status_code == 404
    json_bad = client.post("/api/economy/markets", json={**MARKET, "los_count": "1.000"}, headers=headers)
    assert json_bad.status_code == 422
    _seed(client, people)
    edit = client.post(
        "/ekonomi/pasar/PPM/ubah",
        data={"name": "Pasar PPM", "kind": "pasar_induk", "los_count": "1.000"},
        headers=headers,
    )
    assert edit.status_code == 422 and "(nilai &#39;1.000&#39;)" in edit.text
    assert client.get("/api/economy/markets/PPM", headers=headers).json()["market"]["los_count"] == 250
    good = {
        "name": "Pasar PPM",
        "kind": "pasar_induk",
        "los_count": "1000",
        "lat": "-2,5405",
        "lon": "112.948",
    }
    saved = client.post("/ekonomi/pasar/PPM/ubah", data=good, headers=headers, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    market = client.get("/api/economy/markets/PPM", headers=headers).json()["market"]
    assert (market["los_count"], market["lat"]) == (1000, -2.5405)


def test_merchant_form_reads_dates_points_and_yes_no_like_the_import(
    client: TestClient, people: dict[str, Person]
) -> None:
    headers = people["dkukmpp"].headers
    base = {"name": "Toko Tanggal", "desa_code": "62.02.05.1001"}
    for field, value in (("onboarded_on", "1714521600"), ("accepts_cashless", "mungkin"), ("lat", "1e1")):
        bad = client.post(
            "/ekonomi/pedagang/baru", data={**base, "lon": "112.9", field: value}, headers=headers
        )
        assert bad.status_code == 422, (field, bad.text)
        assert f"({field})" in bad.text and f"(nilai &#39;{value}&#39;)" in bad.text
    form = {
        **base,
        "lat": "-2,54",
        "lon": "112,95",
        "onboarded_on": "2024-05-01",
        "accepts_cashless": "tidak",
    }
    saved = client.post("/ekonomi/pedagang/baru", data=form, headers=headers, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    merchant = client.get(
        saved.headers["location"].replace("/ekonomi/pedagang", "/api/economy/merchants"), headers=headers
    ).json()
    assert (merchant["lat"], merchant["lon"], merchant["onboarded_on"]) == (-2.54, 112.95, "2024-05-01")
    assert merchant["accepts_cashless"] is False


def test_import_api_answers_list_every_error_of_a_row(
    client: TestClient, people: dict[str, Person], write_csv: WriteCsv
) -> None:
    headers = people["dkukmpp"].headers
    header = ["code", "name", "kind", "kios_count", "desa_code", "opening_hours"]
    markets = write_csv(
        "pasar.csv", header, [["PX1", "", "pasar desa", "abc", "99.99.99.9999", "25:00-12:00"]]
    )
    merchants = write_csv(
        "pedagang.csv",
        ["name", "criteria", "desa_code", "acquirer", "accepts_cashless"],
        [["Toko Aneh", "XYZ", "62.02.05.1001", "BANK-ANEH", "mungkin"]],
    )
    for url, path, expected in (
        ("/api/economy/markets/import", markets, ["name", "kios_count", "desa_code", "opening_hours"]),
        ("/api/economy/merchants/import", merchants, ["criteria", "acquirer", "accepts_cashless"]),
    ):
        with path.open("rb") as handle:
            response = client.post(url, files={"file": (path.name, handle, "text/csv")}, headers=headers)
        report = response.json()
        assert response.status_code == 200 and (report["created"], report["rejected"]) == (0, 1), report
        assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, c) for c in expected]
        assert all(e["file"] == path.name and e["rule"] for e in report["errors"])
