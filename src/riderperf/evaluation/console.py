"""Prints a scorecard to a terminal: score, tier and why, every KPI with its counts, peer
level, weight and points, and what to improve (`riderperf scorecard`, the demo)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from riderperf.metrics.registry import get_kpi
from riderperf.metrics.scorecard import Scorecard


def print_card(card: Scorecard, console: Console) -> None:
    score = "no score" if card.score != card.score else f"{card.score:.0f} / 1000"
    console.print(
        f"[bold]{card.rider_id}[/] · {card.period} · {card.capacity_type} · {score} · "
        f"tier {card.tier or '-'} ({card.status}) · policy {card.policy_version}"
    )
    console.print(card.tier_reason)
    table = Table("KPI", "value", "count", "peer", "used", "weight", "points")
    for kpi in card.kpis.values():
        table.add_row(
            kpi.name,
            _fmt(kpi.rate),
            _count(kpi.name, kpi.num, kpi.den),
            _fmt(kpi.peer_rate),
            _fmt(kpi.shrunk),
            f"{kpi.weight:.2f}",
            f"{kpi.contribution:.1f}",
        )
    console.print(table)
    for improvement in card.improvements:
        console.print(f"• {improvement.sentence}")


def _count(name: str, num: float, den: float) -> str:
    """`73 / 76` for a rate; `17 ratings` for a mean, whose numerator is a sum of stars."""
    kpi = get_kpi(name)
    if kpi.unit == "stars":
        return f"{den:g} {kpi.grain}s"
    return f"{num:g} / {den:g}"


def _fmt(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"
