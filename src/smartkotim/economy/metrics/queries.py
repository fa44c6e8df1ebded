"""Reads and writes of the metrics store, and the computation's inputs from the state database.

The register is read through the registry and regions features' own queries. The rollups
(``txn_rollups``, owned by the ingest) are read here with one grouped query per month
(``extract_rollup_cells``): ``COPY … TO STDOUT`` on PostgreSQL, the raw driver cursor on SQLite.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smartkotim.db import utcnow
from smartkotim.economy.ingest.models import TransactionRollup
from smartkotim.economy.metrics.compute import AREA_SCHEMA, CELL_COLUMNS, MERCHANT_SCHEMA, RegisterInputs
from smartkotim.economy.metrics.models import AreaLevel, EconomyMetric, MetricsRun
from smartkotim.economy.registry import queries as registry
from smartkotim.economy.registry.models import Merchant, MerchantStatus
from smartkotim.regions import queries as regions
from smartkotim.regions.models import Region

STORED_COLUMNS = tuple(c.name for c in EconomyMetric.__table__.columns if c.name not in ("id", "computed_at"))


def list_area_rows(session: Session, *, regency_code: str) -> list[dict[str, Any]]:
    """Every region and market of the regency as ``{level, code, name, parent_code, adults, lat, lon}``.

    Adults of a kecamatan (kabupaten) missing in the register are the sum over its desa (kecamatan)
    when all of them have a figure.
    """
    all_regions = regions.list_regions(session, regency_code=regency_code)
    children: dict[str, list[Region]] = {}
    for region in all_regions:
        children.setdefault(region.parent_code or "", []).append(region)
    adults: dict[str, int | None] = {}
    for region in sorted(all_regions, key=lambda r: -len(r.code)):  # desa first, then upwards
        kids = children.get(region.code, [])
        own = region.adult_population
        adults[region.code] = own if own is not None else _sum_if_all(kids, adults)
    rows: list[dict[str, Any]] = [
        {
            "level": r.level,
            "code": r.code,
            "name": r.name,
            "parent_code": r.parent_code,
            "adults": adults[r.code],
            "lat": None,
            "lon": None,
        }
        for r in all_regions
    ]
    for market in registry.list_markets(session):
        rows.append(
            {
                "level": AreaLevel.MARKET.value,
                "code": market.code,
                "name": market.name,
                "parent_code": market.desa_code,
                "adults": None,
                "lat": market.lat,
                "lon": market.lon,
            }
        )
    return rows


def _sum_if_all(kids: list[Region], adults: dict[str, int | None]) -> int | None:
    values = [adults.get(k.code) for k in kids]
    if kids and all(v is not None for v in values):
        return sum(v for v in values if v is not None)
    return None


def get_register_inputs(session: Session, *, regency_code: str) -> RegisterInputs:
    """The register as the computation's input: merchants (merged records left out) and areas."""
    markets = {m.id: m.code for m in registry.list_markets(session)}
    rows = session.execute(  # plain rows, not ORM entities: thousands of merchants on every update
        select(
            Merchant.id,
            Merchant.nmid,
            Merchant.desa_code,
            Merchant.market_id,
            Merchant.accepts_cashless,
            Merchant.onboarded_on,
            Merchant.acquirer_code,
        )
        .where(Merchant.status != MerchantStatus.MERGED)
        .order_by(Merchant.id)
    )
    merchants = [
        {
            "merchant_id": m.id,
            "nmid": m.nmid,
            "desa_code": m.desa_code,
            "kecamatan_code": m.desa_code.rsplit(".", 1)[0] if m.desa_code else None,
            "market_code": markets.get(m.market_id) if m.market_id else None,
            "registered": bool(m.accepts_cashless and m.nmid),
            "onboarded_on": m.onboarded_on,
            "acquirer": m.acquirer_code,
        }
        for m in rows
    ]
    areas = [
        {k: row[k] for k in AREA_SCHEMA.names} for row in list_area_rows(session, regency_code=regency_code)
    ]
    return RegisterInputs(
        merchants=pa.Table.from_pylist(merchants, schema=MERCHANT_SCHEMA),
        areas=pa.Table.from_pylist(areas, schema=AREA_SCHEMA),
        regency_code=regency_code,
    )


