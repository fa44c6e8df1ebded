"""Assembled reads for pages and the API: every metric of every area of a level in a period, the
headline summary, and one area's history. Built from the stored rows (``queries``) and ``derive``."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.metrics import queries
from smartkotim.economy.metrics.bank_mix import get_bank_mix
from smartkotim.economy.metrics.classes import AreaClass, ClassThresholds, list_class_changes
from smartkotim.economy.metrics.derive import (
    AreaInfo,
    Base,
    DeriveConfig,
    derive_config,
    derive_metrics,
    is_covered,
    payers_estimated_for,
)
from smartkotim.economy.metrics.models import AreaLevel, EconomyMetric
from smartkotim.economy.metrics.schemas import (
    AreaDetailOut,
    AreaMetricsOut,
    ClassChangeOut,
    LaggingAreaOut,
    SummaryOut,
)
from smartkotim.economy.metrics.services import transient_metric_rows
from smartkotim.lib.periods import (
    Period,
    PeriodKind,
    parse_period,
    previous_period,
    same_period_last_year,
    today_wib,
)
from smartkotim.regions.errors import RegionNotFoundError

LEVELS = tuple(level.value for level in AreaLevel)


class UnknownLevelError(ValueError):
    """A level other than kabupaten, kecamatan, desa or market."""


def resolve_period(period_id: str, *, as_of: date | None = None) -> Period:
    """Parse a period id (relative ids anchored on ``as_of``).

    Raises:
        smartkotim.lib.periods.PeriodError: the id is not understood.
    """
    return parse_period(period_id, today=as_of)


def _areas(session: Session, settings: Settings, level: str) -> list[AreaInfo]:
    if level not in LEVELS:
        raise UnknownLevelError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    return [
        AreaInfo(r["level"], r["code"], r["name"], r["parent_code"], r["adults"], r["lat"], r["lon"])
        for r in queries.list_area_rows(session, regency_code=settings.regency_code)
        if r["level"] == level
    ]


def pick_default_month(data_months: list[str], today: date) -> str:
    """The month a dashboard shows by default: the newest *complete* month (ended in WIB before
    ``today``) among ``data_months`` (``YYYY-MM``, any order); a month still running is shown only when
    no complete month has data; no data at all gives the current month."""
    current = today.strftime("%Y-%m")
    complete = sorted((m for m in data_months if m < current), reverse=True)
    if complete:
        return complete[0]
    return max(data_months) if data_months else current


def get_default_month(session: Session, *, today: date | None = None) -> str:
    """``pick_default_month`` over the stored months with data (``today`` default: today in WIB)."""
    return pick_default_month(queries.list_data_months(session), today or today_wib())


def _as_of(session: Session) -> date | None:
    run = queries.get_latest_run(session)
    return run.as_of if run else None


def list_area_metrics(
    session: Session, settings: Settings, *, level: str, period_id: str, config: DeriveConfig | None = None
) -> list[AreaMetricsOut]:
    """Every area of ``level`` (all regions of that level, or all markets) with every metric of
    ``period_id``, its growth, index and class; areas without data come with ``has_data`` False. A free
    date range (``2026-09-01..2026-09-30``) that the store does not hold is computed from the ledger for
    the call (``services.transient_metric_rows``; not stored).

    Raises:
        UnknownLevelError: bad level.
        smartkotim.lib.periods.PeriodError: bad period id.
    """
    config = config or derive_config(settings)
    period = resolve_period(period_id, as_of=_as_of(session))
    previous, year_ago = previous_period(period), same_period_last_year(period)
    if period.kind is PeriodKind.RANGE and not queries.count_period_rows(session, period.id):
        # a free date range the store does not hold: computed for this request from the ledger
        every = transient_metric_rows(session, settings, [period, previous, year_ago])
        rows = [r for r in every if r.level == level]
        kab_rows = [r for r in every if r.level == AreaLevel.KABUPATEN.value]
    else:
        rows = queries.list_metrics(session, level=level, period_ids={period.id, previous.id, year_ago.id})
        kab_rows = rows if level == AreaLevel.KABUPATEN.value else _kabupaten_rows(session, {period.id})
    by_key: dict[tuple[str, str], EconomyMetric] = {(r.period_id, r.area_code): r for r in rows}
    estimated = payers_estimated_for(next((r for r in kab_rows if r.period_id == period.id), None), config)
    first_day = queries.get_first_stored_day(session)
    prev_cov, year_cov = is_covered(previous, first_day), is_covered(year_ago, first_day)
    return [
        derive_metrics(
            by_key.get((period.id, area.code)),
            area=area,
            period=period,
            previous=Base(by_key.get((previous.id, area.code)), prev_cov),
            year_ago=Base(by_key.get((year_ago.id, area.code)), year_cov),
            config=config,
            payers_estimated=estimated,
        )
        for area in _areas(session, settings, level)
    ]


def _kabupaten_rows(session: Session, period_ids: set[str]) -> list[EconomyMetric]:
    return queries.list_metrics(session, level=AreaLevel.KABUPATEN.value, period_ids=period_ids)


def _lagging(items: list[AreaMetricsOut], thresholds: ClassThresholds) -> list[LaggingAreaOut]:
    lagging = [i for i in items if i.area_class in (AreaClass.TERTINGGAL, AreaClass.BELUM_MULAI)]
    out = []
    for item in lagging:
        gap = (
            None
            if item.adoption_rate is None
            else round(thresholds.aktif_min_adoption - item.adoption_rate, 2)
        )
        # lowest score first (largest shortfall to the goalpost), the heavier weight on ties; a weighted
        # shortfall named usage and enablers for every area (their weights dominate), so it told nothing
        weakest = sorted(
            (c for c in item.index_components if c.score is not None),
            key=lambda c: (c.score or 0.0, -c.weight_pct),
        )
        out.append(
            LaggingAreaOut(
                code=item.code,
                name=item.name,
                area_class=item.area_class or "",
                adoption_rate=item.adoption_rate,
                gap_pp=gap,
                weakest_components=[c.name for c in weakest[:2]],
            )
        )
    return sorted(out, key=lambda a: -(a.gap_pp or 0.0))


def get_summary(session: Session, settings: Settings, *, level: str, period_id: str) -> SummaryOut:
    """The kabupaten's figures, the class counts of ``level``, the areas that changed class against the
    previous period and the lagging areas with their largest gaps (largest first).

    Raises:
        UnknownLevelError, smartkotim.lib.periods.PeriodError: bad arguments.
    """
    config = derive_config(settings)
    items = list_area_metrics(session, settings, level=level, period_id=period_id, config=config)
    kabupaten = list_area_metrics(session, settings, level="kabupaten", period_id=period_id, config=config)[0]
    period = resolve_period(period_id, as_of=_as_of(session))
    before = list_area_metrics(
        session, settings, level=level, period_id=previous_period(period).id, config=config
    )
    names = {i.code: i.name for i in items}
    changes = list_class_changes(
        {i.code: _cls(i.area_class) for i in items},
        {i.code: _cls(i.area_class) for i in before if i.has_data},
    )
    counts = {str(c): sum(1 for i in items if i.area_class == c) for c in AreaClass}
    counts["tanpa_data"] = sum(1 for i in items if i.area_class is None)
    return SummaryOut(
        period_id=period.id,
        level=level,
        kabupaten=kabupaten,
        class_counts=counts,
        changed=[
            ClassChangeOut(
                code=c.code,
                name=names.get(c.code, c.code),
                previous=None if c.previous is None else str(c.previous),
                current=None if c.current is None else str(c.current),
                direction=c.direction,
            )
            for c in changes
        ],
        lagging=_lagging(items, config.thresholds),
    )


def _cls(value: str | None) -> AreaClass | None:
    return None if value is None else AreaClass(value)


def list_area_history(
    session: Session, settings: Settings, *, level: str, code: str, period_kind: str = "month"
) -> list[AreaMetricsOut]:
    """One area's figures for every stored period of one kind that begins on or before the data's last
    day, oldest first (for trend charts: periods no bank has reported yet would read as a collapse).

    Raises:
        UnknownLevelError: bad level.
        RegionNotFoundError: no region (or market) ``code`` at ``level``.
    """
    config = derive_config(settings)
    area = next((a for a in _areas(session, settings, level) if a.code == code), None)
    if area is None:
        raise RegionNotFoundError(f"no {level} with code {code!r}")
    rows = queries.list_area_history(session, level=level, code=code, period_kind=period_kind)
    run = queries.get_latest_run(session)
    if run is not None and run.last_day is not None:  # not the periods after the data end: no reports yet
        rows = [r for r in rows if r.period_start <= run.last_day]
    by_id = {r.period_id: r for r in rows}
    kab = {r.period_id: r for r in _kabupaten_rows(session, set(by_id))} if level != "kabupaten" else by_id
    first_day = queries.get_first_stored_day(session)
    out = []
    for row in rows:
        period = parse_period(row.period_id)
        prev, year = previous_period(period), same_period_last_year(period)
        out.append(
            derive_metrics(
                row,
                area=area,
                period=period,
                previous=Base(by_id.get(prev.id), is_covered(prev, first_day)),
                year_ago=Base(by_id.get(year.id), is_covered(year, first_day)),
                config=config,
                payers_estimated=payers_estimated_for(kab.get(row.period_id), config),
            )
        )
    return out


CHILD_LEVEL = {"kabupaten": "kecamatan", "kecamatan": "desa", "desa": "market"}


def _level_of(session: Session, settings: Settings, code: str) -> str | None:
    rows = queries.list_area_rows(session, regency_code=settings.regency_code)
    return next((r["level"] for r in rows if r["code"] == code), None)


def _below(
    session: Session, settings: Settings, *, level: str, code: str, period_id: str, config: DeriveConfig
) -> tuple[str | None, list[AreaMetricsOut], list[AreaMetricsOut]]:
    """The child level, the areas of that level under ``code`` and the markets inside ``code`` (most
    transactions first)."""
    child_level = CHILD_LEVEL.get(level)
    children = []
    if child_level:
        items = list_area_metrics(session, settings, level=child_level, period_id=period_id, config=config)
        children = [i for i in items if (i.parent_code or "") == code]
    markets = []
    if level != "market":
        items = list_area_metrics(session, settings, level="market", period_id=period_id, config=config)
        markets = [m for m in items if level == "kabupaten" or (m.parent_code or "").startswith(code)]
    markets.sort(key=lambda m: -m.transactions)
    return child_level, children, markets


def get_area_detail(
    session: Session, settings: Settings, *, code: str, period_id: str
) -> AreaDetailOut | None:
    """The page data of region or market ``code`` in ``period_id`` (``None`` when the code is unknown).

    Raises:
        smartkotim.lib.periods.PeriodError: bad period id.
    """
    config = derive_config(settings)
    level = _level_of(session, settings, code)
    if level is None:
        return None
    own = [
        i
        for i in list_area_metrics(session, settings, level=level, period_id=period_id, config=config)
        if i.code == code
    ]
    kabupaten = list_area_metrics(session, settings, level="kabupaten", period_id=period_id, config=config)[0]
    child_level, children, markets = _below(
        session, settings, level=level, code=code, period_id=period_id, config=config
    )
    period = resolve_period(period_id, as_of=_as_of(session))
    return AreaDetailOut(
        area=own[0],
        kabupaten=kabupaten,
        child_level=child_level,
        children=children,
        markets=markets,
        bank_mix=get_bank_mix(session, settings, level=level, code=code, period=period),
    )
