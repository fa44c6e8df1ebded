"""Jinja2 templates: the layout in ``web/templates`` plus each feature's ``<feature>/templates``.

``render()`` adds what every page needs: the translation function ``_``, the language, the
principal, the CSRF token and the navigation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import HTMLResponse

from smartkotim.web.csrf import csrf_token
from smartkotim.web.i18n import LANGUAGES, N_, translate
from smartkotim.web.navigation import navigation

PACKAGE_DIR = Path(__file__).resolve().parent.parent
WIB = timezone(timedelta(hours=7), "WIB")


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
    env.filters["rupiah"] = _rupiah_filter
    env.filters["number"] = _number_filter
    env.filters["wib"] = format_wib
    env.filters["period_label"] = _period_label_filter
    env.filters["role_label"] = _role_label_filter
    return Jinja2Templates(env=env)


# a role's name in words (``accounts.roles.Role`` values; English in web/locales/en/web.json)
ROLE_LABELS = {
    "admin": N_("Admin"),
    "analyst": N_("Analis"),
    "leader": N_("Pimpinan"),
    "opd_officer": N_("Petugas OPD"),
    "bank_partner": N_("Mitra bank"),
    "surveyor": N_("Surveyor lapangan"),
}


@pass_context
def _role_label_filter(context: Context, role: object) -> str:
    """``{{ role|role_label }}``: the role in words in the page language (the key itself if unknown)."""
    key = str(role)
    text = ROLE_LABELS.get(key)
    return translate(text, str(context.get("lang") or "id")) if text else key


def format_rupiah(value: int | None, lang: str = "id") -> str:
    """Whole rupiah: ``id`` → ``Rp1.500.000`` (``lokal-id``, PUEBI style), ``en`` → ``Rp1,500,000`` (the
    same symbol, English thousands separators); ``—`` for None. Template use: ``{{ x|rupiah }}``."""
    from lokal import format_rupiah as lokal_rupiah

    if value is None:
        return "—"
    if lang == "en":
        return ("-" if value < 0 else "") + "Rp" + format_number(abs(int(value)), 0, "en")
    return lokal_rupiah(value)


@pass_context
def _rupiah_filter(context: Context, value: int | None) -> str:
    return format_rupiah(value, str(context.get("lang") or "id"))


@pass_context
def _period_label_filter(context: Context, period_id: str) -> str:
    """``{{ period|period_label }}``: "Oktober 2026", "30 hari terakhir (1 Nov–30 Nov 2026)" … in the
    page language (``lib.period_labels``)."""
    from smartkotim.lib.period_labels import label_of_id

    return label_of_id(str(period_id), str(context.get("lang") or "id"))


def format_number(value: float | int | Decimal | None, digits: int = 0, lang: str = "id") -> str:
    """``value`` with thousands separators: ``id`` → ``1.234,5``, ``en`` → ``1,234.5``; ``—`` for None.

    ``digits`` decimals for non-integers; an ``int`` always shows without decimals (``1.234``, not
    ``1.234,0``). Template use: ``{{ x|number }}``, ``{{ rate|number(1) }}`` (language from the page).
    """
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        digits = 0
    text = f"{value:,.{digits}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


@pass_context
def _number_filter(context: Context, value: float | int | Decimal | None, digits: int = 0) -> str:
    return format_number(value, digits, str(context.get("lang") or "id"))


def format_wib(value: datetime | str | None) -> str:
    """A UTC instant (aware datetime or ISO string) as ``30-11-2026 13:05 WIB``; ``—`` for None/empty.

    Naive datetimes are taken as UTC (how the database stores them). The ``wib`` template filter.

    Raises:
        ValueError: a string that is not an ISO 8601 timestamp.
    """
    if value is None or value == "":
        return "—"
    stamp = datetime.fromisoformat(value) if isinstance(value, str) else value
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB")


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
    from smartkotim.economy.registry.synthetic import synthetic_data_loaded

    lang = request_language(request)
    principal = getattr(request.state, "principal", None)
    full: dict[str, Any] = {
        "synthetic_data": synthetic_data_loaded(request),
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
