"""``smartkotim demo …`` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Built-in Kotim demo data (synthetic).", no_args_is_help=True)
