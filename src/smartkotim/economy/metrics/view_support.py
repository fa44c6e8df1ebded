"""Helpers of the metrics views: the period of a request and the choropleth's parameters and body
(the map API and its GeoJSON download share them)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Query, Request
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics import readers
from smartkotim.economy.metrics.breaks import BreakMethod, FixedLimitsError, parse_fixed_limits
from smartkotim.economy.metrics.cache import cached, peek
from smartkotim.economy.metrics.maps import UnknownMetricError, build_metrics_map
from smartkotim.lib.periods import PeriodError, today_wib
from smartkotim.regions.errors import RegionNotFoundError
from smartkotim.web.encoded import EncodedBody


def bad_request(exc: Exception) -> HTTPException:
    return HTTPException(400, str(exc))


def request_period(request: Request, db: Session, period: str | None) -> str:
    """The requested period id, else the newest stored month (cached with the store's version)."""
    today = today_wib().isoformat()  # in the key: a new month can change the default without new data
    return period or cached(request.app, db, ("default_period", today), lambda: readers.get_default_month(db))


PERIOD_EXAMPLES = "2026-10, 2026-W43, 2026Q4, 2026, L30D, L12M, YTD, 2026-09-01..2026-09-30"


def page_period(period: str | None) -> tuple[str | None, str | None]:
    """For a page (not the API, which answers 400): ``(period, None)`` when ``period`` is understood (or
    not given), else ``(None, message)`` so the page shows the default period with the message in
    Bahasa Indonesia instead of an error page."""
    if not period:
        return None, None
    try:
        readers.resolve_period(period)
    except PeriodError:
        return None, f"Periode «{period}» tidak dikenali; contoh yang sah: {PERIOD_EXAMPLES}."
    return period, None


def peek_period(request: Request, period: str | None) -> str | None:
    """The period id without touching the database: the given one, else the cached default."""
    return period or peek(request.app, ("default_period", today_wib().isoformat()))


def map_body(request: Request, db: Session, settings: Settings, params: dict[str, Any]) -> EncodedBody:
    """The map's GeoJSON as bytes, cached with the store's version and the boundary imports."""
    params = params | {"period": request_period(request, db, params["period"])}

    def build() -> EncodedBody:
        return EncodedBody.of(json.dumps(build_map(db, settings, params)).encode())

    return cached(request.app, db, map_key(params), build)


def map_key(params: dict[str, Any]) -> tuple[Any, ...]:
    return ("map", tuple(sorted(params.items())))


def build_map(db: Session, settings: Settings, params: dict[str, Any]) -> dict[str, Any]:
    try:
        fixed = parse_fixed_limits(params["fixed"]) if params["fixed"] else None
        return build_metrics_map(
            db,
            settings,
            level=params["level"],
            period_id=params["period"] or readers.get_default_month(db),
            metric=params["metric"],
            method=BreakMethod(params["method"]),
            k=params["k"],
            fixed=fixed,
            parent=params["parent"],
            breaks_with=params["breaks_with"],
        )
    except FixedLimitsError as exc:
        raise HTTPException(422, str(exc)) from exc
    except RegionNotFoundError as exc:
        raise HTTPException(404, f"parent: region {params['parent']!r} not found") from exc
    except (PeriodError, readers.UnknownLevelError, UnknownMetricError, ValueError) as exc:
        raise bad_request(exc) from exc


async def map_params(
    level: str = Query("kecamatan", pattern="^(kecamatan|desa)$"),
    period: str | None = None,
    metric: str = "adoption_rate",
    method: str = Query("quantile", pattern="^(quantile|equal_interval|natural_breaks|fixed)$"),
    k: int = Query(5, ge=1, le=9),
    fixed: str | None = Query(None, description="Upper class limits for method=fixed, comma separated"),
    parent: str | None = Query(None, description="Kecamatan code to map only its desa"),
    breaks_with: str | None = Query(
        None, description="Second period id: class limits computed over both periods (comparison maps)"
    ),
) -> dict[str, Any]:
    return {
        "level": level,
        "period": period,
        "metric": metric,
        "method": method,
        "k": k,
        "fixed": fixed,
        "parent": parent,
        "breaks_with": breaks_with,
    }
