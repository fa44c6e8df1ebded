"""``smartkotim regions …`` commands: import boundary files and print the match report."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from smartkotim.accounts.audit import Actor
from smartkotim.regions import services
from smartkotim.regions.errors import BoundaryImportError, UnknownRegencyError
from smartkotim.regions.models import RegionLevel
from smartkotim.runtime import open_runtime

app = typer.Typer(help="Region register and boundaries.", no_args_is_help=True)
console = Console()


def _cli_actor() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Actor(label=f"cli:{user}")


@app.callback()
def regions() -> None:
    """Region register (Kemendagri) and official boundaries."""


def _summary_table(report: dict[str, Any]) -> Table:
    table = Table(title=f"Impor batas wilayah: {report.get('file')}", show_header=False)
    rows = [
        ("Level", f"{report.get('level')}" + (" (detected)" if report.get("level_detected") else "")),
        ("CRS", str(report.get("source_crs"))),
        ("Fields", f"code={report.get('code_field')} name={report.get('name_field')}"),
        ("Code system", str(report.get("code_system"))),
        ("Features", str(report.get("feature_count"))),
        ("Matched", f"{len(report.get('matched', []))} of {report.get('register_count')} in the register"),
        ("Unmatched features", str(len(report.get("unmatched_features", [])))),
        ("Unmatched register entries", str(len(report.get("unmatched_register", [])))),
        ("Ambiguous", str(len(report.get("ambiguous", [])))),
        ("Duplicates", str(len(report.get("duplicates", [])))),
        ("Repaired geometries", str(len(report.get("repaired", [])))),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


def _rows_table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def print_report(report: dict[str, Any]) -> None:
    """Print a match report as rich tables (summary, then one table per non-empty list)."""
    console.print(_summary_table(report))
    sections = [
        ("Matched", ["#", "source code", "source name", "code", "name", "method", "score"], "matched",
         ["feature", "source_code", "source_name", "code", "name", "method", "score"]),
        ("Unmatched features", ["#", "source code", "source name", "reason"], "unmatched_features",
         ["feature", "source_code", "source_name", "reason"]),
        ("Ambiguous / low confidence", ["#", "source name", "reason", "candidates"], "ambiguous",
         ["feature", "source_name", "reason", "candidates"]),
        ("Duplicates", ["features", "code", "name", "kept feature"], "duplicates",
         ["features", "code", "name", "matched_feature"]),
        ("Unmatched register entries", ["code", "name"], "unmatched_register", ["code", "name"]),
        ("Repaired geometries", ["#", "reason"], "repaired", ["feature", "reason"]),
    ]  # fmt: skip
    for title, headers, key, fields in sections:
        items = report.get(key) or []
        if items:
            rows = [[_cell(item.get(f)) for f in fields] for item in items]
            console.print(_rows_table(title, headers, rows))


def _cell(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(f"{c.get('name')} ({c.get('code')}, {c.get('score')})" for c in value)
    return value


@app.command("import-boundaries")
def import_boundaries(
    file: Path = typer.Argument(..., help="GeoJSON, GeoPackage (.gpkg) or zipped Shapefile (.zip)."),
    level: RegionLevel | None = typer.Option(
        None, "--level", help="kabupaten, kecamatan or desa (detected)."
    ),
    code_field: str | None = typer.Option(None, "--code-field", help="Field with Kemendagri/BPS codes."),
    name_field: str | None = typer.Option(None, "--name-field", help="Field with region names."),
    allow_partial: bool = typer.Option(False, "--allow-partial", help="Import even if some are unmatched."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import official boundaries as a new version; print the match report. Exit 1 when refused."""
    runtime = open_runtime()
    try:
        with runtime.session_factory() as session:
            result = services.import_boundaries(
                session,
                path=file,
                regency_code=runtime.settings.regency_code,
                level=level,
                code_field=code_field,
                name_field=name_field,
                allow_partial=allow_partial,
                by=_cli_actor(),
            )
    except (BoundaryImportError, UnknownRegencyError) as exc:
        _print_error(exc, as_json)
        raise typer.Exit(1) from exc
    finally:
        runtime.engine.dispose()
    if as_json:
        out = {"status": result.status, "import_id": result.import_id, "version": result.version}
        typer.echo(json.dumps({**out, "report": result.report}, ensure_ascii=False, indent=2))
        return
    print_report(result.report)
    verb = "unchanged (same file as the current version)" if result.status == "unchanged" else "imported"
    console.print(f"[green]Boundaries {verb}: import {result.import_id}, version {result.version}.[/green]")


def _print_error(exc: BoundaryImportError | UnknownRegencyError, as_json: bool) -> None:
    report = exc.report if isinstance(exc, BoundaryImportError) else None
    if as_json:
        data = exc.as_dict() if isinstance(exc, BoundaryImportError) else {"error": str(exc)}
        typer.echo(json.dumps({"status": "refused", **data, "report": report}, ensure_ascii=False, indent=2))
        return
    if report:
        print_report(report)
    console.print(f"[red]Refused: {exc}[/red]")
