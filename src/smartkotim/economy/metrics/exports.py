"""CSV, XLSX and GeoJSON exports of metric lists (flat columns; nested growth and index flattened).

Text cells that start with ``=``, ``+``, ``-`` or ``@`` are prefixed with ``'`` so that a spreadsheet
never runs them as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from starlette.responses import Response

from smartkotim.economy.metrics.schemas import AreaMetricsOut

SKIP = ("growth", "index_components")


def flatten(item: AreaMetricsOut) -> dict[str, Any]:
    """One flat record: scalar fields, ``<metric>_growth_prev``/``_note`` and ``_growth_yoy``/``_note``,
    and ``index_<component>`` scores."""
    record: dict[str, Any] = {k: v for k, v in item.model_dump(mode="json").items() if k not in SKIP}
    for name, g in item.growth.items():
        record[f"{name}_growth_prev_pct"] = g.previous.pct
        record[f"{name}_growth_prev_note"] = g.previous.note
        record[f"{name}_growth_yoy_pct"] = g.year_ago.pct
        record[f"{name}_growth_yoy_note"] = g.year_ago.note
    for component in item.index_components:
        record[f"index_{component.name}"] = component.score
    return record


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _records(items: Sequence[AreaMetricsOut]) -> tuple[list[str], list[dict[str, Any]]]:
    records = [flatten(i) for i in items]
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k not in columns)
    return columns, records


def to_csv(items: Sequence[AreaMetricsOut]) -> str:
    """The items as CSV text (UTF-8, comma, header row; empty cells for missing values)."""
    columns, records = _records(items)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _safe(record.get(k)) for k in columns})
    return buffer.getvalue()


def to_xlsx(items: Sequence[AreaMetricsOut], *, title: str) -> bytes:
    """The items as an XLSX workbook with one sheet named ``title`` (≤ 31 characters)."""
    columns, records = _records(items)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(columns)
    for record in records:
        sheet.append([_safe(record.get(k)) for k in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_download(items: Sequence[AreaMetricsOut], file_name: str) -> Response:
    """``items`` as a CSV attachment named ``file_name`` (UTF-8)."""
    return Response(
        to_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )


def xlsx_download(items: Sequence[AreaMetricsOut], file_name: str, *, title: str) -> Response:
    """``items`` as an XLSX attachment named ``file_name``, its sheet titled ``title``."""
    return Response(
        to_xlsx(items, title=title),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )
