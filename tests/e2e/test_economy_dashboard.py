"""The economy dashboard in a real browser: the choropleth on the schematic map (17 kecamatan) and on
imported boundaries (185 desa), drill-down by click, exports, and the leader page on a phone."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from e2e.browser_support import login
from smartkotim.config import Settings
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.economy.metrics.sources import TXN_SOURCES
from smartkotim.economy.registry.models import Market, Merchant
from smartkotim.regions.models import Region, RegionLevel

pytestmark = pytest.mark.browser
KABUPATEN, MENTAWA_BARU_KETAPANG = "62.02", "62.02.06"
PERIOD = "2026-10"
SCREENSHOTS = Path("/tmp/economy_screens")  # for a person to look at; the asserts check the layout
SCREENSHOTS.mkdir(exist_ok=True)
# (nmid, desa, days with one 25,000 sale in October 2026); the last trader has no QRIS
MERCHANTS = [
    ("ID1000000000101", "62.02.06.1001", range(1, 29)),
    ("ID1000000000102", "62.02.06.1001", range(5, 9)),
    ("ID1000000000103", "62.02.05.1001", range(10, 12)),
    ("ID1000000000104", "62.02.10.2001", ()),
    (None, "62.02.01.1009", ()),
]


def _transactions() -> pa.Table:
    rows: list[dict[str, Any]] = [
        {
            "nmid": nmid,
            "day": date(2026, 10, day),
            "amount": 25_000,
            "payer": f"P{day % 7}",
            "ok": True,
            "attempted": True,
            "acquirer": "BRI",
        }
        for nmid, _desa, days in MERCHANTS
        for day in days
    ]
    return pa.Table.from_pylist(rows)


@pytest.fixture
def economy(session_factory: sessionmaker[Session], settings: Settings) -> Iterator[None]:
    """A market, five traders (four with QRIS) and their October sales, computed into the store."""
    with session_factory() as session:
        market = Market(code="PSR-UJI", name="Pasar Uji", kind="pasar_desa", desa_code="62.02.06.1001")
        session.add(market)
        session.flush()
        for i, (nmid, desa, _days) in enumerate(MERCHANTS):
            session.add(
                Merchant(
                    nmid=nmid,
                    name=f"Pedagang Uji {i}",
                    name_normalised=f"pedagang uji {i}",
                    market_id=market.id if i == 0 else None,
                    desa_code=desa,
                    desa_resolution="code",
                    accepts_cashless=nmid is not None,
                    acquirer_code="BRI" if nmid else None,
                    status="active",
                )
            )
        session.commit()
        TXN_SOURCES["e2e"] = lambda _settings, _con, _months: _transactions()
        recompute_metrics(session, settings, as_of=date(2026, 11, 30), source="e2e", trigger="test")
    yield
    TXN_SOURCES.pop("e2e", None)


def _codes(factory: sessionmaker[Session], *, level: RegionLevel) -> set[str]:
    with factory() as session:
        return {r.code for r in session.query(Region).filter(Region.level == level)}


def _drawn_codes(page: Page) -> set[str]:
    economy_map = page.locator("#economy-map")
    expect(economy_map).to_have_attribute("data-rendered", "true")
    return set((economy_map.get_attribute("data-rendered-codes") or "").split())


def _import_boundaries(factory: sessionmaker[Session], folder: Path) -> None:
    from smartkotim.accounts.audit import Actor
    from smartkotim.regions.services import import_boundaries

    for name in ("kotim_kabupaten.geojson", "kotim_kecamatan.geojson", "kotim_desa.geojson"):
        with factory() as session:
            result = import_boundaries(
                session, path=folder / name, regency_code=KABUPATEN, by=Actor(label="test")
            )
            assert result.status == "imported", result.report


def _click_area(page: Page, code: str) -> None:
    """Hover and click the middle of ``code``'s polygon on the Plotly choropleth."""
    codes = (page.locator("#economy-map").get_attribute("data-rendered-codes") or "").split()
    point = page.locator("#economy-map").evaluate(
        """(el, index) => {
            const trace = el.data[index];
            const xs = trace.x.filter(v => v !== null), ys = trace.y.filter(v => v !== null);
            const mid = v => (Math.min(...v) + Math.max(...v)) / 2;
            const full = el._fullLayout, box = el.getBoundingClientRect();
            return {x: box.left + full._size.l + full.xaxis.l2p(mid(xs)),
                    y: box.top + full._size.t + full.yaxis.l2p(mid(ys))};
        }""",
        codes.index(code),
    )
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])


def test_economy_map_draws_the_17_kecamatan_on_the_schematic_map(
    page: Page, role_users: dict[str, str], economy: None, session_factory: sessionmaker[Session]
) -> None:
    login(page, role_users["leader"])
    page.goto(f"/ekonomi?level=kecamatan&period={PERIOD}&metric=transactions")
    kecamatan = _codes(session_factory, level=RegionLevel.KECAMATAN)
    assert len(kecamatan) == 17
    assert _drawn_codes(page) == kecamatan
    expect(page.locator("#legend-main")).to_contain_text("peta skematis")
    expect(page.locator("#legend-main")).to_contain_text("Tanpa data")
    swatches = page.locator("#legend-main .swatch").evaluate_all(
        """els => els.map(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
            return {w: r.width, h: r.height, bg: s.backgroundColor}; })"""
    )
    assert len(swatches) >= 2  # at least one class and the no-data class
    assert all(s["w"] >= 8 and s["h"] >= 8 for s in swatches), swatches
    assert len({s["bg"] for s in swatches}) == len(swatches), swatches  # one colour per class
    assert "rgb(217, 217, 217)" in {s["bg"] for s in swatches}  # the no-data grey
    page.locator("#legend-main").screenshot(path=str(SCREENSHOTS / "economy-legend.png"))


