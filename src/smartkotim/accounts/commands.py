"""``smartkotim orgs …``, ``smartkotim users …`` and ``smartkotim tokens …`` commands.

Passwords and tokens are printed on the console of whoever runs the command, once, and never go to
logging. Audit entries name the actor ``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from smartkotim.accounts import organisations, queries, services, tokens
from smartkotim.accounts.audit import Actor
from smartkotim.accounts.errors import AccountsError
from smartkotim.accounts.passwords import generate_password
from smartkotim.accounts.schemas import OrganisationOut, token_out, user_out
from smartkotim.runtime import Runtime, open_runtime

app = typer.Typer()
orgs_app = typer.Typer(help="Organisations: OPD and partner banks.", no_args_is_help=True)
users_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machine clients.", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
console = Console()


@contextmanager
def _session() -> Iterator[tuple[Runtime, Session]]:
    """The runtime and a session for one command; the engine is disposed at the end."""
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            yield runtime, session
    finally:
        runtime.engine.dispose()


def _cli_actor() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Actor(label=f"cli:{user}")


def _fail(exc: AccountsError) -> typer.Exit:
    console.print(f"[red]{exc}[/red]")
    return typer.Exit(1)


@orgs_app.command("add")
def orgs_add(
    kind: str = typer.Option(..., help="opd or bank"),
    code: str = typer.Option(..., help="Short code; for a bank its acquirer code (BRI, BPD-KALTENG)."),
    name: str = typer.Option(..., help="Full name."),
    region: str | None = typer.Option(None, help="Kemendagri region code (e.g. a kecamatan office)."),
) -> None:
    """Add an organisation (OPD or bank)."""
    with _session() as (_runtime, session):
        try:
            org = organisations.create_organisation(
                session, kind=kind, code=code, name=name, region_code=region, by=_cli_actor()
            )
        except AccountsError as exc:
            raise _fail(exc) from exc
    console.print(f"Organisation {org.code} ({org.kind}) created.")


@orgs_app.command("list")
def orgs_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List organisations."""
    with _session() as (_runtime, session):
        rows = [OrganisationOut.model_validate(o) for o in queries.list_organisations(session)]
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table("code", "kind", "name", "region", "active")
    for r in rows:
        table.add_row(r.code, r.kind, r.name, r.region_code or "", "yes" if r.is_active else "no")
    console.print(table)


def _ask_password(generate: bool) -> tuple[str, bool]:
    if generate:
        return generate_password(), True
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True), False


@users_app.command("add")
def users_add(
    role: str = typer.Option(..., help="admin, analyst, leader, opd_officer, bank_partner or surveyor"),
    org: str = typer.Option(..., help="Organisation code."),
    username: str | None = typer.Option(None, help="Login name (default: asked)."),
    name: str | None = typer.Option(None, help="Display name."),
    region: str | None = typer.Option(None, help="Region scope (a kecamatan code for surveyors)."),
    generate_password_: bool = typer.Option(
        False, "--generate-password", help="Generate the password and print it once."
    ),
) -> None:
    """Add a user; the password is prompted twice, or generated and printed once."""
    login_name = username or typer.prompt("Username")
    password, generated = _ask_password(generate_password_)
    with _session() as (_runtime, session):
        try:
            user = services.create_user(
                session,
                username=login_name,
                role=role,
                organisation_code=org,
                password=password,
                display_name=name,
                region_code=region,
                by=_cli_actor(),
            )
        except AccountsError as exc:
            raise _fail(exc) from exc
    console.print(f"User {user.username} ({user.role}, {org.upper()}) created.")
    if generated:
        console.print(f"Password (shown once): [bold]{password}[/bold]")


@users_app.command("list")
def users_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List users with role and scope."""
    with _session() as (_runtime, session):
        rows = [user_out(u, o) for u, o in queries.list_users(session)]
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table("username", "role", "organisation", "region", "active")
    for r in rows:
        table.add_row(
            r.username, r.role, r.organisation_code, r.region_code or "", "yes" if r.is_active else "no"
        )
    console.print(table)


@users_app.command("create-admin")
def users_create_admin(
    username: str = typer.Option("admin", help="Login name of the admin."),
    org: str = typer.Option("DISKOMINFO", help="Organisation code (an OPD)."),
    force: bool = typer.Option(False, "--force", help="Create even when an active admin exists."),
) -> None:
    """First-run admin: created with a generated password printed once on this console only."""
    with _session() as (runtime, session):
        organisations.seed_organisations(session, regency_code=runtime.settings.regency_code)
        try:
            password = services.ensure_first_admin(
                session, organisation_code=org, username=username, force=force, by=_cli_actor()
            )
        except AccountsError as exc:
            raise _fail(exc) from exc
    console.print(f"Admin {username.strip().lower()} created.")
    console.print(f"Password (shown once, change it after logging in): [bold]{password}[/bold]")


@users_app.command("reset-password")
def users_reset_password(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Give a user a generated password (printed once); their sessions end."""
    with _session() as (_runtime, session):
        user = queries.get_user_by_username(session, username)
        if user is None:
            console.print(f"[red]No user {username!r}.[/red]")
            raise typer.Exit(1)
        password = services.reset_password(session, user_id=user.id, by=_cli_actor())
    console.print(f"Password for {user.username} (shown once): [bold]{password}[/bold]")


@tokens_app.command("create")
def tokens_create(
    user: str = typer.Option(..., help="Username the token acts for."),
    scope: list[str] = typer.Option(
        ["read"], help="read, write, ingest or admin (repeatable; see SCOPE_ROLES)."
    ),
    days: int | None = typer.Option(
        None, help="Lifetime in days (default SMARTKOTIM_API_TOKEN_DEFAULT_DAYS)."
    ),
    name: str = typer.Option("cli", help="A name to recognise the token by."),
) -> None:
    """Create an API token and print it once."""
    with _session() as (runtime, session):
        owner = queries.get_user_by_username(session, user)
        if owner is None:
            console.print(f"[red]No user {user!r}.[/red]")
            raise typer.Exit(1)
        try:
            token, raw = tokens.create_token(
                session,
                user_id=owner.id,
                name=name,
                scopes=scope,
                days=days or runtime.settings.api_token_default_days,
                by=_cli_actor(),
            )
        except AccountsError as exc:
            raise _fail(exc) from exc
    console.print(
        f"Token {token.id} for {owner.username}, scopes {', '.join(token.scopes)}, "
        f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC. Shown once:"
    )
    print(raw)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int = typer.Argument(..., help="Token id (see `tokens list`).")) -> None:
    """Revoke an API token at once."""
    with _session() as (_runtime, session):
        try:
            token = tokens.revoke_token(session, token_id=token_id, by=_cli_actor())
        except AccountsError as exc:
            raise _fail(exc) from exc
    console.print(f"Token {token.id} (skt_{token.token_prefix}_…) revoked.")


@tokens_app.command("list")
def tokens_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List API tokens (never their secret)."""
    with _session() as (_runtime, session):
        rows = [token_out(t, u.username) for t, u in queries.list_tokens(session)]
    if as_json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    table = Table("id", "user", "name", "prefix", "scopes", "status", "expires (UTC)")
    for r in rows:
        table.add_row(
            str(r.id),
            r.username,
            r.name,
            r.prefix,
            ",".join(r.scopes),
            r.status,
            f"{r.expires_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)
