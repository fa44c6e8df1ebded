"""The economy map on a touch phone (390 × 844) and the kecamatan names on it.

- A tap on a kecamatan tile or a market point of the leader page (``/ekonomi/pimpinan``) opens the same
  page a mouse click opens, also when the finger moves a few pixels (Chromium still calls that a tap);
  a swipe that starts on the map scrolls the page.
- Kecamatan maps (schematic tiles and imported boundaries) carry the kecamatan names, which neither
  overlap each other nor cover a market point; desa maps carry none. Phones get no Plotly mode bar.

Touches are sent through the DevTools protocol (``Input.dispatchTouchEvent``), as a phone sends them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy.orm import Session, sessionmaker

from e2e.browser_support import login
from smartkotim.config import Settings
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.economy.metrics.sources import TXN_SOURCES
from smartkotim.economy.registry.models import Market, Merchant

pytestmark = pytest.mark.browser
KABUPATEN = "62.02"
PERIOD = "2026-10"
PHONE = ViewportSize(width=390, height=844)
# (market code, desa, NMID of its one QRIS trader, days with one 25,000 sale in October 2026)
MARKETS = [
    ("PSR-SENTUH-1", "62.02.06.1001", "ID2000000000101", range(1, 29)),
    ("PSR-SENTUH-2", "62.02.05.1001", "ID2000000000102", range(3, 12)),
    ("PSR-SENTUH-3", "62.02.01.1009", "ID2000000000103", range(10, 14)),
]
# The names of the map: non-empty text of the Plotly scatter layer, with their boxes (CSS px).
LABELS_JS = """el => [...el.querySelectorAll('.scatterlayer .textpoint text')]
    .filter(t => t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect();
        return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
                l: r.left, r: r.right, t: r.top, b: r.bottom}; })"""
# Map coordinates (lon, lat) -> viewport pixels, by the axes Plotly drew.
SCREEN_JS = """(el, points) => {
    const full = el._fullLayout, box = el.getBoundingClientRect();
    return points.map(([x, y]) => [box.left + full._size.l + full.xaxis.l2p(x),
                                   box.top + full._size.t + full.yaxis.l2p(y)]);
}"""


def _transactions() -> pa.Table:
    rows: list[dict[str, Any]] = [
        {
            "nmid": nmid,
            "day": date(2026, 10, day),
            "amount": 25_000,
            "payer": f"P{day % 5}",
            "ok": True,
            "attempted": True,
            "acquirer": "BRI",
        }
        for _code, _desa, nmid, days in MARKETS
        for day in days
    ]
    return pa.Table.from_pylist(rows)


@pytest.fixture
def economy(session_factory: sessionmaker[Session], settings: Settings) -> Iterator[None]:
    """Three markets (with coordinates, so the map draws them) in three kecamatan, one QRIS trader each,
    and their October sales, computed into the store."""
    with session_factory() as session:
        for i, (code, desa, nmid, _days) in enumerate(MARKETS):
            market = Market(
                code=code,
                name=f"Pasar Sentuh {i}",
                kind="pasar_desa",
                desa_code=desa,
                lat=-2.5 - i / 100,
                lon=112.9 + i / 100,
            )
            session.add(market)
            session.flush()
            session.add(
                Merchant(
                    nmid=nmid,
                    name=f"Pedagang Sentuh {i}",
                    name_normalised=f"pedagang sentuh {i}",
                    market_id=market.id,
                    desa_code=desa,
                    desa_resolution="code",
                    accepts_cashless=True,
                    acquirer_code="BRI",
                    status="active",
                )
            )
        session.commit()
        TXN_SOURCES["e2e-touch"] = lambda _settings, _con, _months: _transactions()
        recompute_metrics(session, settings, as_of=date(2026, 11, 30), source="e2e-touch", trigger="test")
    yield
    TXN_SOURCES.pop("e2e-touch", None)


def _open_map(page: Page, path: str) -> dict[str, Any]:
    """Open ``path``, wait for the map, put it in the middle of the screen; return the map's JSON."""
    page.goto(path)
    economy_map = page.locator("#economy-map")
    expect(economy_map).to_have_attribute("data-rendered", "true")
    economy_map.evaluate("el => el.scrollIntoView({block: 'center'})")
    data: dict[str, Any] = economy_map.evaluate(
        "async el => (await fetch(el.dataset.apiUrl, {headers: {Accept: 'application/json'}})).json()"
    )
    return data


def _screen(page: Page, points: list[list[float]]) -> list[tuple[float, float]]:
    return [tuple(p) for p in page.locator("#economy-map").evaluate(SCREEN_JS, points)]


