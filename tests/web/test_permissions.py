"""The one permission table, tested exhaustively: every route × every role × anonymous.

Each route of the app must have an entry in ``web.permissions.ROUTE_ROLES``. Then every route is
requested by an anonymous client and by a logged-in client of each role, and the answer must match
the table:

- allowed → neither 401 nor 403 nor a redirect to the login page (a 404 for a sample id, or a 422
  for a missing form, is fine: the request got past ``authorize``);
- denied, anonymous → 401 for ``/api/…``, else a 303 to ``/masuk``;
- denied, logged in → 403.

Path parameters are filled from ``SAMPLE_PATH_PARAMS`` (add an entry when a new route brings a new
parameter name; the first test names every route without one). Ids that do not exist are used on
purpose, so that a mutating route allowed for a role answers 404 (or 422 without a body) and changes
nothing. Mounts and plain Starlette routes are not behind ``authorize`` and so must be open to all.

SQLite only: the table is enforced in Python before any query, so the backend cannot change the
outcome, and one app reused across roles keeps this walk of several hundred requests fast.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route

from smartkotim.accounts import organisations, services
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.roles import SCOPE_ROLES, Role, TokenScope
from smartkotim.config import load_settings
from smartkotim.db import make_engine, make_session_factory
from smartkotim.regions.services import load_register
from smartkotim.web.app import create_app
from smartkotim.web.permissions import ANONYMOUS, EVERYONE, ROUTE_ROLES, is_allowed

PASSWORD = "permission-table-2025"
SECRET = "permission-test-secret-key-0123456789abcdef"

# Sample values for path parameters, by parameter name. Ids are ones that do not exist.
SAMPLE_PATH_PARAMS: dict[str, str] = {
    "code": "62.02",
    "level": "kecamatan",
    "language": "id",
    "slug": "economy",
    "job_id": "999999",
    "import_id": "999999",
    "user_id": "999999",
    "org_id": "999999",
    "token_id": "999999",
    "batch_id": "999999",
    "market_id": "999999",
    "merchant_id": "999999",
    "profile": "default",
    "name": "default",
    "nmid": "ID1025380163258",
    "period": "2026-10",
    "path": "x",
}
# Mounts (static files) are requested at one file each.
MOUNT_SAMPLES = {
    "static": "/static/css/app.css",
    "static-offline-docs": "/static/apidocs/swagger-ui.css",
}
# Routes that end the session are walked last.
SESSION_ENDING = frozenset({"logout"})
ROLE_ORG = {Role.BANK_PARTNER: "BRI"}
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True, slots=True)
class Call:
    """One request to make: the route's name, method, concrete path and whether authorize guards it."""

    name: str
    method: str
    path: str
    guarded: bool


def _route_calls(app: FastAPI) -> tuple[list[Call], list[str]]:
    """Every (route, method) as a concrete request, and the routes that lack a sample path value."""
    calls: list[Call] = []
    missing: list[str] = []
    for context in iter_route_contexts(app.routes):
        route, name, path = context.original_route, str(context.name), str(context.path)
        if isinstance(route, Mount):
            if name not in MOUNT_SAMPLES:
                missing.append(f"{name} (mount {path}): add it to MOUNT_SAMPLES")
            else:
                calls.append(Call(name, "GET", MOUNT_SAMPLES[name], guarded=False))
            continue
        params = [p for p in _PARAM.findall(path) if p not in SAMPLE_PATH_PARAMS]
        if params:
            missing.append(f"{name} ({path}): add {', '.join(params)} to SAMPLE_PATH_PARAMS")
            continue
        concrete = _PARAM.sub(lambda m: SAMPLE_PATH_PARAMS[m.group(1)], path)
        guarded = isinstance(route, APIRoute)
        assert guarded or isinstance(route, Route), f"{name}: unexpected route type {type(route).__name__}"
        for method in sorted((context.methods or {"GET"}) - {"HEAD"}):
            calls.append(Call(name, method, concrete, guarded))
    calls.sort(key=lambda c: c.name in SESSION_ENDING)
    return calls, missing


@pytest.fixture(scope="module")
def walk_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[FastAPI]:
    """One app on a migrated SQLite copy with the register, the seeded organisations and a user per role."""
    folder = tmp_path_factory.mktemp("permissions")
    shutil.copy(sqlite_template, folder / "smartkotim.db")
    url = f"sqlite:///{folder / 'smartkotim.db'}"
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        _seed(session)
    settings = load_settings(
        data_dir=folder / "var", database_url=url, secret_key=SECRET, login_max_failures=1000
    )
    yield create_app(settings, engine=engine)
    engine.dispose()


def _seed(session: Session) -> None:
    load_register(session, regency_code="62.02")
    organisations.seed_organisations(session, regency_code="62.02", include_banks=True)
    for role in Role:
        services.create_user(
            session,
            username=f"perm.{role}",
            role=role,
            organisation_code=ROLE_ORG.get(role, "DISKOMINFO"),
            password=PASSWORD,
            region_code="62.02.05" if role == Role.SURVEYOR else None,
            by=Actor(label="test"),
        )


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get(path).text)
    assert match, f"no CSRF meta tag on {path}"
    return match.group(1)


def _client_for(app: FastAPI, who: str) -> TestClient:
    """A client logged in as ``who`` (or anonymous) that sends its CSRF token on every request."""
    client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    if who != ANONYMOUS:
        form = {"username": f"perm.{who}", "password": PASSWORD, "csrf_token": _csrf(client, "/masuk")}
        response = client.post("/masuk", data=form)
        assert response.status_code == 303, f"login as {who} failed: {response.status_code}"
    client.headers["X-CSRF-Token"] = _csrf(client, "/")
    return client


