"""Browser import pages for markets and merchants (``/ekonomi/pasar/impor``, ``/ekonomi/pedagang/impor``).

The page posts a CSV/XLSX file; the view runs the same import service as the CLI and the API
(``import_markets``, ``import_merchants``) inside the request and shows its report. A file refused as a
whole (format, empty, header, too large) is shown as one message and nothing is stored. The JSON twins
are ``POST /api/economy/markets/import`` and ``POST /api/economy/merchants/import``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.registry import view_support
from smartkotim.economy.registry.access import NotPermittedError
from smartkotim.economy.registry.import_columns import MARKET_FORMAT, MERCHANT_FORMAT, ImportFormat
from smartkotim.economy.registry.market_services import import_markets
from smartkotim.economy.registry.merchant_import import import_merchants
from smartkotim.economy.registry.schemas import ImportReport
from smartkotim.economy.registry.tabular import ImportFileError
from smartkotim.economy.registry.view_support import http_error, render_registry, uploaded_file
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import get_db, get_settings

router = APIRouter()
Importer = Callable[[Path], ImportReport]
NOTHING_STORED = "Tidak ada data yang disimpan."


@router.get(
    "/ekonomi/pasar/impor", name="market_import_page", response_class=HTMLResponse, include_in_schema=False
)
def market_import_page(request: Request, principal: Principal = Depends(require_principal)) -> Response:
    """The market import form: file input, the columns and the template link."""
    return _page(request, MARKET_FORMAT)


@router.post(
    "/ekonomi/pasar/impor", name="market_import_submit", response_class=HTMLResponse, include_in_schema=False
)
def market_import_submit(
    request: Request,
    file: UploadFile | None = File(None),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Import the uploaded market file (upsert by code) and show the report."""

    def run(path: Path) -> ImportReport:
        return import_markets(
            db, path=path, actor=principal, regency_code=settings.regency_code, actor_label="web"
        )

    return _submit(request, MARKET_FORMAT, file, run)


@router.get("/ekonomi/pasar/impor/templat.csv", name="market_import_template", include_in_schema=False)
def market_import_template(principal: Principal = Depends(require_principal)) -> Response:
    """The market template CSV: the header row and one example row."""
    return _template(MARKET_FORMAT)


@router.get(
    "/ekonomi/pedagang/impor",
    name="merchant_import_page",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def merchant_import_page(request: Request, principal: Principal = Depends(require_principal)) -> Response:
    """The merchant import form: file input, the columns and the template link."""
    return _page(request, MERCHANT_FORMAT)


@router.post(
    "/ekonomi/pedagang/impor",
    name="merchant_import_submit",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def merchant_import_submit(
    request: Request,
    file: UploadFile | None = File(None),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Import the uploaded merchant file and show the report, with the unresolved merchants to review."""

    def run(path: Path) -> ImportReport:
        return import_merchants(db, path=path, actor=principal, settings=settings, actor_label="web")

    return _submit(request, MERCHANT_FORMAT, file, run)


@router.get("/ekonomi/pedagang/impor/templat.csv", name="merchant_import_template", include_in_schema=False)
def merchant_import_template(principal: Principal = Depends(require_principal)) -> Response:
    """The merchant template CSV: the header row and one example row."""
    return _template(MERCHANT_FORMAT)


def _page(
    request: Request,
    fmt: ImportFormat,
    *,
    report: ImportReport | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The import page. As for the market form, the route table admits every OPD officer and the import
    service checks the office on submit (403 for an officer of another office)."""
    context = {"fmt": fmt, "report": report, "error": error}
    return render_registry(request, "registry/import.html", context, status_code)


def _submit(request: Request, fmt: ImportFormat, upload: UploadFile | None, run: Importer) -> Response:
    """Save the upload to a temporary file, run the import and show its report or the file's refusal."""
    if upload is None or not upload.filename:
        return _page(request, fmt, error="Pilih berkas CSV atau XLSX.", status_code=422)
    try:
        with uploaded_file(upload) as path:
            report = run(path)
    except HTTPException as exc:  # larger than MAX_UPLOAD_BYTES (413)
        limit = view_support.MAX_UPLOAD_BYTES / (1 << 20)
        error = f"{upload.filename}: berkas terlalu besar (batas {limit:g} MiB)."
        return _page(request, fmt, error=f"{error} {NOTHING_STORED}", status_code=exc.status_code)
    except ImportFileError as exc:
        return _page(request, fmt, error=f"{exc}. {NOTHING_STORED}", status_code=422)
    except NotPermittedError as exc:
        raise http_error(exc) from exc
    if report.rows == 0:
        error = f"{report.file}: tidak ada baris data di bawah judul kolom (baris 1). {NOTHING_STORED}"
        return _page(request, fmt, error=error, status_code=422)
    return _page(request, fmt, report=report)


def _template(fmt: ImportFormat) -> Response:
    return Response(
        fmt.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{fmt.template_name}"'},
    )