def replace_metric_rows(session: Session, rows: pa.Table, *, period_ids: Collection[str] | None) -> int:
    """Delete the stored rows of ``period_ids`` (all rows when ``None``) and insert ``rows``; the caller
    commits both in one transaction, so readers see either the old or the new figures. Returns the
    number of rows inserted. Inserts go through the driver (``COPY`` on PostgreSQL, ``executemany`` on
    SQLite): a full recompute writes ~200,000 rows."""
    statement = delete(EconomyMetric)
    if period_ids is not None:
        statement = statement.where(EconomyMetric.period_id.in_(sorted(period_ids)))
    session.execute(statement)
    if not rows.num_rows:
        return 0
    now = utcnow()
    columns = [rows.column(name).to_pylist() for name in STORED_COLUMNS]
    names = ", ".join((*STORED_COLUMNS, "computed_at"))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY economy_metrics ({names}) FROM STDIN") as copy:
            for record in zip(*columns, strict=True):
                copy.write_row((*record, now))
        return int(rows.num_rows)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DATETIME text, UTC
    dates = [i for i, name in enumerate(STORED_COLUMNS) if name in ("period_start", "period_end")]
    for i in dates:
        columns[i] = [d.isoformat() for d in columns[i]]
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO economy_metrics ({names}) VALUES ({', '.join('?' * (len(STORED_COLUMNS) + 1))})",
            ((*record, stamp) for record in zip(*columns, strict=True)),
        )
    finally:
        cursor.close()
    return int(rows.num_rows)


def list_metrics(session: Session, *, level: str, period_ids: Collection[str]) -> list[EconomyMetric]:
    """Stored rows of ``level`` for the given periods."""
    query = select(EconomyMetric).where(
        EconomyMetric.level == level, EconomyMetric.period_id.in_(list(period_ids))
    )
    return list(session.scalars(query))


def list_area_history(session: Session, *, level: str, code: str, period_kind: str) -> list[EconomyMetric]:
    """Stored rows of one area for every period of one kind, oldest first (for trend charts)."""
    query = (
        select(EconomyMetric)
        .where(
            EconomyMetric.level == level,
            EconomyMetric.area_code == code,
            EconomyMetric.period_kind == period_kind,
        )
        .order_by(EconomyMetric.period_start)
    )
    return list(session.scalars(query))


def list_child_rows(session: Session, *, parent_code: str, period_id: str, level: str) -> list[EconomyMetric]:
    """Stored rows of the areas of ``level`` under ``parent_code``; e.g. the markets of a desa."""
    query = select(EconomyMetric).where(
        EconomyMetric.parent_code == parent_code,
        EconomyMetric.period_id == period_id,
        EconomyMetric.level == level,
    )
    return list(session.scalars(query))


def count_period_rows(session: Session, period_id: str) -> int:
    """How many rows the store holds for ``period_id`` (0: the period was never computed)."""
    return int(session.scalar(select(func.count()).where(EconomyMetric.period_id == period_id)) or 0)


def list_period_ids(session: Session, *, period_kind: str) -> list[str]:
    """The stored periods of one kind, newest first."""
    query = (
        select(EconomyMetric.period_id, func.max(EconomyMetric.period_start))
        .where(EconomyMetric.period_kind == period_kind, EconomyMetric.level == AreaLevel.KABUPATEN.value)
        .group_by(EconomyMetric.period_id)
        .order_by(func.max(EconomyMetric.period_start).desc())
    )
    return [row[0] for row in session.execute(query)]


def list_data_months(session: Session) -> list[str]:
    """The stored months (``YYYY-MM``) in which the kabupaten has at least one transaction or one
    active merchant, newest first."""
    query = (
        select(EconomyMetric.period_id)
        .where(
            EconomyMetric.period_kind == "month",
            EconomyMetric.level == AreaLevel.KABUPATEN.value,
            (EconomyMetric.transactions > 0) | (EconomyMetric.merchants_active > 0),
        )
        .order_by(EconomyMetric.period_start.desc())
    )
    return list(session.scalars(query))


