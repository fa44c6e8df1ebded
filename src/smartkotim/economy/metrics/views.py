"""Smart Economy metrics routes: dashboard, area pages, rankings, leader view, their JSON twins and
exports (CSV, XLSX, GeoJSON). Views parse, call one reader, render.

The two APIs the dashboard polls (``/api/economy/metrics``, ``/api/economy/map``) are async: a response
cached at the store's current version is answered on the event loop (``cache.peek``); anything that needs
the database is built in the thread pool."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import TypeAdapter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts.roles import Role
from smartkotim.accounts.view_support import ROLE_HOMES
from smartkotim.config import Settings
from smartkotim.economy.metrics import exports, hooks, readers
from smartkotim.economy.metrics.cache import cached, peek
from smartkotim.economy.metrics.classes import CLASS_LABELS
from smartkotim.economy.metrics.definitions import METRICS
from smartkotim.economy.metrics.index import COMPONENT_LABELS
from smartkotim.economy.metrics.queries import list_data_months
from smartkotim.economy.metrics.schemas import AreaDetailOut, AreaMetricsOut, SummaryOut
from smartkotim.economy.metrics.view_support import (
    bad_request,
    map_body,
    map_key,
    map_params,
    page_period,
    peek_period,
    request_period,
)
from smartkotim.lib.periods import PeriodError
from smartkotim.regions.errors import RegionNotFoundError
from smartkotim.web.deps import get_db, get_settings
from smartkotim.web.encoded import EncodedBody, encoded_response
from smartkotim.web.templating import render

router = APIRouter()
ROLE_HOMES[Role.LEADER.value] = "/ekonomi/pimpinan"  # the Bupati lands on the leader view after login
JOB_KINDS = hooks  # importing the views registers the metrics job kinds for the worker
GEOJSON = "application/geo+json"
LevelQuery = Query("kecamatan", pattern="^(kabupaten|kecamatan|desa|market)$")
ITEMS = TypeAdapter(list[AreaMetricsOut])


def _metrics(db: Session, settings: Settings, level: str, period: str | None) -> list[AreaMetricsOut]:
    try:
        return readers.list_area_metrics(
            db, settings, level=level, period_id=period or readers.get_default_month(db)
        )
    except (PeriodError, readers.UnknownLevelError) as exc:
        raise bad_request(exc) from exc


def _metrics_body(
    request: Request, db: Session, settings: Settings, level: str, period: str | None
) -> EncodedBody:
    period_id = request_period(request, db, period)
    return cached(
        request.app,
        db,
        ("metrics", level, period_id),
        lambda: EncodedBody.of(ITEMS.dump_json(_metrics(db, settings, level, period_id))),
    )


@router.get(
    "/api/economy/metrics",
    name="api_economy_metrics",
    tags=["economy"],
    response_model=list[AreaMetricsOut],
)
async def api_economy_metrics(
    request: Request,
    level: str = LevelQuery,
    period: str | None = Query(
        None, description="Period id: 2026-10, 2026-W43, 2026Q4, 2026, L30D, L12M, YTD"
    ),
    db: Session = Depends(get_db),
) -> Response:
    """Every region (or market) of ``level`` with every metric of ``period``, its index and class."""
    period_id = peek_period(request, period)
    body: EncodedBody | None = peek(request.app, ("metrics", level, period_id)) if period_id else None
    if body is None:
        settings = request.app.state.settings
        body = await run_in_threadpool(_metrics_body, request, db, settings, level, period)
    return encoded_response(request, body, "application/json")


@router.get("/api/economy/metrics.csv", name="api_economy_metrics_csv", tags=["economy"])
def api_economy_metrics_csv(
    level: str = LevelQuery,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The metrics list as a CSV download (flat columns)."""
    items = _metrics(db, settings, level, period)
    return exports.csv_download(items, f"metrik-{level}-{items[0].period_id if items else 'kosong'}.csv")


