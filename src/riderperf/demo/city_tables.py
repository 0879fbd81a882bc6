"""Prints what the demo city holds after import and how its weeks were evaluated."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from riderperf.config import Settings
from riderperf.demo.city import DemoCity
from riderperf.evaluation.console import print_card
from riderperf.evaluation.service import EvaluationResult
from riderperf.metrics.scorecard import Scorecard


def print_city(city: DemoCity, settings: Settings, console: Console) -> None:
    s = city.summary
    table = Table(title="riderperf demo: the warehouse after import")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("inserted now", justify="right")
    table.add_column("rejected now", justify="right")
    for name, n in s.rows.items():
        counts = city.report.tables.get(name)
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
    console.print(f"dataset:      {city.path} (planted truth in {city.path / 'truth'})")
    console.print(f"warehouse:    {settings.warehouse_path}")
    console.print(f"app database: {settings.app_database_url}")
    for path in city.report.rejects:
        console.print(f"rejects:      {path}")


TIERS = ("gold", "silver", "bronze", "watch")


def print_evaluations(weeks: list[EvaluationResult], console: Console) -> None:
    """Tier counts per week, the last week's score distribution, a few explained cards."""
    if not weeks:
        return
    table = Table(title="evaluated weeks (policy " + weeks[0].policy_version + ")")
    table.add_column("week", no_wrap=True, min_width=8)
    for col in ("judged", "riders", *TIERS, "new", "few"):
        table.add_column(col, justify="right", no_wrap=True)
    for week in weeks:
        tiers = Counter(week.table.column("tier").to_pylist())
        statuses = Counter(week.table.column("status").to_pylist())
        table.add_row(
            week.period.label,
            f"{week.judgments:,}",
            f"{week.riders:,}",
            *(f"{tiers.get(t, 0):,}" for t in TIERS),
            f"{statuses.get('new', 0):,}",
            f"{statuses.get('insufficient_data', 0):,}",
        )
    console.print(table)
    last = weeks[-1]
    scores = [s for s in last.table.column("score").to_pylist() if s == s]
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


def _examples(week: EvaluationResult) -> list[Scorecard]:
    """The best, a middle and the weakest ranked rider, and one new rider."""
    ranked = sorted(
        (c for c in week.cards if c.status == "ranked" and c.score == c.score),
        key=lambda c: c.score,
    )
    picks = [ranked[-1], ranked[len(ranked) // 2], ranked[0]] if ranked else []
    new = [c for c in week.cards if c.status == "new"]
    return picks + new[:1]
