"""Friendly error pages (HTML) and JSON errors (``/api/...``) for the whole app."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from smartkotim.lib.validation_messages import pydantic_message
from smartkotim.web.i18n import N_
from smartkotim.web.templating import render

log = logging.getLogger(__name__)

TITLES = {
    400: "Permintaan tidak valid",
    401: "Perlu masuk",
    403: "Akses ditolak",
    404: "Halaman tidak ditemukan",
    405: "Metode tidak diizinkan",
    422: "Data tidak valid",
    500: "Terjadi kesalahan",
}


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _error(request: Request, status: int, detail: str, extra: dict[str, object] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail, "status": status, **(extra or {})}, status_code=status)
    title = TITLES.get(status, "Terjadi kesalahan")
    return render(request, "web/error.html", {"status": status, "title": title, "detail": detail}, status)


async def not_authenticated(request: Request, exc: Exception) -> Response:
    """401 for the API; a redirect to the login page for HTML."""
    if wants_json(request) or request.headers.get("authorization"):
        return JSONResponse(
            {"detail": "authentication required", "status": 401},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/masuk?next={quote(target)}", status_code=303)


async def forbidden(request: Request, exc: Exception) -> Response:
    """403: the role or token scope does not allow this route. When the role is allowed and only the
    token's scope is missing, the answer says so and names the scope (JSON ``required_scope``)."""
    scope = getattr(exc, "missing_scope", None)
    if scope:
        message = N_(
            "Token ini tidak memiliki cakupan (scope) yang dibutuhkan; buat token dengan cakupan itu."
        )
        return _error(request, 403, message, {"required_scope": scope})
    return _error(request, 403, N_("Peran Anda tidak memiliki akses ke halaman ini."))


async def csrf_failed(request: Request, exc: Exception) -> Response:
    """403: missing or wrong CSRF token."""
    return _error(request, 403, N_("Token CSRF tidak ada atau salah. Muat ulang halaman lalu coba lagi."))


async def http_error(request: Request, exc: Exception) -> Response:
    """Any ``HTTPException`` (404 for unknown paths, and those raised by views)."""
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, str(exc.detail))


async def validation_error(request: Request, exc: Exception) -> Response:
    """422 with the field errors (JSON) or a readable list (HTML)."""
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        errors = [
            {"loc": list(e["loc"]), "msg": pydantic_message(e), "type": e["type"]} for e in exc.errors()
        ]
        return JSONResponse({"detail": errors, "status": 422}, status_code=422)
    detail = "; ".join(f"{_field(e['loc'])}: {pydantic_message(e)}" for e in exc.errors())
    return _error(request, 422, detail)


def _field(loc: Any) -> str:
    """The field an error is about: its location without the ``path``/``query``/``body``/``form`` part."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("path", "query", "body", "form", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "permintaan"


async def server_error(request: Request, exc: Exception) -> Response:
    """500 without internals in the response; the traceback goes to the log only."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error(request, 500, N_("Kesalahan internal. Kejadian ini sudah dicatat."))
