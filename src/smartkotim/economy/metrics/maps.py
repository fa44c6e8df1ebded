"""The economy map: region polygons (imported boundaries, else schematic tiles, from the regions
feature) coloured by one metric in choropleth classes, plus market points sized by transactions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics.breaks import BreakMethod, classify_values
from smartkotim.economy.metrics.definitions import METRICS
from smartkotim.economy.metrics.readers import list_area_metrics
from smartkotim.economy.metrics.schemas import AreaMetricsOut
from smartkotim.regions import maps as region_maps
from smartkotim.regions import queries as regions
from smartkotim.regions.errors import RegionNotFoundError
from smartkotim.regions.models import RegionLevel

_GEOMETRY_CACHE: dict[tuple[str, str, tuple[int | None, ...]], dict[str, Any]] = {}


class UnknownMetricError(ValueError):
    """A metric name not in ``definitions.METRICS``."""


def map_geometry_key(session: Session) -> tuple[int | None, ...]:
    """The current boundary imports (part of the cache keys: a new import changes the geometry)."""
    return tuple(
        getattr(regions.get_current_import(session, level), "id", None)
        for level in (RegionLevel.KECAMATAN, RegionLevel.DESA)
    )


def region_features(session: Session, *, level: str, parent: str) -> dict[str, Any]:
    """``{"schematic": bool, "features": [...]}``: the polygons of the ``level`` regions under
    ``parent`` (the kabupaten or a kecamatan), cached until the next boundary import."""
    key = (level, parent, map_geometry_key(session))
    if key not in _GEOMETRY_CACHE:
        if level == RegionLevel.DESA.value and parent.count(".") == 1:  # every desa of the kabupaten
            parts = [
                region_maps.build_region_map(session, k.code) for k in regions.list_children(session, parent)
            ]
        else:
            parts = [region_maps.build_region_map(session, parent)]
        features = [f.model_dump(mode="json") for part in parts for f in part.features]
        _GEOMETRY_CACHE[key] = {"schematic": any(p.schematic for p in parts), "features": features}
    return _GEOMETRY_CACHE[key]


def metric_value(item: AreaMetricsOut, metric: str) -> float | None:
    """The value of ``metric`` for one area (``None`` when not defined or no data)."""
    if metric not in METRICS:
        raise UnknownMetricError(f"metric {metric!r} is not one of {', '.join(METRICS)}")
    value = getattr(item, metric)
    if not item.has_data:
        return None
    return None if value is None else float(value)


PAYER_METRICS = frozenset({"unique_payers", "payers_per_1000_adults"})


def build_metrics_map(
    session: Session,
    settings: Settings,
    *,
    level: str,
    period_id: str,
    metric: str,
    method: BreakMethod = BreakMethod.QUANTILE,
    k: int = 5,
    fixed: list[float] | None = None,
    parent: str | None = None,
    breaks_with: str | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the ``level`` regions under ``parent`` (default the kabupaten)
    with ``value``, ``value_is_estimate`` (a HyperLogLog estimate, ``docs/metrics.md``), ``class_index``
    (``-1`` no data), ``area_class`` and ``index`` in each feature's properties, plus ``legend``,
    ``schematic`` and ``markets`` (points: code, name, lon, lat, transactions, value, area_class).

    ``breaks_with``: a second period id (two-period comparison); the class limits are then computed
    over the values of both periods, so a colour means the same value on both maps.

    Raises:
        UnknownMetricError, readers.UnknownLevelError, smartkotim.lib.periods.PeriodError, ValueError
        (breaks.FixedLimitsError for bad fixed limits), smartkotim.regions.errors.RegionNotFoundError
        (unknown ``parent``).
    """
    parent = parent or settings.regency_code
    if parent != settings.regency_code and (
        regions.get_region(session, parent) is None or not parent.startswith(f"{settings.regency_code}.")
    ):
        raise RegionNotFoundError(f"no region with code {parent!r} in {settings.regency_code}")
    items = {i.code: i for i in list_area_metrics(session, settings, level=level, period_id=period_id)}
    geo = region_features(session, level=level, parent=parent)
    features = [f for f in geo["features"] if f["id"] in items]
    values = [metric_value(items[f["id"]], metric) for f in features]
    also: list[float | None] = []
    if breaks_with and breaks_with != period_id:
        other = {i.code: i for i in list_area_metrics(session, settings, level=level, period_id=breaks_with)}
        also = [metric_value(other[f["id"]], metric) for f in features if f["id"] in other]
    breaks = classify_values(values, method, k, fixed, also=also)
    out_features = []
    for feature, value, cls in zip(features, values, breaks.classes, strict=True):
        item = items[feature["id"]]
        props = {
            **feature["properties"],
            "value": value,
            "class_index": cls,
            "area_class": item.area_class,
            "index": item.index,
            "adoption_rate": item.adoption_rate,
            # the value is a HyperLogLog estimate (unique payers and payers per 1,000 adults of busy periods)
            "value_is_estimate": metric in PAYER_METRICS and item.unique_payers_is_estimate,
            "economy_url": f"/ekonomi/wilayah/{item.code}?period={period_id}",
        }
        out_features.append({**feature, "properties": props})
    return {
        "type": "FeatureCollection",
        "level": level,
        "parent": parent,
        "period_id": period_id,
        "metric": metric,
        "metric_label": METRICS[metric].label,
        "unit": METRICS[metric].unit,
        "schematic": geo["schematic"],
        "features": out_features,
        "legend": {
            "method": str(breaks.method),
            "upper_limits": list(breaks.upper_limits),
            "labels": list(breaks.labels),
            "shared_with": breaks_with if also else None,
        },
        "markets": _market_points(session, settings, period_id, parent),
    }


def _market_points(session: Session, settings: Settings, period_id: str, parent: str) -> list[dict[str, Any]]:
    items = list_area_metrics(session, settings, level="market", period_id=period_id)
    return [
        {
            "code": m.code,
            "name": m.name,
            "lon": m.lon,
            "lat": m.lat,
            "transactions": m.transactions,
            "value": m.value,
            "area_class": m.area_class,
            "desa_code": m.parent_code,
        }
        for m in items
        if m.lat is not None and m.lon is not None and (m.parent_code or "").startswith(parent)
    ]