def _verdict(call: Call, who: str, status: int, location: str) -> str | None:
    """Why the answer breaks the table, or ``None`` when it is right."""
    rule = ROUTE_ROLES[call.name]
    to_login = status in (302, 303, 307) and location.startswith("/masuk")
    if who in rule.roles:
        if status in (401, 403) or to_login:
            return f"allowed but answered {status} {location}".strip()
        return None
    if who == ANONYMOUS:
        expected = 401 if call.path.startswith("/api/") else 303
        if status != expected or (expected == 303 and not to_login):
            return f"anonymous must get {expected}{' to /masuk' if expected == 303 else ''}, got {status}"
        return None
    return None if status == 403 else f"denied role must get 403, got {status}"


def test_every_route_has_a_rule_and_a_sample(walk_app: FastAPI) -> None:
    calls, missing = _route_calls(walk_app)
    assert not missing, "routes without sample path values:\n  " + "\n  ".join(missing)
    names = {c.name for c in calls}
    assert len(names) > 20, "the route walk found too few routes: is the walker broken?"
    unruled = sorted(n for n in names if n not in ROUTE_ROLES)
    assert not unruled, f"routes without an entry in web/permissions.py ROUTE_ROLES: {unruled}"
    open_only = {str(r) for r in EVERYONE}
    unguarded = sorted({c.name for c in calls if not c.guarded and ROUTE_ROLES[c.name].roles != open_only})
    assert not unguarded, f"mounts/plain routes are not behind authorize, so must be EVERYONE: {unguarded}"


@pytest.mark.parametrize("who", [ANONYMOUS, *(str(r) for r in Role)])
def test_permission_table_is_enforced_for(who: str, walk_app: FastAPI) -> None:
    calls, _missing = _route_calls(walk_app)
    calls = [c for c in calls if c.name in ROUTE_ROLES]
    wrong: list[str] = []
    with _client_for(walk_app, who) as client:
        for call in calls:
            response = client.request(call.method, call.path)
            problem = _verdict(call, who, response.status_code, response.headers.get("location", ""))
            if problem:
                wrong.append(f"{call.method} {call.path} [{call.name}]: {problem}")
    assert not wrong, f"as {who}, {len(wrong)} of {len(calls)} answers break the table:\n  " + "\n  ".join(
        wrong
    )


def test_token_scopes_of_the_table_are_consistent() -> None:
    """Every scope a route needs can be held by each role the route admits (else the rule is dead).

    Exception: self-service account routes need ``admin`` scope on purpose, so that no token of a
    non-admin can mint tokens or change a password; a browser session does those.
    """
    self_service = {"account_change_password", "own_token_create", "own_token_revoke"}
    self_service |= {"api_own_token_create", "api_own_token_revoke"}
    dead: list[str] = []
    for name, rule in ROUTE_ROLES.items():
        if ANONYMOUS in rule.roles or name in self_service:
            continue
        dead += [
            f"{name}: {role} cannot hold {rule.scope}"
            for role in rule.roles
            if role not in SCOPE_ROLES[rule.scope]
        ]
    assert not dead, "\n".join(dead)


@pytest.mark.parametrize("needed", list(TokenScope))
def test_admin_scope_satisfies_every_scope_and_others_only_their_own(needed: TokenScope) -> None:
    routes = [n for n, r in ROUTE_ROLES.items() if r.scope == needed and Role.ADMIN in r.roles]
    routes = [n for n in routes if ANONYMOUS not in ROUTE_ROLES[n].roles]
    assert routes, f"no admin route needs {needed}: the table changed, update this test"
    for name in routes:
        assert is_allowed(name, "admin", frozenset({TokenScope.ADMIN}))
        assert is_allowed(name, "admin", frozenset({needed}))
        others = frozenset(s for s in TokenScope if s not in (needed, TokenScope.ADMIN))
        assert not is_allowed(name, "admin", others), f"{name} admitted {sorted(others)} without {needed}"
        assert is_allowed(name, "admin", None)  # a browser session has no scopes to check


def test_data_entry_writes_need_the_write_scope_not_admin() -> None:
    for name in ("api_market_create", "api_merchant_create", "api_merchant_from_qris", "api_merchant_merge"):
        assert ROUTE_ROLES[name].scope == TokenScope.WRITE, name
    assert is_allowed("api_merchant_create", "surveyor", frozenset({TokenScope.WRITE}))
    assert not is_allowed("api_merchant_create", "surveyor", frozenset({TokenScope.READ}))
    assert not is_allowed("api_admin_user_create", "admin", frozenset({TokenScope.WRITE}))


@pytest.mark.parametrize("who", [ANONYMOUS, *(str(r) for r in Role)])
def test_dimension_page_links_only_pages_the_visitor_may_open(who: str, walk_app: FastAPI) -> None:
    metrics = {"/ekonomi": "economy_dashboard", "/ekonomi/peringkat": "economy_rankings"}
    metrics |= {"/ekonomi/pimpinan": "economy_leader", "/wilayah": "region_tree"}
    with _client_for(walk_app, who) as client:
        html = client.get("/dimensi/economy").text
        section = (
            html.split('class="dimension-links"', 1)[1].split("</ul>", 1)[0]
            if "dimension-links" in html
            else ""
        )
        shown = set(re.findall(r'href="([^"]+)"', section))
        expected = {
            url
            for url, route in metrics.items()
            if is_allowed(route, None if who == ANONYMOUS else who, None)
        }
        assert shown == expected, f"{who} sees {sorted(shown)}"
        for url in shown:  # and each shown link really opens
            assert client.get(url).status_code == 200, url
    if who in (ANONYMOUS, str(Role.BANK_PARTNER)):
        assert not {"/ekonomi", "/ekonomi/peringkat", "/ekonomi/pimpinan"} & shown
