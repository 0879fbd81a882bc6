"""The main job on embedded defaults: simulate a city, import it, evaluate its weeks, show it."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from riderperf.config import Settings
from riderperf.evaluation.commands import print_card
from riderperf.evaluation.service import EvaluationResult, evaluate_period
from riderperf.ingest.report import ImportReport
from riderperf.ingest.service import import_path
from riderperf.metrics.periods import Period, parse_period
from riderperf.metrics.scorecard import Scorecard
from riderperf.warehouse.connection import open_warehouse
from riderperf.warehouse.summary import WarehouseSummary, summarise


@dataclass(frozen=True)
class DemoSettings:
    riders: int = 3000
    days: int = 28
    seed: int = 7
    start: date = date(2026, 1, 5)


@dataclass(frozen=True)
class DemoResult:
    city: Path
    report: ImportReport
    summary: WarehouseSummary
    simulate_seconds: float
    import_seconds: float
    weeks: list[EvaluationResult]
    evaluate_seconds: float


def run_demo(settings: Settings, demo: DemoSettings = DemoSettings()) -> DemoResult:
    from riderperf.simulate import simulate_city

    city = (settings.home / "demo" / f"city-{demo.riders}x{demo.days}-seed{demo.seed}").resolve()
    t0 = time.perf_counter()
    simulate_city(riders=demo.riders, days=demo.days, seed=demo.seed, start=demo.start, out=city)
    t1 = time.perf_counter()
    report = import_path(city, settings)
    t2 = time.perf_counter()
    with open_warehouse(settings.warehouse_path, read_only=True) as warehouse:
        summary = summarise(warehouse)
    weeks = [evaluate_period(settings, week) for week in iso_weeks(demo.start, demo.days)]
    t3 = time.perf_counter()
    return DemoResult(city, report, summary, t1 - t0, t2 - t1, weeks, t3 - t2)


def iso_weeks(start: date, days: int) -> list[Period]:
    """The whole ISO weeks inside the simulated days."""
    weeks: list[Period] = []
    day = start
    while day < start + timedelta(days=days):
        year, week, _ = day.isocalendar()
        period = parse_period(f"{year}-W{week:02d}")
        if period.start >= start and period.end <= start + timedelta(days=days):
            weeks.append(period)
        day += timedelta(days=7)
    return weeks


def print_demo(result: DemoResult, settings: Settings, console: Console) -> None:
    s = result.summary
    table = Table(title="riderperf demo: the warehouse after import")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("inserted now", justify="right")
    table.add_column("rejected now", justify="right")
    for name, n in s.rows.items():
        counts = result.report.tables.get(name)
        inserted = f"{counts.inserted:,}" if counts else "-"
        rejected = f"{counts.rejected + counts.conflicts:,}" if counts else "-"
        table.add_row(name, f"{n:,}", inserted, rejected)
    console.print(table)
    console.print(
        f"orders {s.first_order:%Y-%m-%d} to {s.last_order:%Y-%m-%d}: "
        f"{s.delivered:,} delivered, {s.cancelled:,} cancelled, "
        f"{s.late:,} delivered late ({s.late_share:.1%})"
    )
    capacity = ", ".join(f"{k} {v:,}" for k, v in sorted(s.riders_by_capacity.items()))
    console.print(f"riders by capacity type: {capacity}")
    weather = ", ".join(f"{k} {v:,}" for k, v in sorted(s.orders_by_weather.items()))
    console.print(f"orders by weather: {weather}")
    console.print(
        f"simulated in {result.simulate_seconds:.1f} s, imported in {result.import_seconds:.1f} s"
    )
    console.print(f"dataset:      {result.city} (planted truth in {result.city / 'truth'})")
    console.print(f"warehouse:    {settings.warehouse_path}")
    console.print(f"app database: {settings.app_database_url}")
    for path in result.report.rejects:
        console.print(f"rejects:      {path}")


TIERS = ("gold", "silver", "bronze", "watch")


def print_evaluations(result: DemoResult, console: Console) -> None:
    """Tier counts per week, the last week's score distribution, a few explained cards."""
    if not result.weeks:
        return
    table = Table(title="evaluated weeks (policy " + result.weeks[0].policy_version + ")")
    table.add_column("week", no_wrap=True, min_width=8)
    for col in ("judged", "riders", *TIERS, "new", "few"):
        table.add_column(col, justify="right", no_wrap=True)
    for week in result.weeks:
        tiers = Counter(c.tier for c in week.cards)
        statuses = Counter(c.status for c in week.cards)
        table.add_row(
            week.period.label,
            f"{week.judgments:,}",
            f"{len(week.cards):,}",
            *(f"{tiers.get(t, 0):,}" for t in TIERS),
            f"{statuses.get('new', 0):,}",
            f"{statuses.get('insufficient_data', 0):,}",
        )
    console.print(table)
    last = result.weeks[-1]
    scores = [c.score for c in last.cards if c.score == c.score]
    console.print(f"score distribution, {last.period.label} ({len(scores):,} riders scored):")
    bins = Counter(min(int(s // 100), 9) for s in scores)
    widest = max(bins.values(), default=1)
    for b in range(10):
        bar = "█" * round(40 * bins.get(b, 0) / widest)
        console.print(
            f"  {b * 100:>4}–{b * 100 + 99 if b < 9 else 1000:<4} {bar} {bins.get(b, 0):,}"
        )
    for card in _examples(last):
        console.print()
        print_card(card, console)
    console.print(f"evaluated {len(result.weeks)} weeks in {result.evaluate_seconds:.1f} s")


def _examples(week: EvaluationResult) -> list[Scorecard]:
    """The best, a middle and the weakest ranked rider, and one new rider."""
    ranked = sorted(
        (c for c in week.cards if c.status == "ranked" and c.score == c.score),
        key=lambda c: c.score,
    )
    picks = [ranked[-1], ranked[len(ranked) // 2], ranked[0]] if ranked else []
    new = [c for c in week.cards if c.status == "new"]
    return picks + new[:1]
