"""Bodies compressed once (``web.encoded``): the right encoding for each ``Accept-Encoding``."""

from __future__ import annotations

import gzip

import pytest
from starlette.requests import Request

from smartkotim.web.encoded import MIN_GZIP_BYTES, EncodedBody, accepts_gzip, encoded_response


def _request(accept: str | None) -> Request:
    headers = [] if accept is None else [(b"accept-encoding", accept.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, False),
        ("identity", False),
        ("gzip", True),
        ("br, GZIP;q=0.5", True),
        ("deflate, x-gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, deflate", False),
        ("gzipped", False),
    ],
)
def test_accepts_gzip(accept: str | None, expected: bool) -> None:
    assert accepts_gzip(_request(accept)) is expected


def test_a_large_body_is_compressed_once_and_restores_exactly() -> None:
    body = b'{"code": "62.02.05.2001", "value": 123456}' * 200
    encoded = EncodedBody.of(body)
    assert encoded.gzip is not None and len(encoded.gzip) < len(body) // 10
    assert gzip.decompress(encoded.gzip) == body
    assert EncodedBody.of(body).gzip == encoded.gzip  # no timestamp: the same bytes every time
    response = encoded_response(_request("gzip"), encoded, "application/json", {"X-Test": "1"})
    assert response.body == encoded.gzip and response.headers["content-encoding"] == "gzip"
    assert response.headers["x-test"] == "1" and response.headers["vary"] == "Accept-Encoding"
    assert encoded_response(_request(None), encoded, "application/json").body == body


def test_a_small_body_is_never_compressed() -> None:
    small = EncodedBody.of(b"x" * (MIN_GZIP_BYTES - 1))
    assert small.gzip is None
    response = encoded_response(_request("gzip"), small, "application/json")
    assert "content-encoding" not in response.headers and response.body == small.identity
