"""CLI of reports: `riderperf report --period P --format html|pdf|json --out FILE`.

`report_command` is a plain typer-annotated function; `cli.py` registers it as `report`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console

from riderperf.clock import system_clock
from riderperf.common.periods import FORMS, parse_period
from riderperf.config import load_settings
from riderperf.reports.model import DEFAULT_TREND_PERIODS, FORMATS, SCOPES, ReportFormat, Scope

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {message}")
    return typer.Exit(1)


def report_command(
    period: Annotated[str, typer.Option("--period", help=f"The period: {FORMS}.")],
    output: Annotated[Path, typer.Option("--out", help="File to write the report to.")],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or json.")] = "html",
    scope: Annotated[
        str, typer.Option("--scope", help="Break the tables down by city, zone or fleet.")
    ] = "city",
    scope_id: Annotated[
        str | None,
        typer.Option("--scope-id", help="Keep only the riders of this city, zone or fleet."),
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="Policy version (default: newest evaluation)")
    ] = None,
    trend_periods: Annotated[
        int,
        typer.Option("--trend-periods", min=2, max=104, help="Periods shown in the trends."),
    ] = DEFAULT_TREND_PERIODS,
) -> None:
    """Write the supervision report of an evaluated ISO week, month or quarter."""
    form = fmt.lower()
    if form not in FORMATS:
        raise fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if scope not in SCOPES:
        raise fail(f"--scope {scope!r}: choose one of {', '.join(SCOPES)}")
    try:
        chosen = parse_period(period)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    # Imported here: pandas, Ibis, matplotlib and Jinja cost seconds that every other
    # riderperf command would pay at start-up if `cli.py` imported them with this module.
    from riderperf.reports.data import ReportError, gather_report
    from riderperf.reports.render import write_report
    from riderperf.stores import open_stores
    from riderperf.warehouse.connection import WarehouseError

    started = time.perf_counter()
    try:
        with open_stores(load_settings()) as stores:
            data = gather_report(
                stores,
                chosen,
                at=system_clock(),
                scope=cast(Scope, scope),
                scope_id=scope_id,
                policy_version=policy,
                trend_periods=trend_periods,
            )
    except (ReportError, WarehouseError) as exc:
        raise fail(str(exc)) from exc
    try:
        write_report(data, cast(ReportFormat, form), output)
    except OSError as exc:
        raise fail(f"{output}: cannot write the report ({exc.strerror or exc})") from exc
    seconds = time.perf_counter() - started
    out.print(
        f"{form} report of {chosen.label} ({data.meta.scope_label}, "
        f"{data.headline.riders:,} riders) written to {output} in {seconds:.1f} s"
    )
