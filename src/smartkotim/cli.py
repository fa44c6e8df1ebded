"""The ``smartkotim`` command line: thin commands calling services.

Each feature adds its command group from its own ``commands.py`` (``FEATURE_COMMANDS``).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import typer
import uvicorn
from rich.console import Console

from smartkotim.config import SettingsError
from smartkotim.db import upgrade_database
from smartkotim.jobs import Worker
from smartkotim.runtime import open_runtime

app = typer.Typer(help="SmartKotim — platform smart city Kotawaringin Timur.", no_args_is_help=True)
db_app = typer.Typer(help="State database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()

# (module, command group name); each module exposes ``app: typer.Typer``.
FEATURE_COMMANDS = (
    ("smartkotim.regions.commands", "regions"),
    ("smartkotim.accounts.commands", None),
    ("smartkotim.demo.commands", "demo"),
    ("smartkotim.economy.registry.commands", None),  # top-level groups `markets` and `merchants`
    ("smartkotim.economy.metrics.commands", "metrics"),
    ("smartkotim.economy.ingest.commands", None),  # `ingest`, groups `batches`, `ledger`, `profiles`
)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the state database."""
    runtime = open_runtime(migrate=False)
    upgrade_database(runtime.engine)
    console.print("[green]Database up to date.[/green]")


@app.command()
def init() -> None:
    """Create the data directory, migrate the database, load the region register and the OPD."""
    from smartkotim.accounts.organisations import seed_organisations
    from smartkotim.regions.services import load_register

    runtime = open_runtime()
    with runtime.session_factory() as session:
        count = load_register(session, regency_code=runtime.settings.regency_code)
        seeded = seed_organisations(session, regency_code=runtime.settings.regency_code)
    console.print(
        f"Data directory {runtime.settings.data_dir.resolve()} ready; {count} regions in the register."
    )
    console.print(f"Organisations: {len(seeded.created)} created, {seeded.existing} already there.")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default SMARTKOTIM_HOST)."),
    port: int | None = typer.Option(None, help="Port (default SMARTKOTIM_PORT)."),
    workers: int = typer.Option(
        1, min=1, max=64, help="Web processes (one per core is usual); above 1 the job worker runs once."
    ),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request."),
) -> None:
    """Migrate if needed and serve the web app (with the job worker thread unless disabled).

    With ``--workers N`` above 1, uvicorn starts N web processes (``web.asgi``) and the job worker runs
    as a thread of this (the supervising) process, so exactly one worker claims jobs.
    """
    from smartkotim.web.app import create_app

    runtime = open_runtime()
    settings = runtime.settings
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_level": "info",
        "access_log": access_log,
        "proxy_headers": bool(settings.forwarded_allow_ips.strip()),
        "forwarded_allow_ips": settings.forwarded_allow_ips.strip() or None,
    }
    if workers == 1:
        uvicorn.run(create_app(settings, engine=runtime.engine, start_worker=settings.run_worker), **options)
        return
    runtime.engine.dispose()  # the web processes open their own connections
    job_worker = Worker(settings, runtime.session_factory) if settings.run_worker else None
    if job_worker:
        job_worker.start()
    try:
        uvicorn.run(
            "smartkotim.web.asgi:create_app_from_environment", factory=True, workers=workers, **options
        )
    finally:
        if job_worker:
            job_worker.stop()


@app.command()
def worker() -> None:
    """Run the job worker in the foreground (when ``serve`` runs without it)."""
    runtime = open_runtime()
    thread = Worker(runtime.settings, runtime.session_factory)
    thread.start()
    console.print("Worker running; Ctrl+C stops it.")
    try:
        thread.join()
    except KeyboardInterrupt:
        thread.stop()


def _register_features() -> None:
    for module_name, group in FEATURE_COMMANDS:
        module = importlib.import_module(module_name)
        if group:
            app.add_typer(module.app, name=group)
        else:
            for command in module.app.registered_groups:
                app.add_typer(command.typer_instance, name=command.name)
            app.registered_commands.extend(module.app.registered_commands)  # top-level commands


def main() -> None:
    """Console-script entry point: clear messages for invalid settings instead of tracebacks."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    _register_features()
    try:
        app()
    except SettingsError as exc:
        console.print(f"[red]{exc}[/red]")
        sys.exit(2)


if __name__ == "__main__":
    main()
