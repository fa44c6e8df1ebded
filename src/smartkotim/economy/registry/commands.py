"""``smartkotim markets …`` and ``smartkotim merchants …`` commands (thin: they call the services).

Exit codes: 0 all rows stored, 1 some rows rejected (the others stored), 2 the file was refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from smartkotim.economy.registry.market_services import import_markets
from smartkotim.economy.registry.merchant_import import import_merchants
from smartkotim.economy.registry.schemas import ImportReport
from smartkotim.economy.registry.tabular import ImportFileError
from smartkotim.runtime import open_runtime

app = typer.Typer(help="Smart Economy register: markets and merchants.", no_args_is_help=True)
markets_app = typer.Typer(help="Markets (pasar).", no_args_is_help=True)
merchants_app = typer.Typer(help="Merchants and traders (pedagang).", no_args_is_help=True)
app.add_typer(markets_app, name="markets")
app.add_typer(merchants_app, name="merchants")
console = Console()

FILE_ARG = typer.Argument(..., help="CSV or XLSX file.", exists=False)
JSON_OPT = typer.Option(False, "--json", help="Print the report as one JSON object.")


def _print(report: ImportReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False))
    else:
        console.print(
            f"{report.file}: {report.rows} baris — dibuat {report.created}, diperbarui {report.updated}, "
            f"tetap {report.unchanged}, belum terpetakan {report.unresolved}, ditolak {report.rejected}"
        )
        if report.blank_cells_kept:
            console.print(
                f"Sel kosong pada baris yang sudah ada: {report.blank_cells_kept} nilai tersimpan "
                "dipertahankan (impor tidak menghapus isian)."
            )
        if report.flagged_duplicates:
            console.print(f"Kemungkinan duplikat ditandai: {report.flagged_duplicates}")
        if report.errors:
            table = Table("Baris", "Kolom", "Nilai", "Aturan")
            for err in report.errors:
                table.add_row(str(err.row), err.column, err.value, err.rule)
            console.print(table)
    raise typer.Exit(1 if report.rejected else 0)


def _refused(exc: Exception, as_json: bool) -> NoReturn:
    if as_json:
        typer.echo(json.dumps({"error": str(exc)}, ensure_ascii=False))
    else:
        console.print(f"[red]{exc}[/red]")
    raise typer.Exit(2)


@markets_app.command("import")
def markets_import(file: Path = FILE_ARG, as_json: bool = JSON_OPT) -> None:
    """Import markets (upsert by code): columns code, name, kind, kios_count, los_count, managing_office,
    desa_code, lat, lon, market_days, opening_hours."""
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            report = import_markets(
                session, path=file, actor=None, regency_code=runtime.settings.regency_code
            )
    except ImportFileError as exc:
        _refused(exc, as_json)
    finally:
        runtime.engine.dispose()
    _print(report, as_json)


@merchants_app.command("import")
def merchants_import(file: Path = FILE_ARG, as_json: bool = JSON_OPT) -> None:
    """Import merchants: nmid, name, criteria, category, market_code, stall, desa_code, lat, lon,
    postal_code, address, acquirer, onboarded_on, accepts_cashless (name + one location required)."""
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            report = import_merchants(session, path=file, actor=None, settings=runtime.settings)
    except ImportFileError as exc:
        _refused(exc, as_json)
    finally:
        runtime.engine.dispose()
    _print(report, as_json)
