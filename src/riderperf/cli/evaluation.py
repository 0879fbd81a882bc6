"""CLI of evaluations: `evaluate`, `scorecard`, `judgments export`, `scorecards export`.

The names and the `--json` shapes are a contract users script against.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from riderperf.clock import system_clock
from riderperf.common.periods import Period, parse_period
from riderperf.config import load_settings
from riderperf.evaluation.console import print_card
from riderperf.evaluation.orm import OFFICIAL, SCENARIO
from riderperf.evaluation.published import evaluation_for, evaluation_row, list_evaluations
from riderperf.evaluation.records import load_cards
from riderperf.evaluation.service import evaluate_period, rolling_window
from riderperf.responsibility.model import JUDGMENT_COLUMNS
from riderperf.storage.db import app_database, unit_of_work
from riderperf.stores import open_stores

if TYPE_CHECKING:
    import duckdb

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
judgments_app = typer.Typer(
    no_args_is_help=True, help="Judged events (late, cancelled, complaint)."
)
scorecards_app = typer.Typer(no_args_is_help=True, help="Published scorecards of a period.")
evaluations_app = typer.Typer(
    no_args_is_help=True, help="Evaluations: official (published) and scenario (what-if)."
)

PeriodOpt = Annotated[
    str | None,
    typer.Option("--period", help="2026-W45, 2026-11, 2026-Q4 or 2026-01-05..2026-02-01"),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="YYYY-MM-DD: the policy's rolling window before it")
]
PolicyOpt = Annotated[
    str | None, typer.Option("--policy", help="Policy version (default: in force)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {message}")
    return typer.Exit(1)


def choose_period(period: str | None, as_of: str | None, policy: str | None) -> Period:
    if (period is None) == (as_of is None):
        raise fail("give exactly one of --period and --as-of")
    try:
        if period is not None:
            return parse_period(period)
        day = _as_of_day(str(as_of))
        return rolling_window(load_settings(), day, policy, system_clock)
    except (ValueError, LookupError) as exc:
        raise fail(str(exc)) from exc


def _as_of_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--as-of {text!r}: {exc}; write YYYY-MM-DD") from None


PurposeOpt = Annotated[
    bool | None,
    typer.Option(
        "--official/--scenario",
        help="Publish the result (official), or keep it as a what-if (scenario). By default "
        "official, unless the period is published under another policy version.",
    ),
]


def evaluate(
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
    official: PurposeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Judge every event of a period, compute KPIs, scores and tiers, publish scorecards.

    Under another policy version than the period's published evaluation, the result is a
    scenario (what riders see, decisions and next period's tiers stay as they were) unless
    --official is given. With RIDERPERF_WAREHOUSE_URL=lakehouse:///path the judgments and
    KPI counts are computed on Spark over that folder's Parquet tables."""
    chosen = choose_period(period, as_of, policy)
    purpose = None if official is None else (OFFICIAL if official else SCENARIO)
    settings = load_settings()
    try:
        if settings.lakehouse is not None:
            from riderperf.workflows.spark_evaluate import evaluate_on_spark

            result = evaluate_on_spark(settings, chosen, policy_version=policy, purpose=purpose)
        else:
            result = evaluate_period(settings, chosen, policy_version=policy, purpose=purpose)
    except (LookupError, ValueError) as exc:
        raise fail(str(exc)) from exc
    summary = result.summary()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    if not result.riders:
        err.print(
            f"[yellow]warning:[/] no rider has data in {chosen.label}; "
            "is the period right and the data imported (`riderperf import`)?"
        )
    out.print(
        f"evaluated {chosen.label} ({chosen.start} to {chosen.last_day}) under policy "
        f"{result.policy_version}: {result.judgments:,} judgments, {result.riders:,} riders"
    )
    days = (chosen.end - chosen.start).days
    out.print(
        f"days judged again: {result.judged_days} of {days}; daily facts built again: "
        f"{result.built_days} of {days} (the others were current and kept)"
    )
    if result.purpose == OFFICIAL:
        out.print(f"official: published as what riders see for {chosen.label}")
    else:
        out.print(
            f"[yellow]scenario:[/] a what-if, not published; riders, decisions and the next "
            f"period's tiers still use the published evaluation of {chosen.label} "
            f"(`--official` publishes it instead)"
        )
    table = Table("tier", "riders")
    tiers: dict[str, int] = summary["tiers"]
    for tier, n in sorted(tiers.items()):
        table.add_row(str(tier), f"{n:,}")
    out.print(table)
    out.print(f"statuses: {summary['statuses']}")
    out.print(f"score quantiles: {summary['score_quantiles']}")
    out.print(
        f"evaluation {result.evaluation_id}; "
        f"see `riderperf scorecard RIDER --period {chosen.label}`"
    )


