"""``smartkotim regions …`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Region register and boundaries.", no_args_is_help=True)
