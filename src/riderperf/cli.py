"""The `riderperf` command: set up the stores, import, simulate, convert, demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
convert_app = typer.Typer(no_args_is_help=True, help="Turn public datasets into the canonical format.")
app.add_typer(convert_app, name="convert")


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
    typer.echo(f"written to {summary.out}")


if __name__ == "__main__":
    app()
