"""CLI: ``smartkotim ingest FILE``, ``batches list|reprocess``, ``ledger stats|reconcile|rebuild-rollups``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartkotim.economy.ingest import intake, profile_services, queries, services, tasks
from smartkotim.economy.ingest.models import BatchSource, IngestBatch
from smartkotim.economy.ingest.schemas import BatchOut
from smartkotim.runtime import open_runtime

app = typer.Typer()
batches_app = typer.Typer(help="Ingest batches (uploads of bank reports).", no_args_is_help=True)
ledger_app = typer.Typer(help="The transaction ledger (Delta Lake).", no_args_is_help=True)
profiles_app = typer.Typer(help="Bank report profiles.", no_args_is_help=True)
app.add_typer(batches_app, name="batches")
app.add_typer(ledger_app, name="ledger")
app.add_typer(profiles_app, name="profiles")
console = Console()
assert tasks.JOB_KIND  # importing tasks registers the job kind for `smartkotim worker`


def _batch_json(batch: IngestBatch) -> dict[str, Any]:
    data: dict[str, Any] = BatchOut.of(batch).model_dump(mode="json")
    return data


@app.command("ingest")
def ingest(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Report file."),
    bank: str = typer.Option(..., "--bank", help="Acquirer (bank) code of the report (any case: bri = BRI)."),
    profile: str = typer.Option("default", "--profile", help="Report profile name."),
    as_json: bool = typer.Option(False, "--json", help="Print the batch's counts as JSON."),
) -> None:
    """Ingest a bank's transaction report (CSV, XLSX, Parquet, JSON Lines) into the ledger, inline.

    Exit code 0 when the batch is applied, 1 when it failed or the file was refused.
    """
    runtime = open_runtime()
    sha, size = services.file_sha256(file)
    spec = services.UploadSpec(
        path=file,
        file_name=file.name,
        sha256=sha,
        size=size,
        bank_code=bank.strip().upper(),  # organisation codes are upper case (BRI, BPD-KALTENG)
        profile_name=profile,
        source=BatchSource.CLI,
        actor_label="cli",
    )
    try:
        if as_json:
            batch = services.ingest_file(runtime.settings, runtime.session_factory, spec)
        else:
            batch = _ingest_with_bar(runtime, spec)
    except services.IngestError as exc:
        pointer = exc.batch_id if isinstance(exc, services.DuplicateFileError) else None
        _refuse(exc, pointer, as_json=as_json)
    finally:
        runtime.engine.dispose()
    _finish(batch, as_json=as_json)


def _refuse(exc: Exception, batch_id: int | None, *, as_json: bool) -> NoReturn:
    """Print a refused request (JSON ``{"refused", "batch_id"}`` or red text) and exit with 1."""
    if as_json:
        typer.echo(json.dumps({"refused": str(exc), "batch_id": batch_id}))
    else:
        console.print(f"[red]{exc}[/red]")
    raise typer.Exit(1) from exc


def _finish(batch: IngestBatch, *, as_json: bool) -> None:
    """Print a batch's result (JSON or text); exit with 1 unless it was applied."""
    if as_json:
        typer.echo(json.dumps(_batch_json(batch)))
    else:
        _print_batch(batch)
    if batch.status != "applied":
        raise typer.Exit(1)


def _ingest_with_bar(runtime: Any, spec: services.UploadSpec) -> IngestBatch:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"ingest {spec.file_name}", total=1.0)

        def report(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=f"ingest {spec.file_name} · {message}")

        return services.ingest_file(runtime.settings, runtime.session_factory, spec, progress=report)


def _print_batch(batch: IngestBatch) -> None:
    colour = "green" if batch.status == "applied" else "red"
    console.print(f"Batch {batch.id}: [{colour}]{batch.status}[/{colour}] {batch.message}")
    console.print(
        f"read {batch.rows_read:,} · accepted {batch.rows_accepted:,} · duplicate {batch.rows_duplicate:,} · "
        f"rejected {batch.rows_rejected:,} · quarantined {batch.rows_quarantined:,} · "
        f"value Rp{batch.value_accepted:,} · errors {batch.error_count:,}"
    )


