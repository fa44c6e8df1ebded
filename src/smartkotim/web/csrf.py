"""CSRF protection: a per-session random token, required on every unsafe request made with a cookie.

Forms carry it as the hidden field ``csrf_token``; JavaScript sends it as the ``X-CSRF-Token`` header.
Requests authenticated with a bearer API token carry no cookie and are exempt.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return token


async def is_csrf_valid(request: Request) -> bool:
    """True when the request is safe or carries the session's token (header or form field)."""
    if request.method in SAFE_METHODS:
        return True
    expected = request.session.get(FIELD)
    if not isinstance(expected, str):
        return False
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, expected)
