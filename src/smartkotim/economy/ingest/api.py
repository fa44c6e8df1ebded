"""JSON API of the ingest under ``/api/economy/...`` (twins of the pages in ``views``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from smartkotim.accounts.roles import Principal
from smartkotim.config import Settings
from smartkotim.economy.ingest import intake, profile_services, queries, services
from smartkotim.economy.ingest.models import BatchSource
from smartkotim.economy.ingest.schemas import (
    BatchDetailOut,
    BatchOut,
    PreviewOut,
    ProfileCreate,
    ProfileOut,
    RowErrorOut,
    ScorecardRowOut,
    UploadRefusedOut,
)
from smartkotim.economy.ingest.scorecard import summarise_scorecard
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import IdPath, get_db, get_settings

router = APIRouter(prefix="/api/economy", tags=["economy: ingest"])
ERROR_PREVIEW = 200


def upload_bank(principal: Principal, bank_code: str | None) -> str:
    """The bank an upload is for: a bank partner's own code unless it names another (refused later)."""
    code = (bank_code or "").strip().upper()  # organisation codes are upper case
    return code or principal.organisation_code


@router.post(
    "/batches",
    name="api_ingest_upload",
    status_code=202,
    response_model=BatchOut,
    responses={
        409: {"model": UploadRefusedOut},
        400: {"model": UploadRefusedOut},
        403: {"model": UploadRefusedOut},
    },
)
def api_ingest_upload(
    file: UploadFile = File(..., description="The bank's report: CSV, XLSX, Parquet or JSON Lines."),
    bank_code: str | None = Form(None, description="Acquirer (bank) code; a bank partner's own by default."),
    profile: str = Form("default", description="Report profile name."),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> BatchOut | JSONResponse:
    """Upload a transaction report (multipart); the batch is queued and runs in the background.

    202 with the batch (poll ``GET /api/economy/batches/{id}`` for progress); 409 when the same file
    (SHA-256) was already ingested, with ``batch_id`` of that batch (null when it is another bank's); 403
    for a bank partner uploading for another bank; 400 for an unknown bank or profile or a file too large.
    Needs a token with scope ``ingest``.
    """
    try:
        batch = intake.submit_upload(
            db,
            settings,
            stream=file.file,
            file_name=file.filename or "upload",
            principal=principal,
            bank_code=upload_bank(principal, bank_code),
            profile_name=profile,
            source=BatchSource.API if principal.is_token else BatchSource.WEB,
        )
    except services.DuplicateFileError as exc:
        return _refused(str(exc), 409, exc.batch_id)
    except services.UploadForbiddenError as exc:
        return _refused(str(exc), 403)
    except services.IngestError as exc:
        return _refused(str(exc), 400)
    return BatchOut.of(batch)


def _refused(detail: str, status: int, batch_id: int | None = None) -> JSONResponse:
    """An ``UploadRefusedOut`` answer."""
    body = UploadRefusedOut(detail=detail, batch_id=batch_id, status=status)
    return JSONResponse(body.model_dump(), status_code=status)


async def reprocess_profile(request: Request) -> str | None:
    """The profile a re-processing request names: the form field or the JSON key ``profile`` (none or
    empty: the batch's own profile).

    Raises:
        HTTPException: 422 for a body that is not a JSON object or whose ``profile`` is not text.
    """
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError as exc:
            raise HTTPException(422, "badan permintaan bukan JSON yang valid") from exc
        if not isinstance(data, dict):
            raise HTTPException(422, 'badan JSON harus objek, misalnya {"profile": "bri-v2"}')
        unknown = sorted(str(k) for k in data if k != "profile")
        if unknown:
            raise HTTPException(422, f"kunci tidak dikenal: {', '.join(unknown)} (yang dikenal: profile)")
        value = data.get("profile")
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        value = (await request.form()).get("profile")
    else:
        value = None
    if value is not None and not isinstance(value, str):
        raise HTTPException(422, "profile harus teks (nama profil)")
    return (value or "").strip() or None


@router.get("/batches", name="api_ingest_batches", response_model=list[BatchOut])
def api_ingest_batches(
    db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[BatchOut]:
    """Batches, newest first (a bank partner sees only its own bank's)."""
    return [BatchOut.of(b) for b in queries.list_batches(db, principal)]


@router.get("/batches/{batch_id}", name="api_ingest_batch", response_model=BatchDetailOut)
def api_ingest_batch(
    batch_id: IdPath, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> BatchDetailOut:
    """One batch with its first 200 row errors (404 when missing or another bank's)."""
    batch = queries.get_batch(db, batch_id, principal)
    if batch is None:
        raise HTTPException(404, f"batch {batch_id} tidak ditemukan")
    errors = [
        RowErrorOut.model_validate(e) for e in queries.list_row_errors(db, batch_id, limit=ERROR_PREVIEW)
    ]
    return BatchDetailOut(batch=BatchOut.of(batch), errors=errors)


@router.get("/batches/{batch_id}/errors", name="api_ingest_batch_errors", response_model=list[RowErrorOut])
def api_ingest_batch_errors(
    batch_id: IdPath, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[RowErrorOut]:
    """Every stored row error of a batch (CSV: ``/ekonomi/batch/{id}/galat.csv``)."""
    if queries.get_batch(db, batch_id, principal) is None:
        raise HTTPException(404, f"batch {batch_id} tidak ditemukan")
    return [RowErrorOut.model_validate(e) for e in queries.iter_row_errors(db, batch_id)]


@router.post(
    "/batches/{batch_id}/reprocess",
    name="api_ingest_batch_reprocess",
    status_code=202,
    response_model=BatchOut,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"profile": {"type": "string", "description": "Report profile name."}},
                        "additionalProperties": False,
                    }
                },
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"profile": {"type": "string"}}}
                },
            },
        }
    },
)
def api_ingest_batch_reprocess(
    batch_id: IdPath,
    profile: str | None = Depends(reprocess_profile),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> BatchOut:
    """Re-process a batch's kept upload (optionally with another profile: ``{"profile": NAME}`` as JSON
    or the form field ``profile``); the new batch is queued. 400 when there is nothing to re-process,
    404 for another bank's or a missing batch, 422 for a malformed body."""
    try:
        batch = intake.request_reprocess(
            db, settings, batch_id=batch_id, profile_name=profile, principal=principal
        )
    except services.BatchNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except services.IngestError as exc:
        raise HTTPException(400, str(exc)) from exc
    return BatchOut.of(batch)


@router.get("/profiles", name="api_ingest_profiles", response_model=list[ProfileOut])
def api_ingest_profiles(
    db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[ProfileOut]:
    """Report profiles: built-in and stored, with their TOML (a bank partner: the general ones and its
    own bank's)."""
    return [ProfileOut(**entry) for entry in intake.list_profile_entries(db, principal)]


@router.post("/profiles", name="api_ingest_profile_save", response_model=ProfileOut)
def api_ingest_profile_save(
    body: ProfileCreate, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> ProfileOut:
    """Store (or replace) a profile given as TOML; 400 naming the bad key when invalid."""
    try:
        row = profile_services.add_profile(db, toml_text=body.toml_text, principal=principal)
    except services.IngestError as exc:
        raise HTTPException(400, str(exc)) from exc
    return ProfileOut(
        name=row.name,
        description=row.description,
        acquirer_code=row.acquirer_code,
        builtin=False,
        toml_text=row.toml_text,
    )


@router.post("/profiles/preview", name="api_ingest_profile_preview", response_model=PreviewOut)
def api_ingest_profile_preview(
    file: UploadFile = File(...),
    profile: str | None = Form(None),
    toml_text: str | None = Form(None),
    bank_code: str | None = Form(None),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> PreviewOut:
    """Dry run: the first 20 rows of a sample as parsed by a profile (name or TOML); nothing is stored."""
    try:
        result = intake.preview_upload(
            db,
            settings,
            stream=file.file,
            profile_name=profile,
            toml_text=toml_text,
            bank_code=upload_bank(principal, bank_code),
        )
    except services.IngestError as exc:
        raise HTTPException(400, str(exc)) from exc
    return PreviewOut(**result)


@router.get("/scorecard", name="api_ingest_scorecard", response_model=list[ScorecardRowOut])
def api_ingest_scorecard(
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_principal),
) -> list[ScorecardRowOut]:
    """Reporting scorecard: bank × month, first report, deadline, on time, revisions."""
    scope = principal.organisation_code if queries.is_scoped(principal) else None
    rows = summarise_scorecard(db, deadline_day=settings.reporting_deadline_day, acquirer_code=scope)
    return [
        ScorecardRowOut(
            acquirer_code=r.acquirer_code,
            month=r.month,
            first_reported_at=r.first_reported_at,
            deadline=r.deadline,
            on_time=r.on_time,
            revisions=r.revisions,
            batch_ids=list(r.batch_ids),
        )
        for r in rows
    ]
