"""CLI of inspection sampling: `riderperf inspections sampling-plan | plan | lot-results |
sampling-stats | resume-sampling`. The lead registers the functions on the `inspections`
group; the `--json` shapes are a contract."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from riderperf.clock import system_clock
from riderperf.common.periods import FORMS, Period, parse_period
from riderperf.config import load_settings
from riderperf.sampling.iso2859 import SamplingTableError, single_sampling_plan
from riderperf.sampling.results import record_lot_results, resume_sampling
from riderperf.sampling.service import plan_inspections
from riderperf.sampling.stats import plan_stats
from riderperf.storage.db import unit_of_work
from riderperf.stores import open_stores

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

PeriodOpt = Annotated[str, typer.Option("--period", help=FORMS)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {message}")
    return typer.Exit(1)


def sampling_plan_command(
    lot_size: Annotated[int, typer.Option("--lot-size", help="Units in the lot (riders).")],
    aql: Annotated[float, typer.Option("--aql", help="AQL, one of the standard's values.")],
    level: Annotated[
        str, typer.Option("--level", help="Inspection level: I, II, III or S-1 to S-4.")
    ] = "II",
    severity: Annotated[
        str, typer.Option("--severity", help="normal, tightened or reduced.")
    ] = "normal",
    as_json: JsonOpt = False,
) -> None:
    """The ISO 2859-1 single sampling plan for a lot: code letter, sample size, Ac, Re."""
    try:
        plan = single_sampling_plan(lot_size, level, aql, severity)
    except SamplingTableError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(plan.as_dict()))
        return
    whole = " (the whole lot: 100 % inspection)" if plan.inspect_all else ""
    out.print(
        f"code letter {plan.code_letter}: inspect {plan.sample_size}{whole}; accept with "
        f"{plan.accept} or fewer nonconforming, reject with {plan.reject} or more"
    )


def plan_command(
    period: PeriodOpt,
    zone: Annotated[str | None, typer.Option("--zone", help="Plan one zone only.")] = None,
    budget: Annotated[
        int | None, typer.Option("--budget", help="Most inspections the period can take.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed that reproduces the draw (default: random).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan the period's inspections: each zone's lot, its plan, the riders drawn by risk."""
    chosen = _period(period)
    drawn_seed = seed if seed is not None else secrets.randbelow(2**31)
    try:
        with open_stores(load_settings()) as stores, unit_of_work(stores.engine) as session:
            plan = plan_inspections(
                session,
                stores.warehouse,
                chosen,
                zone=zone,
                budget=budget,
                seed=drawn_seed,
                at=system_clock(),
            )
    except (ValueError, LookupError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(plan.as_dict(), indent=2))
        return
    for warning in plan.warnings:
        err.print(f"[yellow]warning:[/] {warning}")
    table = Table("zone", "riders", "severity", "letter", "standard n", "drawn", "Ac", "Re")
    for lot in plan.lots:
        table.add_row(
            lot.zone_id,
            f"{lot.lot_size:,}",
            lot.severity,
            lot.code_letter,
            str(lot.standard_sample_size),
            str(len(lot.selected)),
            str(lot.accept),
            str(lot.reject),
        )
    out.print(table)
    out.print(
        f"plan {plan.plan_id} for {plan.period}: {plan.sample_size:,} of {plan.frame_size:,} "
        f"riders drawn (seed {plan.seed}, policy {plan.policy_version})"
    )


def lot_results_command(period: PeriodOpt, as_json: JsonOpt = False) -> None:
    """Judge the period's zone lots from the inspections recorded so far."""
    chosen = _period(period)
    try:
        with open_stores(load_settings()) as stores, unit_of_work(stores.engine) as session:
            decisions = record_lot_results(session, chosen, system_clock())
    except (ValueError, LookupError) as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps([d.as_dict() for d in decisions], indent=2))
        return
    table = Table("zone", "status", "inspected", "nonconforming", "Ac", "Re", "severity now")
    for d in decisions:
        table.add_row(
            d.zone_id,
            d.status,
            f"{d.inspected}/{d.sample_size}",
            f"{d.nonconforming} (weighted {d.weighted_nonconforming:.1f})",
            str(d.accept),
            str(d.reject),
            d.severity_after + (f" — {d.change}" if d.change else ""),
        )
    out.print(table)


def sampling_stats_command(period: PeriodOpt, as_json: JsonOpt = False) -> None:
    """Plans, lots and fleet-wide compliance estimates (95 % intervals) of a period."""
    chosen = _period(period)
    with open_stores(load_settings()) as stores, unit_of_work(stores.engine) as session:
        stats = plan_stats(session, chosen.label)
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    sizes = stats["sample_sizes"]
    out.print(
        f"{chosen.label}: {len(stats['lots'])} lots, {sizes['frame']:,} riders, "
        f"{sizes['planned']:,} drawn (standard {sizes['standard']:,}), "
        f"{sizes['inspected']:,} inspected"
    )
    compliance: dict[str, Any] | None = stats["estimates"].get("compliance")
    if compliance and compliance["value"] is not None:
        out.print(
            f"fleet compliance {compliance['value']:.1%} "
            f"(95 % interval {compliance['lower']:.1%} to {compliance['upper']:.1%})"
        )
    elif "note" in stats:
        out.print(stats["note"])


def resume_sampling_command(
    zone: Annotated[str, typer.Option("--zone", help="The zone whose inspection resumes.")],
    by: Annotated[str, typer.Option("--by", help="User (ops_manager or admin) resuming.")],
) -> None:
    """Resume a zone's discontinued acceptance inspection after corrective action (§9.4)."""
    try:
        with open_stores(load_settings()) as stores, unit_of_work(stores.engine) as session:
            severity = resume_sampling(session, zone, by=by, at=system_clock())
    except (ValueError, LookupError) as exc:
        raise fail(str(exc)) from exc
    out.print(f"zone {zone}: inspection resumes on {severity} inspection")


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise fail(str(exc)) from exc


sampling_app = typer.Typer(no_args_is_help=True, help="Inspection sampling (ISO 2859-1).")
sampling_app.command("sampling-plan")(sampling_plan_command)
sampling_app.command("plan")(plan_command)
sampling_app.command("lot-results")(lot_results_command)
sampling_app.command("sampling-stats")(sampling_stats_command)
sampling_app.command("resume-sampling")(resume_sampling_command)


# The commands the `riderperf inspections` group carries, by name.
COMMANDS: dict[str, Callable[..., None]] = {
    "sampling-plan": sampling_plan_command,
    "plan": plan_command,
    "lot-results": lot_results_command,
    "sampling-stats": sampling_stats_command,
    "resume-sampling": resume_sampling_command,
}