def _outer_rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def _inside(ring: list[tuple[float, float]], x: float, y: float) -> bool:
    """Ray casting: is (x, y) inside the closed ring?"""
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def _screen_rings(page: Page, feature: dict[str, Any]) -> list[list[tuple[float, float]]]:
    return [_screen(page, ring) for ring in _outer_rings(feature["geometry"])]


def _box(points: list[tuple[float, float]]) -> dict[str, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return {"l": min(xs), "r": max(xs), "t": min(ys), "b": max(ys)}


def _overlap(a: dict[str, float], b: dict[str, float], slack: float = 1) -> bool:
    """True when the boxes overlap by more than ``slack`` px both ways (rounding of text boxes)."""
    across = min(a["r"], b["r"]) - max(a["l"], b["l"])
    down = min(a["b"], b["b"]) - max(a["t"], b["t"])
    return across > slack and down > slack


def _touch(page: Page, path: list[tuple[float, float]]) -> None:
    """A finger put down on ``path[0]``, moved along the rest of ``path``, then lifted."""
    cdp = page.context.new_cdp_session(page)
    (x, y), moves = path[0], path[1:]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for mx, my in moves:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": mx, "y": my}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def _market_tiles(data: dict[str, Any]) -> set[str]:
    """Codes of the kecamatan whose tile carries a market point (the market's desa lies in it)."""
    codes = {f["properties"]["code"] for f in data["features"]}
    return {code for m in data["markets"] for code in codes if (m["desa_code"] or "").startswith(code + ".")}


def _is_name_of(label: str, name: str) -> bool:
    """``label`` is ``name`` or its short form ("Mentawa Baru Ketapang" -> "MB Ketapang")."""
    label = label.strip("\xa0 ")
    return label == name or (label.split()[-1] == name.split()[-1] and len(label) < len(name))


def test_a_finger_tap_on_a_kecamatan_tile_opens_that_kecamatan(
    phone: tuple[Page, list[str]], role_users: dict[str, str], economy: None
) -> None:
    page, errors = phone
    login(page, role_users["leader"])
    data = _open_map(page, f"/ekonomi/pimpinan?period={PERIOD}")
    assert data["schematic"] and data["level"] == "kecamatan"
    assert page.evaluate("() => window.scrollY") > 0  # the map sits below the headline: the page scrolled
    # the middle of the lowest tile on the screen without a market point on it
    free = [f for f in data["features"] if f["properties"]["code"] not in _market_tiles(data)]
    centres = {f["properties"]["code"]: _box(_screen_rings(page, f)[0]) for f in free}
    code = max(centres, key=lambda c: centres[c]["b"])
    x, y = (centres[code]["l"] + centres[code]["r"]) / 2, (centres[code]["t"] + centres[code]["b"]) / 2
    assert 0 < y < PHONE["height"]
    # which area is under that point, from the geometry the API sent: exactly that one tile
    under = [f for f in data["features"] if any(_inside(r, x, y) for r in _screen_rings(page, f))]
    assert [f["properties"]["code"] for f in under] == [code]
    expected = under[0]["properties"]["economy_url"]
    assert expected == f"/ekonomi/wilayah/{code}?period={PERIOD}"
    # a finger tap: down, a 9 px roll, up (Chromium still counts that as a tap: its slop is 15 px)
    _touch(page, [(x, y - 4), (x, y), (x, y + 5)])
    page.wait_for_url(f"**{expected}")
    expect(page.locator("h1")).to_contain_text(under[0]["properties"]["name"])
    assert errors == []


def test_a_tap_on_a_market_point_opens_the_market(
    phone: tuple[Page, list[str]], role_users: dict[str, str], economy: None
) -> None:
    page, errors = phone
    login(page, role_users["leader"])
    data = _open_map(page, f"/ekonomi/pimpinan?period={PERIOD}")
    market = max(data["markets"], key=lambda m: m["transactions"])  # the biggest point
    # on the schematic map a market point sits in the middle of its kecamatan's tile
    tile = next(f for f in data["features"] if market["desa_code"].startswith(f["properties"]["code"] + "."))
    box = _box(_screen_rings(page, tile)[0])
    page.touchscreen.tap((box["l"] + box["r"]) / 2, (box["t"] + box["b"]) / 2)
    page.wait_for_url(f"**/ekonomi/wilayah/{market['code']}?period={data['period_id']}")
    assert errors == []


def test_a_swipe_that_starts_on_the_map_scrolls_the_page(
    phone: tuple[Page, list[str]], role_users: dict[str, str], economy: None
) -> None:
    page, errors = phone
    login(page, role_users["leader"])
    _open_map(page, f"/ekonomi/pimpinan?period={PERIOD}")
    before = page.evaluate("() => window.scrollY")
    ranges = "el => [el.layout.xaxis.range.slice(), el.layout.yaxis.range.slice()]"
    drawn = page.locator("#economy-map").evaluate(ranges)
    box = page.locator("#economy-map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8
    _touch(page, [(x, y - step * 20) for step in range(11)])  # 200 px up, as a thumb scrolls
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.scrollY") >= before + 100
    assert page.locator("#economy-map").evaluate(ranges) == drawn  # the map itself did not move
    assert page.url.endswith(f"/ekonomi/pimpinan?period={PERIOD}")  # and a swipe is no tap
    assert errors == []


def test_kecamatan_names_are_drawn_beside_their_tiles_on_a_phone(
    phone: tuple[Page, list[str]], role_users: dict[str, str], economy: None, tmp_path: Path
) -> None:
    page, errors = phone
    login(page, role_users["leader"])
    data = _open_map(page, f"/ekonomi/pimpinan?period={PERIOD}")
    economy_map = page.locator("#economy-map")
    economy_map.screenshot(path=str(tmp_path / "leader-map-phone.png"))  # for a person to look at
    expect(economy_map.locator(".modebar")).to_have_count(0)  # no mode bar on a phone
    features = {f["properties"]["code"]: f for f in data["features"]}
    codes = (economy_map.get_attribute("data-labelled-codes") or "").split()
    labels = economy_map.evaluate(LABELS_JS)
    assert len(labels) == len(codes) >= 12, (codes, labels)  # of 17: the rest did not fit
    assert len(set(codes)) == len(codes)
    for code, label in zip(codes, labels, strict=True):
        name = features[code]["properties"]["name"]
        assert _is_name_of(label["text"], name), (code, name, label)
        assert label["size"] >= 10, label  # readable
        tile = _box(_screen_rings(page, features[code])[0])
        grown = {"l": tile["l"] - 8, "r": tile["r"] + 8, "t": tile["t"] - 8, "b": tile["b"] + 8}
        assert _overlap(label, grown, slack=0), (name, label, tile)  # beside (or in) its own tile
    for i, a in enumerate(labels):
        assert not any(_overlap(a, b) for b in labels[i + 1 :]), a
    points = economy_map.evaluate(
        """el => [...el.querySelectorAll('.scatterlayer .points path.point')].map(p => {
            const r = p.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; })"""
    )
    assert len(points) == len(data["markets"]) == len(MARKETS)
    assert not [(a, p) for a in labels for p in points if _overlap(a, p)]
    assert errors == []


def test_names_on_imported_kecamatan_boundaries_but_not_on_desa(
    page: Page,
    role_users: dict[str, str],
    economy: None,
    session_factory: sessionmaker[Session],
    shared_data: Path,
) -> None:
    from smartkotim.accounts.audit import Actor
    from smartkotim.regions.services import import_boundaries

    for level in ("kabupaten", "kecamatan", "desa"):
        with session_factory() as session:
            result = import_boundaries(
                session,
                path=shared_data / "boundaries" / f"kotim_{level}.geojson",
                regency_code=KABUPATEN,
                by=Actor(label="test"),
            )
            assert result.status == "imported", result.report
    login(page, role_users["analyst"])
    data = _open_map(page, f"/ekonomi?level=kecamatan&period={PERIOD}")
    assert not data["schematic"]
    economy_map = page.locator("#economy-map")
    expect(economy_map.locator(".modebar")).to_have_count(1)  # the desktop keeps its zoom buttons
    features = {f["properties"]["code"]: f for f in data["features"]}
    codes = (economy_map.get_attribute("data-labelled-codes") or "").split()
    labels = economy_map.evaluate(LABELS_JS)
    assert len(labels) == len(codes) >= 8, (codes, labels)
    for code, label in zip(codes, labels, strict=True):
        name = features[code]["properties"]["name"]
        assert _is_name_of(label["text"], name), (code, name, label)
        middle = ((label["l"] + label["r"]) / 2, (label["t"] + label["b"]) / 2)
        assert any(_inside(r, *middle) for r in _screen_rings(page, features[code])), (name, label)
    for i, a in enumerate(labels):
        assert not any(_overlap(a, b) for b in labels[i + 1 :]), a
    _open_map(page, f"/ekonomi?level=desa&period={PERIOD}")
    assert economy_map.evaluate(LABELS_JS) == []
    assert economy_map.get_attribute("data-labelled-codes") is None
