"""Smart Economy ingest pages: upload, batches, batch detail (+ error CSV), profiles, reporting scorecard.

Each page has its JSON twin in ``api`` (included below). The app's start runs reconcile (``lifespan``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts.roles import Principal, Role
from smartkotim.config import Settings
from smartkotim.economy.ingest import intake, profile_services, queries, services, tasks
from smartkotim.economy.ingest.api import router as api_router
from smartkotim.economy.ingest.api import upload_bank
from smartkotim.economy.ingest.models import BatchSource
from smartkotim.economy.ingest.scorecard import summarise_scorecard
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import IdPath, get_db, get_settings
from smartkotim.web.templating import render

assert tasks.JOB_KIND  # importing tasks registers the job kind for the worker
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start: reconcile the ledger with the state database (see ``reconcile``)."""
    from smartkotim.economy.ingest.reconcile import reconcile

    settings = getattr(app.state, "settings", None)
    factory = getattr(app.state, "session_factory", None)
    if settings is not None and factory is not None:
        reconcile(settings, factory)
    yield


router = APIRouter(lifespan=lifespan)
router.include_router(api_router)


def neutralise(value: object) -> str:
    """A CSV cell that spreadsheets will not run as a formula (``'`` before ``= + - @``)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _banks_for(db: Session, principal: Principal) -> list[str]:
    if queries.is_scoped(principal):
        return [principal.organisation_code]
    return [b.code for b in queries.list_banks(db)]


@router.get(
    "/ekonomi/unggah", name="ingest_upload_page", response_class=HTMLResponse, include_in_schema=False
)
def ingest_upload_page(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """The upload form (bank, profile, file) with an upload progress bar."""
    profiles = [p["name"] for p in intake.list_profile_entries(db)]
    return render(
        request,
        "ingest/upload.html",
        {"banks": _banks_for(db, principal), "profiles": profiles, "error": None, "batch_id": None},
    )


@router.post("/ekonomi/unggah", name="ingest_upload_submit", include_in_schema=False)
def ingest_upload_submit(
    request: Request,
    file: UploadFile = File(...),
    bank_code: str | None = Form(None),
    profile: str = Form("default"),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Accept an upload (without JavaScript): queue the batch and go to its page."""
    try:
        batch = intake.submit_upload(
            db,
            settings,
            stream=file.file,
            file_name=file.filename or "upload",
            bank_code=upload_bank(principal, bank_code),
            profile_name=profile,
            principal=principal,
            source=BatchSource.WEB,
        )
    except services.IngestError as exc:
        profiles = [p["name"] for p in intake.list_profile_entries(db)]
        batch_id = exc.batch_id if isinstance(exc, services.DuplicateFileError) else None
        context = {
            "banks": _banks_for(db, principal),
            "profiles": profiles,
            "error": str(exc),
            "batch_id": batch_id,
        }
        return render(request, "ingest/upload.html", context, status_code=409 if batch_id else 400)
    return RedirectResponse(f"/ekonomi/batch/{batch.id}", status_code=303)


@router.get("/ekonomi/batch", name="ingest_batch_list", response_class=HTMLResponse, include_in_schema=False)
def ingest_batch_list(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """Batches, newest first (a bank partner sees only its own)."""
    return render(request, "ingest/batches.html", {"batches": queries.list_batches(db, principal)})


@router.get(
    "/ekonomi/batch/{batch_id}",
    name="ingest_batch_detail",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def ingest_batch_detail(
    request: Request,
    batch_id: IdPath,
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """One batch: provenance, live progress, counts and the first row errors."""
    batch = queries.get_batch(db, batch_id, principal)
    if batch is None:
        raise HTTPException(404, f"batch {batch_id} tidak ditemukan")
    errors = queries.list_row_errors(db, batch_id, limit=200)
    may_reprocess = principal.role in (Role.ADMIN, Role.BANK_PARTNER)
    profiles = [p["name"] for p in intake.list_profile_entries(db)] if may_reprocess else []
    return render(
        request,
        "ingest/batch.html",
        {"batch": batch, "errors": errors, "may_reprocess": may_reprocess, "profiles": profiles},
    )


@router.get("/ekonomi/batch/{batch_id}/galat.csv", name="ingest_batch_errors_csv", include_in_schema=False)
def ingest_batch_errors_csv(
    batch_id: IdPath, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """The batch's row errors as CSV (``row,column,raw_value,rule``; formulas neutralised)."""
    if queries.get_batch(db, batch_id, principal) is None:
        raise HTTPException(404, f"batch {batch_id} tidak ditemukan")

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row", "column", "raw_value", "rule"])
        for error in queries.iter_row_errors(db, batch_id):
            writer.writerow([error.row_no, neutralise(error.column), neutralise(error.raw_value), error.rule])
            if buffer.tell() > 65536:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": f'attachment; filename="batch-{batch_id}-galat.csv"'}
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)


@router.post("/ekonomi/batch/{batch_id}/proses-ulang", name="ingest_batch_reprocess", include_in_schema=False)
def ingest_batch_reprocess(
    batch_id: IdPath,
    profile: str | None = Form(None),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Queue a re-processing batch of the kept upload and go to its page."""
    try:
        batch = intake.request_reprocess(
            db, settings, batch_id=batch_id, profile_name=profile or None, principal=principal
        )
    except services.BatchNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except services.IngestError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse(f"/ekonomi/batch/{batch.id}", status_code=303)


@router.get(
    "/ekonomi/profil", name="ingest_profiles_page", response_class=HTMLResponse, include_in_schema=False
)
def ingest_profiles_page(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """Report profiles (admin): list, add one as TOML, dry-run preview on a sample file for a bank."""
    return render(
        request,
        "ingest/profiles.html",
        {
            "profiles": intake.list_profile_entries(db),
            "banks": _banks_for(db, principal),
            "error": None,
            "saved": None,
        },
    )


@router.post("/ekonomi/profil", name="ingest_profile_submit", include_in_schema=False)
def ingest_profile_submit(
    request: Request,
    toml_text: str = Form(...),
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Store a profile from the form; the page shows the error (key and rule) when invalid."""
    error, saved = None, None
    try:
        saved = profile_services.add_profile(db, toml_text=toml_text, principal=principal).name
    except services.IngestError as exc:
        error = str(exc)
    context = {
        "profiles": intake.list_profile_entries(db),
        "banks": _banks_for(db, principal),
        "error": error,
        "saved": saved,
    }
    return render(request, "ingest/profiles.html", context, status_code=400 if error else 200)


@router.get(
    "/ekonomi/rekap-pelaporan",
    name="ingest_scorecard_page",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def ingest_scorecard_page(
    request: Request,
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Reporting scorecard per bank: months reported, on time or late, revisions."""
    scope = principal.organisation_code if queries.is_scoped(principal) else None
    rows = summarise_scorecard(db, deadline_day=settings.reporting_deadline_day, acquirer_code=scope)
    return render(
        request, "ingest/scorecard.html", {"rows": rows, "deadline_day": settings.reporting_deadline_day}
    )