@router.get("/api/economy/metrics.xlsx", name="api_economy_metrics_xlsx", tags=["economy"])
def api_economy_metrics_xlsx(
    level: str = LevelQuery,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The metrics list as an XLSX download."""
    items = _metrics(db, settings, level, period)
    period_id = items[0].period_id if items else "kosong"
    return exports.xlsx_download(items, f"metrik-{level}-{period_id}.xlsx", title=f"{level} {period_id}")


def _summary(request: Request, db: Session, settings: Settings, level: str, period_id: str) -> SummaryOut:
    def build() -> SummaryOut:
        try:
            return readers.get_summary(db, settings, level=level, period_id=period_id)
        except (PeriodError, readers.UnknownLevelError) as exc:
            raise bad_request(exc) from exc

    return cached(request.app, db, ("summary", level, period_id), build)


@router.get("/api/economy/summary", name="api_economy_summary", tags=["economy"])
def api_economy_summary(
    request: Request,
    level: str = LevelQuery,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> SummaryOut:
    """Headline of a period: the kabupaten, class counts, class changes and lagging areas."""
    return _summary(request, db, settings, level, request_period(request, db, period))


@router.get("/api/economy/map", name="api_economy_map", tags=["economy"], response_model=dict[str, Any])
async def api_economy_map(
    request: Request, params: dict[str, Any] = Depends(map_params), db: Session = Depends(get_db)
) -> Response:
    """The choropleth as GeoJSON: polygons with value, class and area class; legend; market points."""
    period_id = peek_period(request, params["period"])
    body: EncodedBody | None = (
        peek(request.app, map_key(params | {"period": period_id})) if period_id else None
    )
    if body is None:
        body = await run_in_threadpool(map_body, request, db, request.app.state.settings, params)
    return encoded_response(request, body, "application/json")


@router.get("/api/economy/map.geojson", name="api_economy_map_geojson", tags=["economy"])
def api_economy_map_geojson(
    request: Request,
    params: dict[str, Any] = Depends(map_params),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """The choropleth as a GeoJSON download."""
    period_id = request_period(request, db, params["period"])
    name = f"peta-{params['level']}-{params['metric']}-{period_id}.geojson"
    return Response(
        map_body(request, db, settings, params).identity,
        media_type=GEOJSON,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/economy/areas/{level}/{code}/history", name="api_economy_area_history", tags=["economy"])
def api_economy_area_history(
    request: Request,
    level: str,
    code: str,
    kind: str = Query("month", pattern="^(day|week|month|quarter|year)$"),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> list[AreaMetricsOut]:
    """One area's figures for every stored period of ``kind``, oldest first (trend charts); 400 for an
    unknown level, 404 for an unknown area."""
    try:
        return cached(
            request.app,
            db,
            ("history", level, code, kind),
            lambda: readers.list_area_history(db, settings, level=level, code=code, period_kind=kind),
        )
    except readers.UnknownLevelError as exc:
        raise bad_request(exc) from exc
    except RegionNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


def _page_context(request: Request, db: Session, level: str, period: str | None) -> dict[str, Any]:
    return {
        "period": request_period(request, db, period),
        "level": level,
        # months with data only: a month no bank has reported yet would show every area as "belum mulai"
        "months": cached(request.app, db, ("months",), lambda: list_data_months(db)[:36]),
        "metrics": METRICS,
        "class_labels": {str(k): v for k, v in CLASS_LABELS.items()},
        "component_labels": COMPONENT_LABELS,
    }


METHODS = (
    ("quantile", "Kuantil"),
    ("equal_interval", "Interval sama"),
    ("natural_breaks", "Jeda alami (Jenks)"),
    ("fixed", "Kelas tetap"),
)


@router.get("/ekonomi", name="economy_dashboard", response_class=HTMLResponse, include_in_schema=False)
def economy_dashboard(
    request: Request,
    params: dict[str, Any] = Depends(map_params),
    compare: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Smart Economy home: the choropleth (drawn from ``/api/economy/map``), headline and lagging areas."""
    asked, period_error = page_period(params["period"])
    params = params | {"period": asked}
    period = request_period(request, db, asked)
    query = urlencode({k: v for k, v in (params | {"period": period, "breaks_with": compare}).items() if v})
    compare_query = urlencode(
        {k: v for k, v in (params | {"period": compare, "breaks_with": period}).items() if v}
    )
    summary = _summary(request, db, settings, params["level"], period)
    context = _page_context(request, db, params["level"], period) | {
        "metric": params["metric"],
        "method": params["method"],
        "k": params["k"],
        "fixed": params["fixed"],
        "methods": METHODS,
        "compare": compare,
        "period_is_default": not params["period"],
        "period_error": period_error,
        "s": summary,
        "map_url": f"/api/economy/map?{query}",
        "geojson_url": f"/api/economy/map.geojson?{query}",
        "compare_url": f"/api/economy/map?{compare_query}" if compare else None,
    }
    return render(request, "metrics/dashboard.html", context)


@router.get(
    "/ekonomi/peringkat", name="economy_rankings", response_class=HTMLResponse, include_in_schema=False
)
def economy_rankings(
    request: Request,
    level: str = LevelQuery,
    period: str | None = None,
    metric: str = "adoption_rate",
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """Rankings and table of any metric (JSON twin: ``/api/economy/metrics``)."""
    if metric not in METRICS:
        raise HTTPException(400, f"metric {metric!r} is not one of {', '.join(METRICS)}")
    period, period_error = page_period(period)
    items = _metrics(db, settings, level, period)
    ranked = sorted(items, key=lambda i: (getattr(i, metric) is None, -(getattr(i, metric) or 0)))
    context = _page_context(request, db, level, period) | {
        "items": ranked,
        "metric": metric,
        "period_error": period_error,
    }
    return render(request, "metrics/rankings.html", context)


@router.get("/ekonomi/pimpinan", name="economy_leader", response_class=HTMLResponse, include_in_schema=False)
def economy_leader(
    request: Request,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """One page for the Bupati: headline numbers and change, the map, the lagging list (phone-friendly)."""
    period, period_error = page_period(period)
    period_id = request_period(request, db, period)
    summary = _summary(request, db, settings, "kecamatan", period_id)
    context = _page_context(request, db, "kecamatan", period_id) | {
        "s": summary,
        "period_is_default": not period,
        "period_error": period_error,
    }
    return render(request, "metrics/leader.html", context)


@router.get(
    "/ekonomi/wilayah/{code}", name="economy_area", response_class=HTMLResponse, include_in_schema=False
)
def economy_area(
    request: Request,
    code: str,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """A region's or market's economy page: funnel, index breakdown, comparison, trend, markets below,
    bank mix."""
    period, period_error = page_period(period)
    detail = _detail(request, db, settings, code, period)
    if detail is None:
        raise HTTPException(404, f"wilayah atau pasar {code} tidak ditemukan")
    context = _page_context(request, db, detail.area.level, period)
    return render(request, "metrics/area.html", context | {"d": detail, "period_error": period_error})


def _area_rows(detail: AreaDetailOut) -> list[AreaMetricsOut]:
    """What a region page shows as rows: the area, the kabupaten, the areas below it and its markets."""
    rows = [detail.area]
    if detail.kabupaten.code != detail.area.code:
        rows.append(detail.kabupaten)
    seen = {r.code for r in rows}
    for item in [*detail.children, *detail.markets]:
        if item.code not in seen:
            seen.add(item.code)
            rows.append(item)
    return rows


@router.get("/api/economy/areas/{code}.csv", name="api_economy_area_csv", tags=["economy"])
def api_economy_area_csv(
    request: Request,
    code: str,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """A region page as a CSV download: the area, the kabupaten, the areas below and the markets, one row
    each with every metric (the columns of ``/api/economy/metrics.csv``)."""
    detail = _existing_detail(request, db, settings, code, period)
    return exports.csv_download(_area_rows(detail), f"wilayah-{code}-{detail.area.period_id}.csv")


@router.get("/api/economy/areas/{code}.xlsx", name="api_economy_area_xlsx", tags=["economy"])
def api_economy_area_xlsx(
    request: Request,
    code: str,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    """A region page as an XLSX download (the rows of ``/api/economy/areas/{code}.csv``)."""
    detail = _existing_detail(request, db, settings, code, period)
    period_id = detail.area.period_id
    return exports.xlsx_download(
        _area_rows(detail), f"wilayah-{code}-{period_id}.xlsx", title=f"{code} {period_id}"
    )


@router.get("/api/economy/areas/{code}", name="api_economy_area", tags=["economy"])
def api_economy_area(
    request: Request,
    code: str,
    period: str | None = None,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> AreaDetailOut:
    """A region's or market's figures with the kabupaten's for comparison, the areas below it and the
    bank mix (share of transactions and value by acquirer)."""
    return _existing_detail(request, db, settings, code, period)


def _existing_detail(
    request: Request, db: Session, settings: Settings, code: str, period: str | None
) -> AreaDetailOut:
    """``_detail``, or 404 when ``code`` is no region or market."""
    detail = _detail(request, db, settings, code, period)
    if detail is None:
        raise HTTPException(404, f"wilayah atau pasar {code} tidak ditemukan")
    return detail


def _detail(
    request: Request, db: Session, settings: Settings, code: str, period: str | None
) -> AreaDetailOut | None:
    period_id = request_period(request, db, period)

    def build() -> AreaDetailOut | None:
        try:
            return readers.get_area_detail(db, settings, code=code, period_id=period_id)
        except PeriodError as exc:
            raise bad_request(exc) from exc

    return cached(request.app, db, ("area", code, period_id), build)
