"""The audit log browser (``/admin/audit``) and its JSON twin (``/api/admin/audit``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim.accounts import queries
from smartkotim.accounts.schemas import AuditPageOut, audit_page_out
from smartkotim.accounts.view_support import format_wib, wib_day_start
from smartkotim.web.deps import get_db
from smartkotim.web.templating import render

router = APIRouter()


class AuditParams:
    """Query parameters of the audit log: filters (dates are WIB calendar days, inclusive) and page."""

    def __init__(
        self,
        event: Annotated[
            str | None, Query(max_length=120, description="Event key prefix, e.g. accounts.user")
        ] = None,
        actor: Annotated[str | None, Query(max_length=120, description="Username or actor label")] = None,
        object_type: Annotated[str | None, Query(max_length=60)] = None,
        object_id: Annotated[str | None, Query(max_length=120)] = None,
        start: Annotated[date | None, Query(description="First day (WIB), YYYY-MM-DD")] = None,
        end: Annotated[date | None, Query(description="Last day (WIB), YYYY-MM-DD, inclusive")] = None,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> None:
        self.values: dict[str, Any] = {
            "event": event,
            "actor": actor,
            "object_type": object_type,
            "object_id": object_id,
            "start": start,
            "end": end,
        }
        self.filter = queries.AuditFilter(
            event_prefix=event or None,
            actor=actor or None,
            object_type=object_type or None,
            object_id=object_id or None,
            start=wib_day_start(start) if start else None,
            end=wib_day_start(end + timedelta(days=1)) if end else None,
        )
        self.page = page
        self.per_page = per_page

    def url(self, page: int) -> str:
        """The page URL for ``page`` with the same filters."""
        query = {k: str(v) for k, v in self.values.items() if v}
        return "/admin/audit?" + urlencode({**query, "page": page, "per_page": self.per_page})


@router.get("/admin/audit", name="admin_audit_page", response_class=HTMLResponse, include_in_schema=False)
def admin_audit_page(
    request: Request, params: AuditParams = Depends(), db: Session = Depends(get_db)
) -> Response:
    """The audit log, newest first, filtered by event prefix, actor, object and WIB date range."""
    page = queries.list_audit_entries(
        db, audit_filter=params.filter, page=params.page, per_page=params.per_page
    )
    rows = [{"entry": e, "at": format_wib(e.at)} for e in page.entries]
    context = {
        "rows": rows,
        "page": page,
        "values": params.values,
        "prev_url": params.url(page.page - 1) if page.page > 1 else None,
        "next_url": params.url(page.page + 1) if page.page < page.pages else None,
        "json_url": params.url(page.page).replace("/admin/audit", "/api/admin/audit", 1),
    }
    return render(request, "accounts/admin_audit.html", context)


@router.get("/api/admin/audit", name="api_admin_audit", tags=["accounts"])
def api_admin_audit(params: AuditParams = Depends(), db: Session = Depends(get_db)) -> AuditPageOut:
    """A page of the audit log (same filters as the page); ``at`` in UTC."""
    page = queries.list_audit_entries(
        db, audit_filter=params.filter, page=params.page, per_page=params.per_page
    )
    return audit_page_out(page)
