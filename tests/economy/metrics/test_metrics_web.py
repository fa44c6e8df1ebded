"""Metrics pages, their JSON twins and exports over HTTP (in-process client, real databases)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date

import metrics_dataset as ds
import pytest
from fastapi.testclient import TestClient
from metrics_dataset import K1, A
from metrics_helpers import log_in_as
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from test_metrics_exact import AS_OF

from conftest import dataset_transactions
from smartkotim.accounts.roles import Role
from smartkotim.config import Settings
from smartkotim.economy.metrics import readers
from smartkotim.economy.metrics.derive import HLL_RSE_PCT
from smartkotim.economy.metrics.readers import pick_default_month
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.economy.metrics.sources import TXN_SOURCES
from smartkotim.lib.period_labels import label_of_id
from smartkotim.lib.periods import today_wib


@pytest.fixture
def leader(client: TestClient, seeded: Session, settings: Settings) -> TestClient:
    recompute_metrics(seeded, settings, as_of=AS_OF, source="dataset")
    log_in_as(client, seeded, Role.LEADER)
    return client


def test_metrics_api_lists_every_area_with_every_metric(leader: TestClient) -> None:
    response = leader.get("/api/economy/metrics?level=desa&period=2026-10")
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()}
    assert len(items) == 185  # every desa of Kotim, with or without data
    assert items[A]["transactions"] == 6 and items[A]["value"] == 210_000
    assert items[A]["area_class"] == "aktif" and items[A]["index"] is not None
    for key in (
        "traders_known",
        "merchants_habitual",
        "unique_payers",
        "payers_per_1000_adults",
        "median_ticket",
        "avg_ticket",
        "growth",
        "reporting_completeness",
        "index_components",
        "name",
    ):
        assert key in items[A]


def test_metrics_api_refuses_bad_level_and_period(leader: TestClient) -> None:
    assert leader.get("/api/economy/metrics?level=provinsi&period=2026-10").status_code == 422
    bad = leader.get("/api/economy/metrics?level=desa&period=2026-13")
    assert bad.status_code == 400 and "2026-13" in bad.json()["detail"]


def test_anonymous_and_bank_partner_are_kept_out(client: TestClient, seeded: Session) -> None:
    assert client.get("/api/economy/metrics").status_code == 401
    log_in_as(client, seeded, Role.BANK_PARTNER)
    assert client.get("/api/economy/metrics").status_code == 403


def test_csv_and_xlsx_exports_are_valid(leader: TestClient) -> None:
    response = leader.get("/api/economy/metrics.csv?level=kecamatan&period=2026-10")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 17
    k1 = next(r for r in rows if r["code"] == K1)
    assert k1["transactions"] == "10" and k1["value"] == "280000"
    book = load_workbook(
        io.BytesIO(leader.get("/api/economy/metrics.xlsx?level=kecamatan&period=2026-10").content)
    )
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert sheet.max_row == 18 and "adoption_rate" in header


def test_map_geojson_has_classes_legend_and_markets(leader: TestClient) -> None:
    data = leader.get(
        "/api/economy/map?level=kecamatan&period=2026-10&metric=transactions&method=natural_breaks&k=3"
    )
    assert data.status_code == 200
    body = data.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 17 and body["schematic"]
    by_code = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert by_code[K1]["value"] == 10.0 and by_code[K1]["class_index"] >= 0
    assert by_code["62.02.10"]["class_index"] == -1  # no merchants: the no-data class
    assert body["legend"]["labels"]
    assert body["markets"][0]["code"] == "PSR1" and body["markets"][0]["transactions"] == 6
    export = leader.get("/api/economy/map.geojson?level=desa&period=2026-10&metric=index")
    assert export.headers["content-type"].startswith("application/geo+json")
    assert len(json.loads(export.text)["features"]) == 185
    assert leader.get("/api/economy/map?level=kecamatan&metric=nonsense").status_code == 400


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/ekonomi?period=2026-10", 'class="economy-map map"'),
        ("/ekonomi?period=2026-10&compare=2025-10&level=desa", "economy-map-compare"),
        ("/ekonomi/peringkat?level=desa&period=2026-10&metric=value", "Mentawa Baru Hulu"),
        ("/ekonomi/pimpinan?period=2026-10", "Wilayah tertinggal"),
        (f"/ekonomi/wilayah/{K1}?period=2026-10", "Corong adopsi"),
        ("/ekonomi/wilayah/PSR1?period=2026-10", "Pasar Satu"),
    ],
)
def test_pages_render(leader: TestClient, path: str, fragment: str) -> None:
    response = leader.get(path)
    assert response.status_code == 200, response.text[:500]
    assert fragment in response.text


def test_area_api_and_history(leader: TestClient) -> None:
    detail = leader.get(f"/api/economy/areas/{K1}?period=2026-10").json()
    assert detail["area"]["transactions"] == 10 and detail["kabupaten"]["transactions"] == 10
    assert {c["code"] for c in detail["children"]} >= {A}
    assert detail["markets"][0]["code"] == "PSR1"
    history = leader.get(f"/api/economy/areas/kecamatan/{K1}/history?kind=month").json()
    assert [h["period_id"] for h in history][-2:] == ["2026-10", "2026-11"]
    assert leader.get("/api/economy/areas/99.99?period=2026-10").status_code == 404
    assert leader.get(f"/api/economy/areas/provinsi/{K1}/history").status_code == 400
    assert leader.get("/api/economy/areas/kecamatan/99.99/history").status_code == 404


def test_region_page_shows_the_bank_mix_of_the_period(
    client: TestClient, ingested: Session, settings: Settings
) -> None:
    recompute_metrics(ingested, settings, as_of=AS_OF)
    log_in_as(client, ingested, Role.LEADER)
    detail = client.get(f"/api/economy/areas/{K1}?period=2026-10").json()
    mix = {b["acquirer"]: b for b in detail["bank_mix"]}
    # K1 in October: BNK1 has m1 (4 txns, 100,000) and m4 (4 txns, 70,000); BNK2 has m2 (2, 110,000)
    assert [b["acquirer"] for b in detail["bank_mix"]] == ["BNK1", "BNK2"]
    assert (mix["BNK1"]["transactions"], mix["BNK1"]["value"]) == (8, 170_000)
    assert (mix["BNK1"]["transactions_share"], mix["BNK1"]["value_share"]) == (80.0, 60.71)
    assert (mix["BNK2"]["transactions_share"], mix["BNK2"]["value_share"]) == (20.0, 39.29)
    assert mix["BNK2"]["name"] == "Bank BNK2"
    page = client.get(f"/ekonomi/wilayah/{K1}?period=2026-10")
    assert 'id="bank-mix"' in page.text and "Bank BNK1" in page.text and 'id="economy-bankmix"' in page.text
    empty = client.get(f"/api/economy/areas/{K1}?period=2026-09").json()
    assert empty["bank_mix"] == []


def test_cached_responses_follow_a_recompute(leader: TestClient, seeded: Session, settings: Settings) -> None:
    url = "/api/economy/metrics?level=kecamatan&period=2026-10"
    first = {i["code"]: i for i in leader.get(url).json()}
    assert first[K1]["transactions"] == 10
    assert leader.get(url).content == leader.get(url).content  # served from the cache, unchanged
    extra = ds.T("x1", 1, date(2026, 10, 9), 5_000, "P9")
    TXN_SOURCES["dataset"] = lambda _s, _c, _m: dataset_transactions([*ds.TRANSACTIONS, extra])
    recompute_metrics(seeded, settings, as_of=AS_OF, source="dataset")
    again = {i["code"]: i for i in leader.get(url).json()}
    assert (again[K1]["transactions"], again[K1]["value"]) == (11, 285_000)
    area = leader.get(f"/api/economy/areas/{K1}?period=2026-10").json()
    assert area["area"]["transactions"] == 11


def test_pages_default_to_the_latest_complete_month_with_data(leader: TestClient) -> None:
    data_months = sorted({t.day.strftime("%Y-%m") for t in ds.TRANSACTIONS})  # 2025-10, 2026-10, 2026-11
    expected = pick_default_month(data_months, today_wib())
    assert leader.get("/api/economy/summary?level=kecamatan").json()["period_id"] == expected
    page = leader.get("/ekonomi/pimpinan")
    assert page.status_code == 200
    # shown by its label in the page language, with its id
    label = label_of_id(expected, "id")
    assert f'<span class="period-shown" data-period="{expected}">{label}</span> ({expected})' in page.text
    assert f'<option value="{expected}" selected>{label}</option>' in page.text  # the period selector
    assert label != expected and label.split()[-1] == expected[:4]  # e.g. "Oktober 2026"


def test_fixed_class_limits_are_validated(leader: TestClient) -> None:
    url = "/api/economy/map?level=kecamatan&period=2026-10&metric=transactions&method=fixed&fixed="
    for bad, rule in (
        ("10,abc", "not a number"),
        ("nan", "finite"),
        ("1e400", "finite"),
        ("20,10", "increase"),
    ):
        response = leader.get(url + bad)
        assert response.status_code == 422, bad
        assert rule in response.json()["detail"]
    body = leader.get(url + "1,2,5").json()
    assert body["legend"]["upper_limits"] == [1.0, 2.0, 5.0]
    assert body["legend"]["labels"][-1] == "> 5,0"
    by_code = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert by_code[K1]["value"] == 10.0 and by_code[K1]["class_index"] == 3  # the open top class


def test_unknown_parent_is_a_404(leader: TestClient) -> None:
    response = leader.get("/api/economy/map?level=desa&period=2026-10&parent=99")
    assert response.status_code == 404
    assert "99" in response.json()["detail"]


def test_comparison_maps_share_one_set_of_classes(leader: TestClient) -> None:
    base = "/api/economy/map?level=kecamatan&metric=transactions&method=equal_interval&k=3"
    first = leader.get(f"{base}&period=2026-10&breaks_with=2025-10").json()
    second = leader.get(f"{base}&period=2025-10&breaks_with=2026-10").json()
    assert first["legend"]["upper_limits"] == second["legend"]["upper_limits"]
    assert first["legend"]["shared_with"] == "2025-10"
    page = leader.get("/ekonomi?period=2026-10&compare=2025-10")
    assert "breaks_with=2025-10" in page.text and "breaks_with=2026-10" in page.text


def test_unique_payers_say_when_they_are_estimates(
    leader: TestClient, seeded: Session, settings: Settings
) -> None:
    exact = leader.get("/api/economy/metrics?level=kabupaten&period=2026-10").json()[0]
    assert exact["unique_payers_is_estimate"] is False and exact["unique_payers_rse_pct"] is None
    busy = settings.model_copy(update={"metrics_exact_payers_max_transactions": 0})
    recompute_metrics(seeded, busy, as_of=AS_OF, source="dataset")
    estimated = readers.list_area_metrics(seeded, busy, level="kecamatan", period_id="2026-10")
    with_data = [i for i in estimated if i.has_data and i.transactions > 0]
    assert with_data and all(i.unique_payers_is_estimate for i in with_data)
    assert all(i.unique_payers_rse_pct == HLL_RSE_PCT for i in with_data)
    assert not any(i.unique_payers_is_estimate for i in estimated if not i.has_data)


def test_english_pages_hand_translated_labels_to_the_map(leader: TestClient) -> None:
    leader.get("/bahasa/en?next=/")
    page = leader.get("/ekonomi?period=2026-10")
    assert page.status_code == 200
    found = re.search(r"data-class-labels='([^']*)'", page.text)
    assert found is not None
    labels = json.loads(html.unescape(found.group(1)))
    assert labels["belum_mulai"] == "Not started"
    metric_labels = json.loads(html.unescape(re.search(r"data-metric-labels='([^']*)'", page.text).group(1)))
    assert metric_labels["adoption_rate"] == "Adoption rate"
    leader_page = leader.get("/ekonomi/pimpinan?period=2026-10").text
    assert "usage" not in leader_page and "enablers" not in leader_page  # component keys are labelled


@pytest.mark.parametrize(
    "url", ["/api/economy/metrics?level=desa&period=2026-10", "/api/economy/map?level=desa&period=2026-10"]
)
def test_api_bodies_are_gzip_encoded_for_clients_that_accept_it(leader: TestClient, url: str) -> None:
    plain = leader.get(url, headers={"Accept-Encoding": "identity"})  # built, cached, sent unencoded
    packed = leader.get(url, headers={"Accept-Encoding": "gzip, deflate"})  # from the cache
    refused = leader.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert plain.headers.get("content-encoding") is None and refused.headers.get("content-encoding") is None
    assert packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
    assert packed.json() == plain.json() == refused.json()  # the client inflates the gzip body
    assert int(packed.headers["content-length"]) * 3 < len(plain.content)


def test_rankings_mark_estimated_unique_payers(
    leader: TestClient, seeded: Session, settings: Settings
) -> None:
    url = "/ekonomi/peringkat?level=kecamatan&period=2026-10&metric=unique_payers"
    assert "≈" not in leader.get(url).text  # exact counts: no mark
    busy = settings.model_copy(update={"metrics_exact_payers_max_transactions": 0})
    leader.app.state.settings = busy  # type: ignore[attr-defined]
    recompute_metrics(seeded, busy, as_of=AS_OF, source="dataset")
    page = leader.get(url).text
    estimated = [
        i
        for i in readers.list_area_metrics(seeded, busy, level="kecamatan", period_id="2026-10")
        if i.has_data
    ]
    rows = re.findall(r"<tr><td>\d+</td>.*?</tr>", page, re.S)
    marked = [r for r in rows if re.search(r"<td>≈ [\d.,]+</td>", r)]
    assert len(marked) == sum(1 for i in estimated if i.unique_payers_is_estimate) > 0
    assert "perkiraan HyperLogLog" in page
    assert "≈" not in leader.get(url.replace("unique_payers", "value")).text
    flagged = leader.get("/api/economy/map?level=kecamatan&period=2026-10&metric=unique_payers").json()
    marks = {f["id"]: f["properties"]["value_is_estimate"] for f in flagged["features"]}
    every = readers.list_area_metrics(seeded, busy, level="kecamatan", period_id="2026-10")
    assert marks == {i.code: i.unique_payers_is_estimate for i in every} and any(marks.values())
    by_value = leader.get("/api/economy/map?level=kecamatan&period=2026-10&metric=value").json()
    assert not any(f["properties"]["value_is_estimate"] for f in by_value["features"])


def test_months_without_reports_are_not_offered_and_are_flagged(
    client: TestClient, seeded: Session, settings: Settings
) -> None:
    # anchored in January 2027: the store holds December 2026 and January 2027, which no bank reported
    recompute_metrics(seeded, settings, as_of=date(2027, 1, 15), source="dataset")
    log_in_as(client, seeded, Role.LEADER)
    page = client.get("/ekonomi?period=2026-10").text
    offered = set(re.findall(r'<option value="(\d{4}-\d{2})"', page))
    with_data = {t.day.strftime("%Y-%m") for t in ds.TRANSACTIONS if t.status == "success"}
    assert offered == with_data
    assert 'id="no-reports"' not in page
    # a month whose expected bank reports did not all arrive says so
    flagged = 0
    for month in sorted(with_data):
        figures = readers.list_area_metrics(seeded, settings, level="kabupaten", period_id=month)[0]
        incomplete = figures.reporting_completeness is not None and figures.reporting_completeness < 100
        shown = 'id="incomplete-reports"' in client.get(f"/ekonomi/pimpinan?period={month}").text
        assert shown == incomplete, (month, figures.reporting_completeness)
        flagged += shown
    assert 0 < flagged < len(with_data)
    empty = client.get("/ekonomi/pimpinan?period=2026-12").text
    assert 'id="no-reports"' in empty
    history = client.get(f"/api/economy/areas/kabupaten/{settings.regency_code}/history?kind=month").json()
    last = max(t.day for t in ds.TRANSACTIONS)
    assert history and max(h["period_start"] for h in history) == last.replace(day=1).isoformat()


def test_a_free_date_range_is_computed_on_request(
    client: TestClient, ingested: Session, settings: Settings
) -> None:
    recompute_metrics(ingested, settings, as_of=AS_OF)
    log_in_as(client, ingested, Role.LEADER)
    leader = client
    same = ("transactions", "value", "unique_payers", "merchants_active", "merchants_habitual")
    same += ("median_ticket", "traders_known", "adoption_rate", "index", "attempted", "has_data")
    month = {i["code"]: i for i in leader.get("/api/economy/metrics?level=desa&period=2026-10").json()}
    response = leader.get("/api/economy/metrics?level=desa&period=2026-10-01..2026-10-31")
    assert response.status_code == 200
    ranged = {i["code"]: i for i in response.json()}
    assert ranged.keys() == month.keys()
    assert {c: [ranged[c].get(k) for k in same] for c in ranged} == {
        c: [month[c].get(k) for k in same] for c in month
    }
    assert ranged[A]["transactions"] == 6 and ranged[A]["period_id"] == "2026-10-01..2026-10-31"
    assert sum(i["transactions"] for i in ranged.values()) > 0


def test_a_desa_page_lists_its_market_once(leader: TestClient) -> None:
    page = leader.get(f"/ekonomi/wilayah/{A}?period=2026-10").text
    assert page.count('href="/ekonomi/wilayah/PSR1?period=2026-10"') == 1
    assert 'id="children"' not in page and 'id="markets"' in page


def test_map_of_an_unknown_parent_is_404(leader: TestClient) -> None:
    base = "/api/economy/map?level=desa&period=2026-10&metric=transactions"
    assert leader.get(f"{base}&parent={K1}").status_code == 200
    for parent in ("99.99", "62.02.99", "63.01.01"):
        response = leader.get(f"{base}&parent={parent}")
        assert response.status_code == 404, parent
        assert parent in response.json()["detail"]


def test_pages_show_the_default_period_with_a_note_for_a_bad_one(leader: TestClient) -> None:
    default = leader.get("/ekonomi").text
    shown = re.search(r'class="period-shown" data-period="([^"]+)">', default)
    assert shown is not None
    for url in (
        "/ekonomi?period=2026-13",
        "/ekonomi/pimpinan?period=garbage",
        f"/ekonomi/wilayah/{K1}?period=x",
    ):
        response = leader.get(url)
        assert response.status_code == 200, url
        assert 'id="period-error"' in response.text and "tidak dikenali" in response.text
    rankings = leader.get("/ekonomi/peringkat?period=2026q5")
    assert rankings.status_code == 200 and 'id="period-error"' in rankings.text
    assert leader.get("/api/economy/metrics?level=kecamatan&period=2026-13").status_code == 400  # API: 400
    assert 'id="period-error"' not in leader.get(f"/ekonomi?period={shown.group(1)}").text


def test_a_region_page_exports_csv_and_xlsx(leader: TestClient) -> None:
    detail = leader.get(f"/api/economy/areas/{K1}?period=2026-10").json()
    expected = [detail["area"]["code"], detail["kabupaten"]["code"]]
    for item in detail["children"] + detail["markets"]:
        if item["code"] not in expected:
            expected.append(item["code"])
    page = leader.get(f"/ekonomi/wilayah/{K1}?period=2026-10").text
    assert f'href="/api/economy/areas/{K1}.csv?period=2026-10"' in page
    response = leader.get(f"/api/economy/areas/{K1}.csv?period=2026-10")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["code"] for r in rows] == expected
    assert int(rows[0]["transactions"]) == detail["area"]["transactions"]
    book = load_workbook(io.BytesIO(leader.get(f"/api/economy/areas/{K1}.xlsx?period=2026-10").content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    codes = [row[header.index("code")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == expected
    assert leader.get("/api/economy/areas/99.99.csv?period=2026-10").status_code == 404


def test_rupiah_follow_the_page_language(leader: TestClient) -> None:
    kab = leader.get("/api/economy/metrics?level=kabupaten&period=2026-10").json()[0]
    value = kab["value"]
    assert value >= 1000
    indonesian = leader.get("/ekonomi/pimpinan?period=2026-10").text
    assert "Rp" + f"{value:,}".replace(",", ".") in indonesian
    leader.get("/bahasa/en?next=/")
    english = leader.get("/ekonomi/pimpinan?period=2026-10").text
    assert f"Rp{value:,}" in english
