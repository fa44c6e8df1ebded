"""Job status page and API: admins and analysts see every job, others only their organisation's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts.roles import Principal, Role
from smartkotim.jobs import Job
from smartkotim.web.auth import require_principal
from smartkotim.web.deps import IdPath, get_db
from smartkotim.web.templating import render

router = APIRouter()


def _visible_jobs(db: Session, principal: Principal, limit: int = 200) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if principal.role not in (Role.ADMIN, Role.ANALYST):
        query = query.where(Job.organisation_id == principal.organisation_id)
    return list(db.scalars(query))


def _job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "result": job.result,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def _get_visible_job(db: Session, principal: Principal, job_id: int) -> Job:
    job = db.get(Job, job_id)
    scoped = principal.role not in (Role.ADMIN, Role.ANALYST)
    if job is None or (scoped and job.organisation_id != principal.organisation_id):
        raise HTTPException(404, f"job {job_id} tidak ditemukan")
    return job


@router.get("/jobs", name="job_list", response_class=HTMLResponse, include_in_schema=False)
def job_list(
    request: Request, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> Response:
    """The background jobs the principal may see, newest first."""
    return render(request, "web/jobs.html", {"jobs": [_job_out(j) for j in _visible_jobs(db, principal)]})


@router.get("/api/jobs", name="api_job_list", tags=["jobs"])
def api_job_list(
    db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> list[dict[str, Any]]:
    """Jobs as ``[{id, kind, status, progress (0–1), message, result, attempts, *_at (UTC ISO)}]``."""
    return [_job_out(j) for j in _visible_jobs(db, principal)]


@router.get("/api/jobs/{job_id}", name="api_job_detail", tags=["jobs"])
def api_job_detail(
    job_id: IdPath, db: Session = Depends(get_db), principal: Principal = Depends(require_principal)
) -> dict[str, Any]:
    """One job's status (404 when it does not exist or belongs to another organisation)."""
    return _job_out(_get_visible_job(db, principal, job_id))