def get_latest_run(session: Session) -> MetricsRun | None:
    """The last recompute of the store, or ``None``."""
    return session.scalars(select(MetricsRun).order_by(MetricsRun.id.desc()).limit(1)).first()


def get_first_stored_day(session: Session) -> date | None:
    """The first day of the oldest stored day period (where the data begins), or ``None``."""
    return session.scalar(
        select(func.min(EconomyMetric.period_start)).where(EconomyMetric.period_kind == "day")
    )


CELL_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("acquirer", pa.string()),
        ("nmid", pa.string()),
        ("txn_count", pa.int64()),
        ("value", pa.int64()),
        ("attempted", pa.int64()),
    ]
)
assert tuple(CELL_SCHEMA.names) == CELL_COLUMNS
_CELLS_SQL = (
    "SELECT day, acquirer_code, nmid, SUM(txn_count), SUM(value), "
    "SUM(txn_count + failed_count + reversed_count) FROM txn_rollups "
    "WHERE day >= {p} AND day < {p} GROUP BY day, acquirer_code, nmid ORDER BY day, acquirer_code, nmid"
)
# SQLite: the same cells as CSV text lines (text quoted), parsed by pyarrow: 5x fewer Python objects
_CELL_LINES_SQL = (
    "SELECT day || ',\"' || replace(acquirer_code, '\"', '\"\"') || '\",\"' || replace(nmid, '\"', '\"\"') "
    "|| '\",' || SUM(txn_count) || ',' || SUM(value) "
    "|| ',' || SUM(txn_count + failed_count + reversed_count) FROM txn_rollups "
    "WHERE day >= ? AND day < ? GROUP BY day, acquirer_code, nmid ORDER BY day, acquirer_code, nmid"
)


def get_rollup_day_range(session: Session) -> tuple[date, date] | None:
    """The first and last WIB day of the rollups, or ``None`` when there are none."""
    row = session.execute(select(func.min(TransactionRollup.day), func.max(TransactionRollup.day))).one()
    return None if row[0] is None else (row[0], row[1])


def extract_rollup_cells(session: Session, *, first: date, stop: date) -> pa.Table:
    """The rollups of the WIB days ``[first, stop)`` summed over channels, as an Arrow table
    ``CELL_SCHEMA``: ``txn_count``/``value`` (rupiah) of effective transactions, ``attempted`` =
    effective + failed + reversed successful ones. Bypasses the ORM (millions of rows)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    if session.get_bind().dialect.name == "postgresql":
        buffer = io.BytesIO()
        sql = f"COPY ({_CELLS_SQL.format(p='%s')}) TO STDOUT WITH (FORMAT csv)"
        with raw.cursor() as cursor, cursor.copy(sql, (first, stop)) as copy:
            for chunk in copy:
                buffer.write(chunk)
        buffer.seek(0)
        if not buffer.getbuffer().nbytes:
            return CELL_SCHEMA.empty_table()
        return _read_cell_csv(buffer)
    cursor = raw.cursor()
    try:
        lines = cursor.execute(_CELL_LINES_SQL, (first.isoformat(), stop.isoformat())).fetchall()
    finally:
        cursor.close()
    if not lines:
        return CELL_SCHEMA.empty_table()
    return _read_cell_csv(io.BytesIO("\n".join(line for (line,) in lines).encode() + b"\n"))


def _read_cell_csv(buffer: io.BytesIO) -> pa.Table:
    return pacsv.read_csv(
        buffer,
        read_options=pacsv.ReadOptions(column_names=CELL_SCHEMA.names),
        convert_options=pacsv.ConvertOptions(column_types=CELL_SCHEMA),
    )


def get_store_version(session: Session) -> int:
    """The id of the latest recompute run (0 before the first): changes whenever the store does."""
    return int(session.scalar(select(func.max(MetricsRun.id))) or 0)
