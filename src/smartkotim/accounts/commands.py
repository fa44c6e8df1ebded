"""``smartkotim orgs …``, ``smartkotim users …`` and ``smartkotim tokens …`` commands."""

from __future__ import annotations

import typer

app = typer.Typer()
orgs_app = typer.Typer(help="Organisations: OPD and partner banks.", no_args_is_help=True)
users_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
