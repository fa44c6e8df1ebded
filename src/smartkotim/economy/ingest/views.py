"""Smart Economy ingest pages: upload, batches, batch detail (+ error CSV), profiles, reporting scorecard.

Each page has its JSON twin in ``api`` (included below). The app's start runs reconcile (``lifespan``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts.roles import Principal, Role
from smartkotim.config import Settings
from smartkotim.economy.ingest import intake, profile_services, queries, services, tasks
from smartkotim.economy.ingest.api import router as api_router
from smartkotim.economy.ingest.api import upload_bank
from smartkotim.economy.ingest.models import BatchSource, BatchStatus, IngestBatch
from smartkotim.economy.ingest.scorecard import summarise_scorecard
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import IdPath, get_db, get_settings
from smartkotim.web.i18n import N_, translate
from smartkotim.web.templating import render, request_language

assert tasks.JOB_KIND  # importing tasks registers the job kind for the worker
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCHES_PER_PAGE = 50

# What each rule of ``validation.RULE_KEYS`` means, shown beside the key (the error CSV keeps the key).
RULE_LABELS: dict[str, str] = {
    "required": N_("Kolom wajib kosong"),
    "too_long": N_("ID transaksi lebih dari 64 karakter"),
    "timestamp_invalid": N_("Waktu tidak terbaca dengan format profil"),
    "timestamp_future": N_("Waktu sesudah batch dimulai (di masa depan)"),
    "timestamp_too_early": N_("Waktu sebelum tanggal paling awal yang diterima"),
    "amount_invalid": N_("Nominal bukan angka yang sah"),
    "amount_fraction": N_("Nominal bukan rupiah bulat"),
    "amount_not_positive": N_("Nominal nol atau negatif"),
    "amount_above_ceiling": N_("Nominal di atas batas tertinggi"),
    "currency_not_idr": N_("Mata uang bukan IDR/Rp"),
    "nmid_invalid": N_("NMID bukan ID + 13 angka"),
    "channel_unknown": N_("Kanal tidak ada di pemetaan profil"),
    "status_unknown": N_("Status tidak ada di pemetaan profil"),
    "acquirer_mismatch": N_("Acquirer baris bukan bank pengunggah"),
    "mcc_invalid": N_("MCC bukan 4 angka"),
    "unknown_nmid": N_("NMID belum terdaftar: baris dikarantina"),
}
# Where a batch came from (``BatchSource``), in words.
SOURCE_LABELS: dict[str, str] = {
    BatchSource.WEB: N_("Unggahan web"),
    BatchSource.API: N_("API"),
    BatchSource.CLI: N_("Baris perintah (CLI)"),
    BatchSource.REPROCESS: N_("Proses ulang"),
    BatchSource.RELEASE: N_("Pelepasan dari karantina"),
    BatchSource.RECOVERED: N_("Dipulihkan dari ledger"),
}


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


def is_counting(batch: IngestBatch) -> bool:
    """True while a batch's row counts are not stored yet: they are stored together with the status
    ``committed``, so before that the zeros in the row are placeholders, not results."""
    if batch.status == BatchStatus.COMMITTED:
        return batch.committed_at is None
    return batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)


def rule_labels_in(request: Request) -> dict[str, str]:
    """``RULE_LABELS`` in the page language (for the dry-run preview, which a script fills in)."""
    lang = request_language(request)
    return {key: translate(text, lang) for key, text in RULE_LABELS.items()}


def _batch_labels() -> dict[str, Any]:
    return {"rule_labels": RULE_LABELS, "source_labels": SOURCE_LABELS, "is_counting": is_counting}


@router.get(
    "/ekonomi/unggah", name="ingest_upload_page", response_class=HTMLResponse, include_in_schema=False
)
def ingest_upload_page(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """The upload form (bank, profile, file) with an upload progress bar."""
    profiles = [p["name"] for p in intake.list_profile_entries(db, principal)]
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
        profiles = [p["name"] for p in intake.list_profile_entries(db, principal)]
        batch_id = exc.batch_id if isinstance(exc, services.DuplicateFileError) else None
        context = {
            "banks": _banks_for(db, principal),
            "profiles": profiles,
            "error": str(exc),
            "batch_id": batch_id,
        }
        if isinstance(exc, services.DuplicateFileError):
            status = 409
        else:
            status = 403 if isinstance(exc, services.UploadForbiddenError) else 400
        return render(request, "ingest/upload.html", context, status_code=status)
    return RedirectResponse(f"/ekonomi/batch/{batch.id}", status_code=303)


@router.get("/ekonomi/batch", name="ingest_batch_list", response_class=HTMLResponse, include_in_schema=False)
def ingest_batch_list(
    request: Request,
    halaman: int = Query(1, ge=1, description="Page number (50 batches a page)."),
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Batches, newest first, 50 a page (a bank partner sees only its own); a page past the last is 404."""
    total = queries.count_batches(db, principal)
    pages = max(1, -(-total // BATCHES_PER_PAGE))
    if halaman > pages:
        raise HTTPException(404, f"halaman {halaman} tidak ada (ada {pages} halaman)")
    batches = queries.list_batches(
        db, principal, limit=BATCHES_PER_PAGE, offset=(halaman - 1) * BATCHES_PER_PAGE
    )
    context = {
        "batches": batches,
        "total": total,
        "page": halaman,
        "pages": pages,
        "first": (halaman - 1) * BATCHES_PER_PAGE + 1 if batches else 0,
        "last": (halaman - 1) * BATCHES_PER_PAGE + len(batches),
        "prev_url": f"/ekonomi/batch?halaman={halaman - 1}" if halaman > 1 else None,
        "next_url": f"/ekonomi/batch?halaman={halaman + 1}" if halaman < pages else None,
    }
    return render(request, "ingest/batches.html", context | _batch_labels())


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
    profiles = [p["name"] for p in intake.list_profile_entries(db, principal)] if may_reprocess else []
    reprocessings, releases = queries.list_followups(db, batch)
    context = {
        "batch": batch,
        "errors": errors,
        "may_reprocess": may_reprocess,
        "profiles": profiles,
        "reprocessings": reprocessings,
        "releases": releases,
    }
    return render(request, "ingest/batch.html", context | _batch_labels())


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


def _profiles_context(
    request: Request, db: Session, principal: Principal, *, toml_text: str | None, **extra: Any
) -> dict[str, Any]:
    """The profile page's context; the editor holds ``toml_text`` (the built-in default when None)."""
    profiles = intake.list_profile_entries(db)
    if toml_text is None:
        toml_text = next((p["toml_text"] for p in profiles if p["name"] == "default"), "")
    context: dict[str, Any] = {
        "profiles": profiles,
        "banks": _banks_for(db, principal),
        "toml_text": toml_text,
        "source_name": None,
        "missing_profile": None,
        "error": None,
        "saved": None,
        "rule_labels_in_page_language": rule_labels_in(request),
    }
    return context | extra


@router.get(
    "/ekonomi/profil", name="ingest_profiles_page", response_class=HTMLResponse, include_in_schema=False
)
def ingest_profiles_page(
    request: Request,
    dari: str | None = Query(None, description="Name of a profile whose TOML the editor starts from."),
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Report profiles (admin): list, add one as TOML (``?dari=NAME`` starts from an existing one),
    dry-run preview on a sample file for a bank."""
    context = _profiles_context(request, db, principal, toml_text=None)
    if not dari:
        return render(request, "ingest/profiles.html", context)
    found = next((p for p in context["profiles"] if p["name"] == dari), None)
    if found is None:
        context["missing_profile"] = dari
        return render(request, "ingest/profiles.html", context, status_code=404)
    context |= {"toml_text": found["toml_text"], "source_name": dari}
    return render(request, "ingest/profiles.html", context)


@router.post("/ekonomi/profil", name="ingest_profile_submit", include_in_schema=False)
def ingest_profile_submit(
    request: Request,
    toml_text: str = Form(...),
    db: Session = Depends(get_db),
    principal: Principal = Depends(require_principal),
) -> Response:
    """Store a profile from the form; the page shows the error (key and rule) when invalid, with the
    text as submitted still in the editor."""
    error, saved = None, None
    try:
        saved = profile_services.add_profile(db, toml_text=toml_text, principal=principal).name
    except services.IngestError as exc:
        error = str(exc)
    context = _profiles_context(request, db, principal, toml_text=toml_text, error=error, saved=saved)
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