def test_economy_map_draws_185_desa_after_the_boundaries_are_imported(
    page: Page,
    role_users: dict[str, str],
    economy: None,
    session_factory: sessionmaker[Session],
    shared_data: Path,
) -> None:
    _import_boundaries(session_factory, shared_data / "boundaries")
    login(page, role_users["analyst"])
    page.goto(f"/ekonomi?level=desa&period={PERIOD}&metric=adoption_rate")
    desa = _codes(session_factory, level=RegionLevel.DESA)
    assert len(desa) == 185
    assert _drawn_codes(page) == desa
    expect(page.locator("#legend-main")).not_to_contain_text("peta skematis")


def test_clicking_a_kecamatan_opens_its_economy_page(
    page: Page, role_users: dict[str, str], economy: None
) -> None:
    login(page, role_users["leader"])
    page.goto(f"/ekonomi?level=kecamatan&period={PERIOD}")
    _drawn_codes(page)
    _click_area(page, MENTAWA_BARU_KETAPANG)
    page.wait_for_url(f"**/ekonomi/wilayah/{MENTAWA_BARU_KETAPANG}?period={PERIOD}")
    expect(page.locator("h1")).to_contain_text("Mentawa Baru Ketapang")
    expect(page.locator("#funnel")).to_be_visible()
    expect(page.locator("h2", has_text="Komposisi bank")).to_be_visible()
    expect(page.locator("#economy-trend")).to_have_attribute("data-rendered", "true")


def test_exports_download_valid_csv_xlsx_and_geojson(
    page: Page, role_users: dict[str, str], economy: None, tmp_path: Path
) -> None:
    login(page, role_users["analyst"])
    page.goto(f"/ekonomi?level=kecamatan&period={PERIOD}")
    _drawn_codes(page)
    files = {}
    for label in ("CSV", "XLSX", "GeoJSON"):
        with page.expect_download() as info:
            page.locator(".exports a", has_text=label).first.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        files[label] = target
    rows = list(csv.DictReader(io.StringIO(files["CSV"].read_text(encoding="utf-8"))))
    assert len(rows) == 17
    mbk = next(r for r in rows if r["code"] == MENTAWA_BARU_KETAPANG)
    assert (mbk["transactions"], mbk["merchants_active"]) == ("32", "2")
    sheet = load_workbook(files["XLSX"]).active
    assert sheet.max_row == 18 and "adoption_rate" in [c.value for c in sheet[1]]
    geojson = json.loads(files["GeoJSON"].read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 17


def test_leader_page_fits_a_phone_screen(
    phone: tuple[Page, list[str]], role_users: dict[str, str], economy: None
) -> None:
    page, errors = phone
    login(page, role_users["leader"])
    page.goto(f"/ekonomi/pimpinan?period={PERIOD}")
    _drawn_codes(page)
    expect(page.locator(".headline")).to_be_visible()
    expect(page.locator("#period-shown")).to_contain_text(PERIOD)
    cards = page.locator(".headline > div")
    assert cards.count() == 4
    for i in range(4):  # every number has its own label below it, never run together
        card = cards.nth(i)
        number, label = card.locator("strong"), card.locator(".label")
        expect(label).not_to_be_empty()
        assert label.bounding_box()["y"] >= number.bounding_box()["y"] + number.bounding_box()["height"] - 1
    expect(cards.nth(1).locator(".change")).to_contain_text("Perubahan dari periode sebelumnya")
    expect(cards.nth(2).locator(".change")).to_contain_text("Perubahan dari periode sebelumnya")
    page.screenshot(path=str(SCREENSHOTS / "economy-leader-phone.png"), full_page=True)
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " view: window.innerWidth})"
    )
    assert widths["view"] == 390
    assert widths["doc"] <= widths["view"] and widths["body"] <= widths["view"], widths
    assert errors == []


def test_map_hover_marks_estimated_unique_payers(
    page: Page,
    role_users: dict[str, str],
    economy: None,
    app: Any,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    busy = settings.model_copy(update={"metrics_exact_payers_max_transactions": 0})  # every period estimated
    app.state.settings = busy
    with session_factory() as session:
        recompute_metrics(session, busy, as_of=date(2026, 11, 30), source="e2e", trigger="test")
    login(page, role_users["leader"])
    page.goto(f"/ekonomi?level=kecamatan&period={PERIOD}&metric=unique_payers")
    expect(page.locator("#economy-map")).to_have_attribute("data-rendered", "true")
    texts = page.locator("#economy-map").evaluate(
        "el => el.data.filter(t => t.fill === 'toself').map(t => t.text)"
    )
    with_payers = [t for t in texts if "Tanpa data" not in t]
    assert with_payers and all("≈ " in t and "(perkiraan)" in t for t in with_payers), with_payers
    page.goto(f"/ekonomi?level=kecamatan&period={PERIOD}&metric=transactions")
    expect(page.locator("#economy-map")).to_have_attribute("data-rendered", "true")
    plain = page.locator("#economy-map").evaluate(
        "el => el.data.filter(t => t.fill === 'toself').map(t => t.text)"
    )
    assert not any("≈" in t for t in plain)
