"""Decides how a report writes its numbers: KPI values in their unit, changes, counts, scores."""

from __future__ import annotations

from datetime import date
from typing import Any

DASH = "–"
PARTY_LABELS = {
    "rider": "rider",
    "merchant": "merchant",
    "force_majeure": "force majeure / weather",
    "customer": "customer",
    "platform": "platform",
    "none": "unexplained",
}


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _decimals(value: float) -> int:
    """Enough decimals for a small number to keep two significant digits (at most 3)."""
    size = abs(value)
    return 1 if size >= 1 or size == 0 else 2 if size >= 0.1 else 3


def kpi_value(value: float | None, unit: str) -> str:
    """A KPI value in its display unit: 93.4 %, 0.83 %, 4.62 ★, 1.23 per 100 orders."""
    if missing(value):
        return DASH
    assert value is not None
    if unit == "share":
        return f"{value * 100:.{_decimals(value * 100)}f} %"
    if unit == "stars":
        return f"{value:.2f} ★"
    return f"{value:.2f} {unit}"


def kpi_number(value: float | None, unit: str) -> str:
    """A KPI value without its unit word (for tables whose header names the unit)."""
    if unit == "share" or missing(value):
        return kpi_value(value, unit)
    return f"{value:.2f}"


def kpi_change(change: float | None, unit: str) -> str:
    """A KPI change: percentage points for shares, the unit's own numbers otherwise."""
    if missing(change):
        return DASH
    assert change is not None
    shown = change * 100 if unit == "share" else change
    text = f"{shown:+.{max(_decimals(shown), 2 if unit != 'share' else 1)}f}"
    if unit == "share":
        return f"{text} pp"
    return f"{text} ★" if unit == "stars" else text


def count(value: float | None) -> str:
    return DASH if missing(value) else f"{value:,.0f}"


def score(value: float | None) -> str:
    return DASH if missing(value) else f"{value:.0f}"


def share(value: float | None) -> str:
    return DASH if missing(value) else f"{(value or 0.0) * 100:.1f} %"


def minutes(value: float | None) -> str:
    return DASH if missing(value) else f"{value:,.0f} min"


def party(name: str) -> str:
    return PARTY_LABELS.get(name, name.replace("_", " "))


def figure_text(key: str, value: Any) -> str:
    """Any value of another package's stats dict as text (rates 0–1 as percentages)."""
    if missing(value):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if ("rate" in key or "share" in key) and 0.0 <= value <= 1.0:
            return f"{value * 100:.1f} %"
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "(" + ", ".join(figure_text(key, v) for v in value) + ")"
    return str(value)
