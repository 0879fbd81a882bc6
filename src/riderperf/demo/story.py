"""Runs the demo's acts after the evaluation: decisions and appeals, inspections, reports."""

from __future__ import annotations

import time

from rich.console import Console

from riderperf.clock import system_clock
from riderperf.config import Settings
from riderperf.demo.appeals import print_workflow, run_workflow
from riderperf.demo.city import DemoResult
from riderperf.demo.inspections import print_inspections, run_inspections_and_reports
from riderperf.evaluation.service import evaluate_period
from riderperf.metrics.periods import parse_period


def run_demo_acts(settings: Settings, result: DemoResult, console: Console) -> str | None:
    """Decides the last two weeks and runs appeals, then plans and records inspections and
    writes the last week's and the first month's reports. Actions are stamped with the real
    time, so appeal windows and SLA clocks run from now, as they would for a real team.
    Returns the rider whose appeal was overturned (the demo rider of the portal)."""
    if not result.weeks:
        return None
    at = system_clock()
    t = time.perf_counter()
    workflow = run_workflow(settings, [w.period for w in result.weeks[-2:]], at)
    console.print()
    print_workflow(workflow, console)
    console.print(f"decided and appealed in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    first = result.weeks[0].period.start
    month = parse_period(f"{first.year}-{first.month:02d}")
    evaluate_period(settings, month)
    act = run_inspections_and_reports(settings, result.city, result.weeks[-1].period, month, at)
    console.print()
    print_inspections(act, console)
    console.print(f"inspected and reported in {time.perf_counter() - t:.1f} s")
    return workflow.appeals[0].rider_id if workflow.appeals else None
