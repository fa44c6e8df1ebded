"""Pieces shared by the register views: error mapping, form parsing, uploads."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from smartkotim.accounts.roles import Principal
from smartkotim.economy.registry import queries, rules
from smartkotim.economy.registry.access import (
    DuplicateNmidError,
    NotPermittedError,
    RecordNotFoundError,
    merchant_scope,
)
from smartkotim.economy.registry.labels import value_label
from smartkotim.economy.registry.messages import describe, rule_of
from smartkotim.economy.registry.tabular import ImportFileError
from smartkotim.web.templating import render

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def http_error(exc: Exception) -> HTTPException:
    """The HTTP error of a register error: 404 not found, 403 not permitted, 409 NMID taken, else 422."""
    if isinstance(exc, RecordNotFoundError):
        return HTTPException(404, str(exc))
    if isinstance(exc, NotPermittedError):
        return HTTPException(403, str(exc))
    if isinstance(exc, DuplicateNmidError):
        return HTTPException(409, str(exc))
    return HTTPException(422, error_text(exc))


def error_text(exc: Exception) -> str:
    """A readable message for a validation or register error: every field, its value and its rule."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            column = ".".join(str(p) for p in err["loc"])
            value = err["input"] if isinstance(err["input"], str | int | float) else ""
            parts.append(describe(column, str(value), rule_of(err)))
        return "; ".join(parts)
    if isinstance(exc, rules.FieldError):
        return describe(exc.column, exc.value, exc.rule)
    return str(exc)


def render_registry(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """``web.templating.render`` plus ``value_label`` (stored value → Indonesian label, for ``_()``)."""
    return render(request, template, {"value_label": value_label, **(context or {})}, status_code)


def form_context(session: Session, principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
    """The merchant form's choices: markets in the principal's scope (a kecamatan surveyor sees only
    the markets there), bank codes and local categories, plus the submitted ``values``."""
    return {
        "values": values,
        "markets": queries.list_markets(session, region_code=merchant_scope(principal).region_code),
        "banks": sorted(queries.list_bank_codes(session)),
        "categories": rules.LOCAL_CATEGORIES,
    }


async def form_values(request: Request) -> dict[str, Any]:
    """The submitted form as ``{field: text or None}`` (empty fields become ``None``; no CSRF field)."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key, value in form.items():
        if key == "csrf_token" or not isinstance(value, str):
            continue
        values[key] = value.strip() or None
    return values


@contextmanager
def uploaded_file(upload: UploadFile) -> Iterator[Path]:
    """The upload saved to a temporary file with its original suffix, deleted afterwards.

    Raises:
        HTTPException: 413 when larger than ``MAX_UPLOAD_BYTES``; 422 without a file name.
    """
    name = Path(upload.filename or "").name
    if not name:
        raise HTTPException(422, "berkas tidak ada")
    with tempfile.TemporaryDirectory(prefix="smartkotim-registry-") as folder:
        path = Path(folder) / name
        size = 0
        with path.open("wb") as handle:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise HTTPException(413, f"{name}: lebih dari {MAX_UPLOAD_BYTES // (1 << 20)} MiB")
                handle.write(chunk)
        yield path


__all__ = ["ImportFileError", "error_text", "form_values", "http_error", "uploaded_file"]
