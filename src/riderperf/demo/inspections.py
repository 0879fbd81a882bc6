"""The demo's third act: a weekly inspection plan carried out on the street, its estimates,
and the weekly and monthly supervision reports as HTML and PDF."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from riderperf.config import Settings
from riderperf.inspections import ensure_default_template, record_inspection
from riderperf.inspections.sampling import plan_inspections, plan_stats, record_lot_results
from riderperf.metrics.periods import Period, parse_period
from riderperf.reports.data import gather_report
from riderperf.reports.render import write_report
from riderperf.storage.db import unit_of_work
from riderperf.stores import open_stores

# Answers of the bundled checklist that pass, and what a failure of each looks like.
PASSING: dict[str, Any] = {
    "helmet": "worn_fastened",
    "reflective_gear": True,
    "box_condition": "intact",
    "box_hygiene": True,
    "uniform": True,
    "id_and_licence": "valid",
    "brakes": True,
    "lights": True,
    "tyre_tread_mm": 2.4,
    "service_script": "followed",
    "safe_riding": "safe",
}
FAILING: dict[str, Any] = {
    "helmet": "carried_not_worn",
    "reflective_gear": False,
    "box_condition": "closure_broken",
    "box_hygiene": False,
    "uniform": False,
    "id_and_licence": "expired",
    "brakes": False,
    "lights": False,
    "tyre_tread_mm": 0.6,
    "service_script": "not_followed",
    "safe_riding": "minor_breach",
}
GEAR = ("helmet", "reflective_gear", "box_condition", "box_hygiene")
GEAR_FAILURE, OTHER_FAILURE = 0.6, 0.01  # per gear item, per any item


@dataclass
class InspectionAct:
    plan: dict[str, Any]
    inspected: int
    nonconforming: int
    planted_found: int
    planted_in_fleet: int
    estimates: dict[str, Any]
    reports: list[Path]


def run_inspections_and_reports(
    settings: Settings, city: Path, week: Period, month: Period, at: datetime
) -> InspectionAct:
    """Plans the week after `week`, inspects every drawn rider (answers follow the planted
    archetypes: gear neglecters fail gear items often, others rarely), decides the lots,
    estimates fleet compliance, then writes the reports of `week` and `month`."""
    archetypes = _archetypes(city)
    year, number, _ = week.end.isocalendar()
    coming = parse_period(f"{year}-W{number:02d}")
    rng = random.Random(7)
    with open_stores(settings) as stores:
        with unit_of_work(stores.engine) as session:
            ensure_default_template(session, at)
            plan = plan_inspections(session, stores.warehouse, coming.label, seed=7, at=at)
        drawn = [r.rider_id for lot in plan.lots for r in lot.selected]
        nonconforming = found = 0
        with unit_of_work(stores.engine) as session:
            for n, rider in enumerate(drawn):
                neglects = archetypes.get(rider) == "gear_neglecting"
                answers = _answers(rng, neglects)
                failed = any(answers[k] == FAILING[k] for k in answers)
                nonconforming += failed
                found += neglects
                when = datetime.combine(coming.start + timedelta(days=n % 5), time(10), at.tzinfo)
                record_inspection(
                    session,
                    rider_id=rider,
                    inspector="inspector.demo",
                    at=when + timedelta(minutes=7 * (n // 5)),
                    results=answers,
                    place="demo city, street check",
                )
            record_lot_results(session, coming.label, at + timedelta(days=7))
            estimates = plan_stats(session, coming.label)
        reports = []
        for period in (week, month):
            data = gather_report(stores, period, at=at)
            for form in ("html", "pdf"):
                out = settings.home / "reports" / f"supervision-{period.label}.{form}"
                write_report(data, form, out)
                reports.append(out)
    planted = sum(1 for a in archetypes.values() if a == "gear_neglecting")
    return InspectionAct(
        plan.as_dict(), len(drawn), nonconforming, found, planted, estimates, reports
    )


def _answers(rng: random.Random, neglects: bool) -> dict[str, Any]:
    answers = {}
    for item, good in PASSING.items():
        chance = GEAR_FAILURE if neglects and item in GEAR else OTHER_FAILURE
        answers[item] = FAILING[item] if rng.random() < chance else good
    return answers


def _archetypes(city: Path) -> dict[str, str]:
    with (city / "truth" / "riders.csv").open(newline="") as f:
        return {row["rider_id"]: row["archetype"] for row in csv.DictReader(f)}


def print_inspections(act: InspectionAct, console: Console) -> None:
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
    for path in act.reports:
        console.print(f"report:       {path}")