def _published(engine: Engine, period: Period, policy: str | None) -> tuple[str, str]:
    """The evaluation id and policy version of the published evaluation of `period` (with
    `policy`, of the newest evaluation under that version, a scenario perhaps)."""
    found = evaluation_for(engine, period.label, policy)
    if found is None:
        raise fail(
            f"{period.label} has not been evaluated; "
            f"run `riderperf evaluate --period {period.label}`"
        )
    return found.evaluation_id, found.policy_version


def scorecard(
    rider: Annotated[str, typer.Argument(help="rider_id")],
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A rider's KPIs with counts, score, contributions, tier and what to improve."""
    chosen = choose_period(period, as_of, policy)
    with open_stores(load_settings()) as stores:
        evaluation_id, _ = _published(stores.engine, chosen, policy)
        cards = load_cards(stores.engine, evaluation_id, rider)
    if not cards:
        raise fail(f"rider {rider} has no scorecard for {chosen.label}")
    card = cards[0]
    if as_json:
        typer.echo(json.dumps(card.as_dict(), indent=2))
        return
    print_card(card, out)


def _copy_query_to(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object], path: Path
) -> int:
    """Writes the query's rows to a CSV or Parquet file; returns how many."""
    fmt = _format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = str(path).replace("'", "''")
    header = ", HEADER true" if fmt == "csv" else ""
    row = con.execute(f"COPY ({sql}) TO '{target}' (FORMAT {fmt}{header})", params).fetchone()
    return int(row[0]) if row else 0


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise fail(f"{path}: the file must end in .csv or .parquet")
    return suffix[1:]


@judgments_app.command("export")
def judgments_export(
    output: Annotated[Path, typer.Option("--out", help="FILE.csv or FILE.parquet")],
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """One row per judged event of the period: party, minutes per party, rule, explanation."""
    _format_of(output)
    chosen = choose_period(period, as_of, policy)
    columns = ", ".join(name for name, _ in JUDGMENT_COLUMNS)
    sql = (
        f"SELECT {columns} FROM judgments WHERE policy_version = ? AND day >= ? AND day < ? "
        "ORDER BY occurred_at, event, event_id"
    )
    with open_stores(load_settings()) as stores:
        _, version = _published(stores.engine, chosen, policy)
        written = _copy_query_to(
            stores.warehouse.con, sql, [version, chosen.start, chosen.end], output
        )
    out.print(f"{written:,} judgments of {chosen.label} written to {output}")


@scorecards_app.command("export")
def scorecards_export(
    output: Annotated[Path, typer.Option("--out", help="FILE.csv or FILE.parquet")],
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """One row per rider: each KPI's value and counts, score, tier."""
    fmt = _format_of(output)
    chosen = choose_period(period, as_of, policy)
    with open_stores(load_settings()) as stores:
        evaluation_id, _ = _published(stores.engine, chosen, policy)
        # pandas is loaded by this command only, not by every `riderperf` command.
        from riderperf.metrics.evaluate import scorecards_frame

        frame = scorecards_frame(load_cards(stores.engine, evaluation_id))
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(output, index=False)
    else:
        frame.to_parquet(output, index=False)
    out.print(f"{len(frame):,} scorecards of {chosen.label} written to {output}")


@evaluations_app.command("list")
def evaluations_list(
    period: Annotated[str | None, typer.Option("--period", help="Only this period.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every evaluation with its policy version and purpose; the published one of each
    period is what riders see and what decisions use."""
    label = None
    if period is not None:
        try:
            label = parse_period(period).label
        except ValueError as exc:
            raise fail(str(exc)) from exc
    url = load_settings().app_database_url
    with app_database(url) as engine, unit_of_work(engine) as session:
        rows = [evaluation_row(e) for e in list_evaluations(session, label)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        out.print("No evaluation yet; run `riderperf evaluate --period P`.")
        return
    table = Table("period", "policy", "purpose", "published", "started", "riders", "evaluation")
    for row in rows:
        table.add_row(
            str(row["period"]),
            str(row["policy_version"]),
            str(row["purpose"]),
            "yes" if row["published"] else "",
            str(row["started_at"])[:19],
            f"{row['riders']:,}",
            str(row["evaluation_id"]),
        )
    out.print(table)
