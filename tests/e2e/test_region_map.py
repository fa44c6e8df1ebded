"""The region map in a real browser: schematic until boundaries are imported, then the real outlines."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from e2e.browser_support import login
from smartkotim.regions.models import Region, RegionLevel

pytestmark = pytest.mark.browser
KABUPATEN = "62.02"
MENTAWA_BARU_KETAPANG = "62.02.06"


def _codes(factory: sessionmaker[Session], *, level: RegionLevel, parent: str) -> set[str]:
    with factory() as session:
        regions = session.query(Region).filter(Region.level == level, Region.parent_code == parent)
        return {region.code for region in regions}


def _drawn_codes(page: Page) -> set[str]:
    """The region codes ``regionmap.js`` drew, once Plotly has finished."""
    region_map = page.locator("#region-map")
    expect(region_map).to_have_attribute("data-rendered", "true")
    return set((region_map.get_attribute("data-rendered-codes") or "").split())


def _import_boundaries(factory: sessionmaker[Session], folder: Path) -> None:
    from smartkotim.accounts.audit import Actor
    from smartkotim.regions.services import import_boundaries

    for name in ("kotim_kabupaten.geojson", "kotim_kecamatan.geojson", "kotim_desa.geojson"):
        with factory() as session:
            result = import_boundaries(
                session, path=folder / name, regency_code=KABUPATEN, by=Actor(label="test")
            )
            assert result.status == "imported", result.report


def _click_region(page: Page, code: str) -> None:
    """Move the mouse to the middle of ``code``'s shape on the Plotly map and click it."""
    point = page.locator("#region-map").evaluate(
        """(el, code) => {
            const trace = el.data.find(t => t.customdata && t.customdata[0] === code);
            const xs = trace.x.filter(v => v !== null), ys = trace.y.filter(v => v !== null);
            const mid = v => (Math.min(...v) + Math.max(...v)) / 2;
            const full = el._fullLayout, box = el.getBoundingClientRect();
            return {x: box.left + full._size.l + full.xaxis.l2p(mid(xs)),
                    y: box.top + full._size.t + full.yaxis.l2p(mid(ys))};
        }""",
        code,
    )
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])


def test_region_map_is_schematic_before_boundaries_are_imported(
    page: Page, role_users: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    kecamatan = _codes(session_factory, level=RegionLevel.KECAMATAN, parent=KABUPATEN)
    assert len(kecamatan) == 17
    login(page, role_users["analyst"])
    page.goto("/wilayah")
    assert _drawn_codes(page) == kecamatan
    expect(page.locator("#map-kind")).to_have_attribute("data-schematic", "true")
    expect(page.locator("#map-kind .schematic-label")).to_have_text("Peta skematik")
    expect(page.locator("#region-map .scatterlayer .trace")).to_have_count(18)  # 17 tiles and their labels


def test_schematic_map_labels_itself_in_english_too(page: Page, role_users: dict[str, str]) -> None:
    login(page, role_users["leader"])
    page.goto("/bahasa/en?next=/wilayah")
    _drawn_codes(page)
    expect(page.locator("#map-kind .schematic-label")).to_have_text("Schematic map")


def test_clicking_a_kecamatan_on_the_map_opens_its_page(page: Page, role_users: dict[str, str]) -> None:
    login(page, role_users["analyst"])
    page.goto("/wilayah")
    _drawn_codes(page)
    _click_region(page, MENTAWA_BARU_KETAPANG)
    page.wait_for_url(f"**/wilayah/{MENTAWA_BARU_KETAPANG}")
    expect(page.locator("h1")).to_contain_text("Mentawa Baru Ketapang")


def test_region_map_shows_the_real_boundaries_after_an_import(
    page: Page, role_users: dict[str, str], session_factory: sessionmaker[Session], shared_data: Path
) -> None:
    login(page, role_users["analyst"])
    page.goto("/wilayah")
    expect(page.locator("#map-kind")).to_have_attribute("data-schematic", "true")

    _import_boundaries(session_factory, shared_data / "boundaries")

    page.goto("/wilayah")
    kecamatan = _codes(session_factory, level=RegionLevel.KECAMATAN, parent=KABUPATEN)
    assert _drawn_codes(page) == kecamatan
    expect(page.locator("#map-kind")).to_have_attribute("data-schematic", "false")
    expect(page.locator(".schematic-label")).to_have_count(0)

    page.goto(f"/wilayah/{MENTAWA_BARU_KETAPANG}")
    desa = _codes(session_factory, level=RegionLevel.DESA, parent=MENTAWA_BARU_KETAPANG)
    assert len(desa) == 11
    assert desa <= _drawn_codes(page)
    expect(page.locator("#map-kind")).to_have_attribute("data-schematic", "false")
