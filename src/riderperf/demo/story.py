"""Runs the demo's story in the order its timeline dates it, on the demo's one clock.

Simulate and import the city; evaluate its weeks up to the one before the last; on the
last week's Monday decide the week before it, approve, plan and carry out the week's
inspections and decide three appeals; on this week's Monday evaluate and decide the last
week, plan this week's inspections, and write the weekly and monthly reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from riderperf.audit.verify import ChainReport, verify_chain
from riderperf.clock import fixed_clock
from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.demo.appeals import AppealStory, appeal_penalties
from riderperf.demo.city import DemoCity, DemoSettings, build_city
from riderperf.demo.city_tables import print_city, print_evaluations
from riderperf.demo.decisions import DecidedWeek, decide_and_review, ensure_staff
from riderperf.demo.inspections import InspectionAct, inspect_week, plan_current_week
from riderperf.demo.progress import Phases
from riderperf.demo.reports import write_reports
from riderperf.demo.story_tables import print_appeals, print_decisions, print_inspections
from riderperf.demo.timeline import MIN_DAYS, Timeline
from riderperf.evaluation.service import EvaluationResult, evaluate_period
from riderperf.storage.db import make_engine


class DemoTooShort(ValueError):
    """The story needs two whole weeks of city."""


@dataclass
class DemoStory:
    timeline: Timeline
    city: DemoCity
    weeks: list[EvaluationResult]
    decided: list[DecidedWeek]
    appeals: list[AppealStory]
    inspections: InspectionAct | None
    current_plan: dict[str, Any]
    reports: list[Path]
    audit: ChainReport | None

    @property
    def portal_rider(self) -> str | None:
        """The rider whose appeal was overturned: the rider of the demo's portal login."""
        return self.appeals[0].rider_id if self.appeals else None


def run_story(settings: Settings, demo: DemoSettings, now: datetime, console: Console) -> DemoStory:
    """The whole story up to serving, printed as it goes; `now` is the demo's clock."""
    if demo.days < MIN_DAYS:
        raise DemoTooShort(f"--days {demo.days}: the demo needs at least {MIN_DAYS} days")
    timeline = Timeline(now, demo.days)
    phases = Phases(console)
    console.print(
        f"the demo's clock: {now:%A %Y-%m-%d %H:%M} UTC; the city runs from "
        f"{timeline.city_start} to {timeline.last_week.last_day}"
    )
    city = build_city(settings, demo, timeline, phases)
    print_city(city, settings, console)
    story = DemoStory(timeline, city, [], [], [], None, {}, [], None)
    if city.report.exit_code:
        return story
    story.weeks = evaluate(settings, timeline.weeks[:-1], timeline, phases)
    ensure_staff(settings, timeline.at(timeline.city_start, 0))
    before, last = timeline.week_before, timeline.last_week
    story.decided.append(
        decide_and_review(
            settings, before, timeline.decide_before_at(), timeline.approve_before_at(), phases
        )
    )
    story.appeals = appeal_penalties(settings, before, timeline, phases)
    story.inspections = inspect_week(settings, city.path, last, timeline, phases)
    story.weeks += evaluate(settings, [last], timeline, phases)
    print_evaluations(story.weeks, console)
    story.decided.append(
        decide_and_review(
            settings, last, timeline.decide_last_at(), timeline.approve_last_at(), phases
        )
    )
    with phases.phase(f"plan this week's inspections ({timeline.current_week.label})"):
        story.current_plan = plan_current_week(settings, timeline)
    evaluate(settings, [timeline.month], timeline, phases)
    story.reports = write_reports(settings, [last, timeline.month], timeline.reported_at(), phases)
    with phases.phase("verify the audit chain"):
        story.audit = check_audit_chain(settings)
    console.print()
    print_decisions(story.decided, console)
    print_appeals(story.appeals, story.audit, console)
    print_inspections(story.inspections, story.current_plan, story.reports, console)
    return story


def evaluate(
    settings: Settings, periods: list[Period], timeline: Timeline, phases: Phases
) -> list[EvaluationResult]:
    """Each period evaluated at its own time on the timeline."""
    labels = ", ".join(p.label for p in periods)
    results = []
    with phases.phase(f"evaluate {labels}", total=len(periods)) as step:
        for period in periods:
            step(0, description=f"evaluate {period.label}")
            clock = fixed_clock(timeline.evaluated_at(period))
            results.append(evaluate_period(settings, period, clock=clock))
            step()
    return results


def check_audit_chain(settings: Settings) -> ChainReport:
    engine = make_engine(settings.app_database_url)
    try:
        return verify_chain(engine)
    finally:
        engine.dispose()
