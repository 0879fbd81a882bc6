"""Carries out the demo's inspections: the last week's plan inspected on the street with
answers that follow the planted archetypes, and this week's plan left for the inspector."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.demo.progress import Phases
from riderperf.demo.timeline import Timeline
from riderperf.inspections.records import record_inspection
from riderperf.inspections.templates import ensure_default_template
from riderperf.sampling.results import record_lot_results
from riderperf.sampling.service import plan_inspections
from riderperf.sampling.stats import plan_stats
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
SEED = 7


@dataclass
class InspectionAct:
    plan: dict[str, Any]
    inspected: int
    nonconforming: int
    planted_found: int
    planted_in_fleet: int
    estimates: dict[str, Any]


def inspect_week(
    settings: Settings, city: Path, week: Period, timeline: Timeline, phases: Phases
) -> InspectionAct:
    """Plans `week` on its Monday and inspects every drawn rider during the week (answers
    follow the planted archetypes: gear neglecters fail gear items often, others rarely),
    decides the lots, estimates fleet compliance."""
    archetypes = _archetypes(city)
    rng = random.Random(SEED)
    with open_stores(settings) as stores:
        with unit_of_work(stores.engine) as session:
            ensure_default_template(session, timeline.plan_last_week_at())
            plan = plan_inspections(
                session, stores.warehouse, week.label, seed=SEED, at=timeline.plan_last_week_at()
            )
        drawn = [r.rider_id for lot in plan.lots for r in lot.selected]
        nonconforming = found = 0
        label = f"inspector.demo inspects the {len(drawn)} riders drawn for {week.label}"
        with phases.phase(label, total=len(drawn)) as step, unit_of_work(stores.engine) as session:
            for n, rider in enumerate(drawn):
                neglects = archetypes.get(rider) == "gear_neglecting"
                answers = _answers(rng, neglects)
                nonconforming += any(answers[k] == FAILING[k] for k in answers)
                found += neglects
                record_inspection(
                    session,
                    rider_id=rider,
                    inspector="inspector.demo",
                    at=timeline.inspected_at(n),
                    results=answers,
                    place="demo city, street check",
                )
                step()
        with unit_of_work(stores.engine) as session:
            record_lot_results(session, week.label, timeline.lots_decided_at())
            estimates = plan_stats(session, week.label)
    planted = sum(1 for a in archetypes.values() if a == "gear_neglecting")
    return InspectionAct(plan.as_dict(), len(drawn), nonconforming, found, planted, estimates)


def plan_current_week(settings: Settings, timeline: Timeline) -> dict[str, Any]:
    """This week's plan, made on its Monday: the inspector's page lists it, still to do."""
    with open_stores(settings) as stores, unit_of_work(stores.engine) as session:
        plan = plan_inspections(
            session,
            stores.warehouse,
            timeline.current_week.label,
            seed=SEED,
            at=timeline.plan_current_week_at(),
        )
        return plan.as_dict()


def _answers(rng: random.Random, neglects: bool) -> dict[str, Any]:
    answers = {}
    for item, good in PASSING.items():
        chance = GEAR_FAILURE if neglects and item in GEAR else OTHER_FAILURE
        answers[item] = FAILING[item] if rng.random() < chance else good
    return answers


def _archetypes(city: Path) -> dict[str, str]:
    with (city / "truth" / "riders.csv").open(newline="") as f:
        return {row["rider_id"]: row["archetype"] for row in csv.DictReader(f)}
