"""The `riderperf` command: set up the stores, import, simulate, convert, demo."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from riderperf.cli import evaluation as evaluation_commands
from riderperf.cli import sampling as sampling_commands
from riderperf.cli.appeals import appeals_app
from riderperf.cli.audit import audit_app
from riderperf.cli.corrective import notify_overdue_command
from riderperf.cli.decisions import decide_command, decisions_app
from riderperf.cli.inspections import corrective_app, inspections_app
from riderperf.cli.notices import notices_command
from riderperf.cli.policy import policy_app
from riderperf.cli.reports import report_command
from riderperf.cli.serve import serve_command
from riderperf.cli.users import users_app
from riderperf.config import load_settings
from riderperf.ingest.report import EXIT_NOTHING_IMPORTED, ImportReport
from riderperf.warehouse.connection import WarehouseError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
app.add_typer(policy_app, name="policy")
app.command()(evaluation_commands.evaluate)
app.command()(evaluation_commands.scorecard)
app.add_typer(evaluation_commands.judgments_app, name="judgments")
app.add_typer(evaluation_commands.scorecards_app, name="scorecards")
app.add_typer(evaluation_commands.evaluations_app, name="evaluations")
convert_app = typer.Typer(
    no_args_is_help=True, help="Turn public datasets into the canonical format."
)
app.add_typer(convert_app, name="convert")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(inspections_app, name="inspections")
corrective_app.command("notify-overdue")(notify_overdue_command)
for _name, _command in sampling_commands.COMMANDS.items():
    inspections_app.command(_name)(_command)
app.command("decide")(decide_command)
app.add_typer(decisions_app, name="decisions")
app.add_typer(appeals_app, name="appeals")
app.command("notices")(notices_command)
app.command("serve")(serve_command)
app.command("report")(report_command)

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@app.command()
def init() -> None:
    """Create or upgrade both stores (app database and warehouse); safe to run twice."""
    from riderperf.stores import init_stores

    settings = load_settings()
    try:
        init_stores(settings)
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_NOTHING_IMPORTED) from exc
    out_console.print(f"app database: {settings.app_database_url}")
    out_console.print(f"warehouse:    {settings.warehouse_path}")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A dataset folder, or one canonical file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import canonical event files (CSV, Parquet, JSON Lines) into the warehouse.

    Exit status: 0 all rows inserted or exact duplicates; 3 some rows rejected or in
    conflict (the rest imported, rejects written); 1 nothing could be imported.
    """
    from riderperf.ingest.service import import_path

    settings = load_settings()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=as_json or not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("import", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        try:
            report = import_path(path, settings, progress=progress)
        except WarehouseError as exc:
            err_console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(EXIT_NOTHING_IMPORTED) from exc
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        print_report(report)
    raise typer.Exit(report.exit_code)


def print_report(report: ImportReport) -> None:
    table = Table(title=f"import {report.import_id}")
    for col in ("table", "read", "inserted", "duplicates", "conflicts", "rejected"):
        table.add_column(col, justify="left" if col == "table" else "right")
    for name, c in report.tables.items():
        row = (c.read, c.inserted, c.duplicates, c.conflicts, c.rejected)
        table.add_row(name, *(f"{n:,}" for n in row))
    if report.tables:
        out_console.print(table)
    for name, fields in report.errors_by_field.items():
        listed = ", ".join(f"{f} ({n:,})" for f, n in fields.items())
        out_console.print(f"[yellow]{name}[/]: rejected rows by field: {listed}")
    for path in report.rejects:
        out_console.print(f"rejects written to {path}")
    for source, cols in report.unknown_columns.items():
        out_console.print(f"{source}: unknown columns kept aside: {', '.join(cols)}")
    for ignored in report.ignored_files:
        out_console.print(f"[dim]ignored (not a canonical table): {ignored}[/]")
    for error in report.file_errors:
        err_console.print(f"[red]error:[/] {error.message}")


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Folder to write the dataset and truth/ into.")],
    riders: Annotated[int, typer.Option(min=1, help="Riders at the start of the period.")] = 1000,
    days: Annotated[int, typer.Option(min=1, help="Days to simulate.")] = 28,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same output.")] = 0,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")] = "2026-01-05",
    fmt: Annotated[str, typer.Option("--format", help="parquet, csv or jsonl.")] = "parquet",
) -> None:
    """Write a synthetic city: a canonical dataset plus its planted truth."""
    from riderperf.simulate import simulate_city

    summary = simulate_city(
        riders=riders, days=days, seed=seed, start=date.fromisoformat(start), out=out, fmt=fmt
    )
    for table, n in summary.rows.items():
        typer.echo(f"{table:<12} {n:>12,}")
    typer.echo(f"written to {summary.out}")


@convert_app.command("sendy")
def convert_sendy_command(
    src: Annotated[Path, typer.Argument(help="Folder with Train.csv, Test.csv and Riders.csv.")],
    out: Annotated[Path, typer.Option(help="Folder to write the canonical dataset into.")],
) -> None:
    """Convert the Sendy Nairobi 2019 data into the canonical format."""
    from riderperf.ingest.sendy import convert_sendy

    summary = convert_sendy(src, out)
    for table, n in summary.rows.items():
        typer.echo(f"{table:<12} {n:>12,}")
    typer.echo(f"Train.csv rows read: {summary.source_rows:,}")
    for reason, n in summary.set_aside.items():
        typer.echo(f"set aside ({reason}): {n:,}")
    for rule, n in summary.invalid.items():
        typer.echo(
            f"written but breaking a canonical rule ({rule}): {n:,}; the importer rejects them"
        )
    typer.echo(f"Test.csv rows not converted (no delivery time): {summary.test_rows_omitted:,}")
    typer.echo(f"written to {summary.out} (assumptions: docs/sendy.md)")


@app.command()
def demo(
    riders: Annotated[int, typer.Option(min=1, help="Riders in the simulated city.")] = 3000,
    days: Annotated[
        int, typer.Option(min=14, help="Days to simulate, ending the Sunday before this week.")
    ] = 28,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="End by serving the dashboard.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Simulate a city up to last Sunday, import, evaluate, decide, appeal, inspect, report —
    then serve the dashboard and the rider portal with demo logins."""
    from riderperf.clock import system_clock
    from riderperf.demo.city import DemoHomeInUse, DemoSettings
    from riderperf.demo.serve import ensure_demo_logins, print_logins, serve_demo
    from riderperf.demo.story import run_story

    settings, now = load_settings(), system_clock()
    try:
        story = run_story(settings, DemoSettings(riders, days, seed), now, out_console)
    except (WarehouseError, DemoHomeInUse) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_NOTHING_IMPORTED) from exc
    if story.city.report.exit_code:
        raise typer.Exit(story.city.report.exit_code)
    logins = ensure_demo_logins(settings, story.portal_rider, story.timeline.reported_at())
    out_console.print()
    print_logins(logins, f"http://{host}:{port}/", out_console)
    if serve:
        serve_demo(settings, host, port, system_clock)


if __name__ == "__main__":
    app()