@batches_app.command("list")
def batches_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The latest 200 batches, newest first."""
    runtime = open_runtime()
    with runtime.session_factory() as session:
        rows = queries.list_batches(session, None)
    if as_json:
        typer.echo(json.dumps([_batch_json(b) for b in rows]))
        return
    table = Table("id", "bank", "file", "status", "read", "accepted", "duplicate", "rejected", "quarantined")
    for b in rows:
        table.add_row(
            str(b.id),
            b.acquirer_code,
            b.file_name,
            b.status,
            f"{b.rows_read:,}",
            f"{b.rows_accepted:,}",
            f"{b.rows_duplicate:,}",
            f"{b.rows_rejected:,}",
            f"{b.rows_quarantined:,}",
        )
    console.print(table)


@batches_app.command("reprocess")
def batches_reprocess(
    batch_id: int = typer.Argument(
        ..., min=1, help="The batch whose rejected and quarantined rows to re-read."
    ),
    profile: str | None = typer.Option(None, "--profile", help="Report profile (default: the batch's own)."),
    as_json: bool = typer.Option(False, "--json", help="Print the new batch's counts as JSON."),
) -> None:
    """Re-read a batch's rejected and quarantined rows with a (fixed) profile, inline; rows that parse
    now are added, the others are reported again with their original row numbers.

    Exit code 0 when the new batch is applied, 1 when it failed or the request was refused (no such
    batch, nothing to re-process, its kept upload missing, unknown profile).
    """
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            batch = intake.reprocess_batch(
                session, runtime.settings, batch_id=batch_id, profile_name=profile, principal=None
            )
            new_id = batch.id
        done = services.run_batch(runtime.settings, runtime.session_factory, batch_id=new_id, path=Path(""))
    except services.IngestError as exc:  # also BatchNotFoundError
        _refuse(exc, batch_id, as_json=as_json)
    finally:
        runtime.engine.dispose()
    _finish(done, as_json=as_json)


@ledger_app.command("stats")
def ledger_stats(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Rows and value (rupiah) by status: in total, per month and per acquirer."""
    from smartkotim.ledger import summarise_ledger

    runtime = open_runtime()
    stats = summarise_ledger(runtime.settings)
    if as_json:
        typer.echo(json.dumps(stats))
        return
    total = stats["total"]
    console.print(
        f"Ledger: {total['rows']:,} rows, Rp{total['value']:,}; quarantined {total['quarantined']:,}"
    )
    for title, key in (("status", "by_status"), ("month", "by_month"), ("acquirer", "by_acquirer")):
        table = Table(title=f"by {title}")
        rows = stats[key]
        if not rows:
            continue
        for column in rows[0]:
            table.add_column(column)
        for row in rows:
            table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()))
        console.print(table)


@ledger_app.command("reconcile")
def ledger_reconcile() -> None:
    """Apply rollups of committed batches, fail interrupted ones, recover ledger-only batches."""
    from smartkotim.economy.ingest.reconcile import reconcile

    runtime = open_runtime()
    report = reconcile(runtime.settings, runtime.session_factory)
    console.print(f"applied {report.applied}, failed {report.failed}, recovered {report.recovered}")


@ledger_app.command("rebuild-rollups")
def ledger_rebuild_rollups() -> None:
    """Recompute every rollup row from the whole ledger."""
    from smartkotim.economy.ingest.reconcile import rebuild_rollups

    runtime = open_runtime()
    console.print(f"{rebuild_rollups(runtime.settings, runtime.session_factory):,} rollup rows")


@profiles_app.command("list")
def profiles_list() -> None:
    """Built-in and stored report profiles."""
    runtime = open_runtime()
    with runtime.session_factory() as session:
        for entry in intake.list_profile_entries(session):
            console.print(f"{entry['name']}{' (bawaan)' if entry['builtin'] else ''}: {entry['description']}")


@profiles_app.command("add")
def profiles_add(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Profile TOML file."),
) -> None:
    """Store (or replace) a report profile from a TOML file."""
    runtime = open_runtime()
    with runtime.session_factory() as session:
        try:
            row = profile_services.add_profile(
                session, toml_text=file.read_text(encoding="utf-8"), principal=None
            )
        except services.IngestError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    console.print(f"[green]Profil {row.name} disimpan.[/green]")
