"""``smartkotim demo …`` commands."""

from __future__ import annotations

import typer
from rich.console import Console

from smartkotim.demo.services import load_demo
from smartkotim.runtime import open_runtime

app = typer.Typer(help="Built-in Kotim demo data (synthetic).", no_args_is_help=True)
console = Console()


@app.command("load")
def load() -> None:
    """Load the demo data: region register, users for each role (passwords shown once), economy data."""
    runtime = open_runtime()
    load_demo(runtime, console.print)
    console.print("[green]Demo data loaded (synthetic).[/green]")
