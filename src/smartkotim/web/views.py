"""Web shell routes: home, health, language switch, the six dimension pages, Plotly's JavaScript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from smartkotim import __version__
from smartkotim.web.auth import current_principal
from smartkotim.web.deps import get_db
from smartkotim.web.dimensions import DIMENSIONS, visible_links
from smartkotim.web.i18n import LANGUAGES
from smartkotim.web.templating import render

router = APIRouter()
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/", name="home", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> Response:
    """The landing page: the six dimensions of Kotim's smart-city masterplan."""
    return render(request, "web/home.html", {"dimensions": DIMENSIONS})


@router.get("/health", name="health", tags=["platform"])
def health(db: Session = Depends(get_db)) -> dict[str, Any]:
    """Liveness and database check: ``{"status": "ok", "database": "ok", "version": str}``."""
    db.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok", "version": __version__}


@router.get("/bahasa/{language}", name="set_language", include_in_schema=False)
def set_language(request: Request, language: str, next: str = "/") -> Response:
    """Switch the interface language (``id`` or ``en``) and go back to ``next`` (a local path)."""
    if language not in LANGUAGES:
        raise HTTPException(404, f"bahasa tidak dikenal: {language}")
    request.session["lang"] = language
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@router.get("/dimensi/{slug}", name="dimension_page", response_class=HTMLResponse, include_in_schema=False)
def dimension_page(request: Request, slug: str) -> Response:
    """One smart-city dimension: its three elements and the platform's pages for it."""
    dimension = DIMENSIONS.get(slug)
    if dimension is None:
        raise HTTPException(404, f"dimensi tidak dikenal: {slug}")
    links = visible_links(dimension, request.app.router.routes, current_principal(request))
    return render(request, "web/dimension.html", {"dimension": dimension, "slug": slug, "links": links})


@router.get("/static/vendor/plotly.min.js", name="plotly_js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Plotly's JavaScript, served from the installed ``plotly`` package (no CDN)."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
