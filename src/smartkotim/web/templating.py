"""Jinja2 templates: the layout in ``web/templates`` plus each feature's ``<feature>/templates``.

``render()`` adds what every page needs: the translation function ``_``, the language, the
principal, the CSRF token and the navigation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from smartkotim.web.csrf import csrf_token
from smartkotim.web.i18n import LANGUAGES, translate
from smartkotim.web.navigation import navigation

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def template_dirs() -> list[Path]:
    """The layout folder first, then every feature's ``templates`` folder."""
    dirs = [PACKAGE_DIR / "web" / "templates"]
    dirs += sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web")
    return dirs


def make_templates() -> Jinja2Templates:
    """A ``Jinja2Templates`` over all template folders, autoescaping HTML."""
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs()]),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rupiah"] = _format_rupiah
    env.filters["number"] = _format_number
    return Jinja2Templates(env=env)


def _format_rupiah(value: int | None) -> str:
    from lokal import format_rupiah

    return "—" if value is None else format_rupiah(value)


def _format_number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def request_language(request: Request) -> str:
    """The language chosen in the session, else the installation's default."""
    lang = request.session.get("lang")
    if lang in LANGUAGES:
        return str(lang)
    return str(request.app.state.settings.default_language)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` with the common context."""
    lang = request_language(request)
    principal = getattr(request.state, "principal", None)
    full: dict[str, Any] = {
        "_": lambda text: translate(text, lang),
        "lang": lang,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "nav": navigation(principal),
        "current_path": request.url.path,
    }
    full.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, full, status_code=status_code)
