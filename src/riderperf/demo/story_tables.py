"""Prints the story's acts: the decisions of each week, the appeals, the inspections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from riderperf.audit.verify import ChainReport
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.demo.appeals import AppealStory
from riderperf.demo.decisions import DecidedWeek
from riderperf.demo.inspections import InspectionAct


def print_decisions(weeks: list[DecidedWeek], console: Console) -> None:
    kinds = sorted({k for week in weeks for k in week.by_kind})
    table = Table(title="decisions made by the policy (restrictions wait for a person)")
    table.add_column("decision")
    for week in weeks:
        table.add_column(week.week, justify="right")
    for kind in kinds:
        marker = " (needs approval)" if kind in RESTRICTING_KINDS else ""
        table.add_row(
            kind.replace("_", " ") + marker,
            *(f"{week.by_kind.get(kind, 0):,}" for week in weeks),
        )
    console.print(table)
    for week in weeks:
        console.print(
            f"{week.week}: ops.demo approved {len(week.approved)} proposed restriction(s) and "
            f"rejected {len(week.rejected)}, each with a reason"
        )


def print_appeals(appeals: list[AppealStory], audit: ChainReport, console: Console) -> None:
    table = Table(title="appeals of penalties, decided by reviewer.demo")
    for col in ("rider", "penalty", "outcome", "points before", "after", "score before → after"):
        table.add_column(col)
    for story in appeals:
        moves = ", ".join(
            f"{c['period']}: {c['old_score']:.0f} → {c['new_score']:.0f}"
            for c in story.score_change
            if c["old_score"] is not None and c["new_score"] is not None
        )
        table.add_row(
            story.rider_id,
            story.penalty.replace("_", " "),
            story.outcome,
            str(story.points_before),
            str(story.points_after),
            moves or "unchanged",
        )
    console.print(table)
    if appeals:
        console.print(f"the rider's notices: riderperf notices {appeals[0].rider_id}")
    verdict = "intact" if audit.ok else f"BROKEN: {audit.problem}"
    console.print(f"audit log: {audit.events:,} events, chain {verdict}")


def print_inspections(
    act: InspectionAct, current_plan: dict[str, Any], reports: list[Path], console: Console
) -> None:
    lots = act.plan.get("lots", [])
    table = Table(title=f"inspection plan {act.plan.get('period')} (ISO 2859-1, seed 7)")
    for col in ("zone", "riders", "severity", "code", "sample", "Ac", "Re"):
        table.add_column(col, justify="right" if col not in ("zone", "severity") else "left")
    for lot in lots:
        table.add_row(
            str(lot["zone_id"]),
            str(lot["lot_size"]),
            str(lot["severity"]),
            str(lot["code_letter"]),
            str(lot["sample_size"]),
            str(lot["accept"]),
            str(lot["reject"]),
        )
    console.print(table)
    console.print(
        f"inspected {act.inspected} riders drawn by risk: {act.nonconforming} nonconforming; "
        f"{act.planted_found} of the {act.planted_in_fleet} planted gear neglecters were drawn"
    )
    overall = act.estimates.get("estimates", {}).get("compliance") or {}
    if overall.get("value") is not None:
        console.print(
            f"estimated fleet compliance (weighted for the unequal draw): "
            f"{overall['value']:.1%} (95% CI {overall['lower']:.1%}–{overall['upper']:.1%})"
        )
    planned = sum(len(lot.get("selected", [])) for lot in current_plan.get("lots", []))
    console.print(
        f"this week's plan {current_plan.get('period')}: {planned} riders to inspect "
        "(the inspector's page lists them)"
    )
    for path in reports:
        console.print(f"report:       {path}")
