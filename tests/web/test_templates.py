"""Every template follows the shell's rules: the layout, CSRF on forms, no inline script, no CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "smartkotim"
TEMPLATES = sorted(p for p in PACKAGE_DIR.rglob("templates/**/*.html") if p.is_file())
LAYOUT = PACKAGE_DIR / "web" / "templates" / "web" / "base.html"

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+)\s*=", re.I)
EXTERNAL_ASSET = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)\s*=\s*[\"'](?:https?:)?//", re.I
)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
CSRF_FIELD = '<input type="hidden" name="csrf_token" value="{{ csrf_token }}">'


def _id(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR))


def test_templates_are_found() -> None:
    assert LAYOUT in TEMPLATES
    assert len(TEMPLATES) > 3


@pytest.mark.parametrize("path", TEMPLATES, ids=_id)
def test_page_templates_extend_the_layout(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path == LAYOUT or path.name.startswith("_"):  # the layout itself and partials ({% include %})
        return
    assert '{% extends "web/base.html" %}' in text, (
        f"{_id(path)}: pages extend web/base.html (partials start with _)"
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=_id)
def test_no_inline_script_or_event_handler(path: Path) -> None:
    """The CSP allows scripts from the app's own files only: put JS in web/static, pass data in data-*."""
    text = path.read_text(encoding="utf-8")
    for attributes, body in SCRIPT.findall(text):
        assert "src=" in attributes, f"{_id(path)}: <script> without src"
        assert not body.strip(), f"{_id(path)}: inline script body"
    handler = EVENT_HANDLER.search(text)
    assert handler is None, f"{_id(path)}: inline event handler {handler.group(1) if handler else ''}"


@pytest.mark.parametrize("path", TEMPLATES, ids=_id)
def test_no_asset_from_another_site(path: Path) -> None:
    found = EXTERNAL_ASSET.search(path.read_text(encoding="utf-8"))
    assert found is None, (
        f"{_id(path)}: external asset {found.group(0) if found else ''} (serve it from web/static)"
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=_id)
def test_every_post_form_carries_the_csrf_token(path: Path) -> None:
    for attributes, body in FORM.findall(path.read_text(encoding="utf-8")):
        if re.search(r"method\s*=\s*[\"']post[\"']", attributes, re.I):
            assert CSRF_FIELD in body, f"{_id(path)}: POST form without {CSRF_FIELD}"


def test_checks_catch_what_they_look_for() -> None:
    assert SCRIPT.findall("<script>alert(1)</script>") == [("", "alert(1)")]
    assert EVENT_HANDLER.search('<button onclick="go()">') is not None
    assert EVENT_HANDLER.search('<a href="/x" data-online="1">') is None
    assert EXTERNAL_ASSET.search('<script src="https://cdn.example/x.js"></script>') is not None
    assert EXTERNAL_ASSET.search('<link rel="stylesheet" href="//cdn.example/x.css">') is not None
    assert EXTERNAL_ASSET.search('<script src="/static/vendor/plotly.min.js"></script>') is None
