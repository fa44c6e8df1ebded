"""``smartkotim metrics``: print the metrics of a level and period; ``metrics recompute`` rebuilds them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from smartkotim.economy.metrics import readers
from smartkotim.economy.metrics.population import (
    PopulationImportError,
    RowError,
    import_adult_population,
)
from smartkotim.economy.metrics.readers import get_default_month
from smartkotim.economy.metrics.services import recompute_metrics
from smartkotim.economy.registry.tabular import ImportFileError
from smartkotim.lib.periods import PeriodError
from smartkotim.runtime import open_runtime

app = typer.Typer(help="Metrik non-tunai per wilayah dan periode.", invoke_without_command=True)
console = Console()


@app.callback()
def show(
    ctx: typer.Context,
    level: str = typer.Option("kecamatan", help="kabupaten, kecamatan, desa or market."),
    period: str | None = typer.Option(None, help="2026-10, 2026-W43, 2026Q4, 2026, L30D, L12M, YTD."),
    as_json: bool = typer.Option(False, "--json", help="Print the same JSON as GET /api/economy/metrics."),
) -> None:
    """Print every metric of every area of LEVEL in PERIOD (default: the newest month)."""
    if ctx.invoked_subcommand is not None:
        return
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            items = readers.list_area_metrics(
                session, runtime.settings, level=level, period_id=period or get_default_month(session)
            )
    except (PeriodError, readers.UnknownLevelError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        runtime.engine.dispose()
    if as_json:
        typer.echo(json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False))
        return
    table = Table(
        "code", "name", "traders", "active", "adoption %", "transactions", "value (Rp)", "index", "class"
    )
    for i in items:
        table.add_row(
            i.code,
            i.name,
            str(i.traders_known),
            str(i.merchants_active),
            "—" if i.adoption_rate is None else f"{i.adoption_rate:.1f}",
            str(i.transactions),
            f"{i.value:,}",
            "—" if i.index is None else f"{i.index:.1f}",
            i.area_class or "—",
        )
    console.print(table)


@app.command("recompute")
def recompute(
    as_of: str | None = typer.Option(
        None, help="Anchor day of L30D/L12M/YTD (YYYY-MM-DD; default today WIB)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Recompute the whole metrics store from the ledger and the register (one atomic swap)."""
    try:
        anchor = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        console.print(f"[red]--as-of {as_of!r}: bukan tanggal YYYY-MM-DD yang sah ({exc})[/red]")
        raise typer.Exit(2) from exc
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            result = recompute_metrics(session, runtime.settings, trigger="cli", as_of=anchor)
    finally:
        runtime.engine.dispose()
    payload = {
        "mode": result.mode,
        "periods": result.periods,
        "rows": result.rows,
        "first_day": str(result.first_day) if result.first_day else None,
        "last_day": str(result.last_day) if result.last_day else None,
        "seconds": round(result.seconds, 3),
    }
    if as_json:
        typer.echo(json.dumps(payload))
        return
    span = f"{payload['first_day']} s.d. {payload['last_day']}" if result.first_day else "tanpa data"
    typer.echo(
        f"Metrik dihitung ulang: {result.periods:,} periode, {result.rows:,} baris, data {span}, "
        f"{result.seconds:.1f} detik."
    )


@app.command("population")
def population(
    file: Path = typer.Argument(..., help="CSV or XLSX with columns code, adults [, name, year, source]."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import the adult population (Dukcapil) per desa, kecamatan or kabupaten. All or nothing: a bad
    row refuses the file (exit 2) and every bad cell is listed with its row, column, value and rule."""
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            result = import_adult_population(
                session, file, regency_code=runtime.settings.regency_code, actor_label="cli"
            )
    except ImportFileError as exc:
        _refused(str(exc), [], as_json)
        raise typer.Exit(2) from exc
    except PopulationImportError as exc:
        _refused(str(exc), exc.errors, as_json)
        raise typer.Exit(2) from exc
    finally:
        runtime.engine.dispose()
    if as_json:
        payload = {"file": result.file, "updated": result.updated, "unchanged": result.unchanged}
        typer.echo(json.dumps(payload))
        return
    typer.echo(
        f"Penduduk dewasa {result.file}: {len(result.updated)} wilayah diperbarui, "
        f"{len(result.unchanged)} tetap."
    )


def _refused(message: str, errors: list[RowError], as_json: bool) -> None:
    if as_json:
        rows = [{"row": e.row, "column": e.column, "value": e.value, "rule": e.rule} for e in errors]
        typer.echo(json.dumps({"status": "refused", "error": message, "errors": rows}, ensure_ascii=False))
        return
    console.print(f"[red]{message}[/red]")
    for e in errors:
        console.print(f"  baris {e.row}, kolom {e.column}, nilai {e.value!r}: {e.rule}")
