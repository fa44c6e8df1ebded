"""Bank mix of an area: the share of transactions and value by acquirer in a period.

Read from the rollup extract (``cells.py``, the same month files the metrics store was computed from,
so the mix and the area's figures agree); a period or months without an extract give an empty mix.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from smartkotim.config import Settings
from smartkotim.economy.ingest import queries as ingest_queries
from smartkotim.economy.metrics import cells, queries
from smartkotim.economy.metrics.cell_queries import BANK_MIX_SQL
from smartkotim.economy.metrics.derive import ratio
from smartkotim.economy.metrics.schemas import BankShareOut
from smartkotim.lib.periods import Period

_AREA_COLUMN = {"kecamatan": "kecamatan_code", "desa": "desa_code", "market": "market_code"}


def _area_nmids(session: Session, settings: Settings, level: str, code: str) -> pa.Table:
    merchants = queries.get_register_inputs(session, regency_code=settings.regency_code).merchants
    if level in _AREA_COLUMN:
        merchants = merchants.filter(pc.equal(merchants.column(_AREA_COLUMN[level]), code))
    merchants = merchants.filter(pc.is_valid(merchants.column("nmid")))
    return merchants.select(["nmid"])


def get_bank_mix(
    session: Session, settings: Settings, *, level: str, code: str, period: Period
) -> list[BankShareOut]:
    """Acquirers with effective transactions at the area's merchants in ``period``, most transactions
    first, with their share (per cent, 0.01) of the area's transactions and value."""
    months = cells.month_ids(period.start, period.end)
    files = [str(cells.cell_file(settings, m)) for m in months if cells.cell_file(settings, m).exists()]
    if not files:
        return []
    with duckdb.connect() as con:
        con.register("cells", con.read_parquet(files))
        con.register("area_nmids", _area_nmids(session, settings, level, code))
        rows = con.execute(BANK_MIX_SQL, {"start": period.start, "stop": period.end}).fetchall()
    names = {bank.code: bank.name for bank in ingest_queries.list_banks(session)}
    total_n = sum(int(r[1]) for r in rows)
    total_v = sum(int(r[2]) for r in rows)
    return [
        BankShareOut(
            acquirer=str(acquirer),
            name=names.get(str(acquirer)),
            transactions=int(n),
            value=int(v),
            transactions_share=ratio(int(n), total_n),
            value_share=ratio(int(v), total_v),
        )
        for acquirer, n, v in rows
    ]
