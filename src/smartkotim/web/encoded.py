"""Response bodies compressed once, when they are built, for responses served many times from a cache.

Compressing on every request (Starlette's ``GZipMiddleware``) costs more CPU than it saves for a
cached answer; an ``EncodedBody`` keeps the identity and the gzip bytes side by side, and
``encoded_response`` picks by the request's ``Accept-Encoding`` (RFC 9110 §12.5.3). A 300 KB JSON list of
185 desa shrinks about tenfold, which is most of the cost of sending it over loopback.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

MIN_GZIP_BYTES = 1024  # below this the gzip header and the client's inflate cost more than they save


@dataclass(frozen=True, slots=True)
class EncodedBody:
    """One body unencoded (``identity``) and gzip-compressed (``gzip``; ``None`` when small)."""

    identity: bytes
    gzip: bytes | None

    @classmethod
    def of(cls, body: bytes) -> EncodedBody:
        """``body`` with its gzip encoding (level 6, no timestamp: equal bodies give equal bytes)."""
        packed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_GZIP_BYTES else None
        return cls(body, packed)


def accepts_gzip(request: Request) -> bool:
    """True when the request's ``Accept-Encoding`` lists gzip without ``q=0``."""
    for item in request.headers.get("accept-encoding", "").lower().split(","):
        name, _, params = item.strip().partition(";")
        if name.strip() in ("gzip", "x-gzip") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00"):
            return True
    return False


def encoded_response(
    request: Request, body: EncodedBody, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """A response with ``body`` gzip-encoded when the client accepts it (``Vary: Accept-Encoding``)."""
    out = {"Vary": "Accept-Encoding", **(headers or {})}
    if body.gzip is not None and accepts_gzip(request):
        return Response(body.gzip, media_type=media_type, headers=out | {"Content-Encoding": "gzip"})
    return Response(body.identity, media_type=media_type, headers=out)
