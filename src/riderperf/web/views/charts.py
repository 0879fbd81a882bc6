"""Draws the pages' charts as inline SVG on the server: no script, no network, readable by a
screen reader through each chart's title and the table printed beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 380, 22, 6, 150


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown at the end of the bar
    css: str = ""  # a class naming the bar's colour (tier-gold, better, worse…)


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None) -> Markup:
    """Horizontal bars, one per row, scaled to `maximum` (the largest value by default)."""
    top = maximum if maximum is not None else max((b.value for b in bars), default=0.0)
    top = top if top > 0 else 1.0
    span = WIDTH - LABEL_WIDTH - 60
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = max(0.0, min(bar.value, top)) / top * span
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="bar {escape(bar.css)}" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{length:.1f}" height="{BAR_HEIGHT}" rx="3"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}">{escape(bar.text)}</text>'
        )
    return _svg(title, WIDTH, height, "".join(rows))


@dataclass(frozen=True)
class Point:
    label: str  # the x label (a period)
    value: float | None


def line_chart(title: str, points: Sequence[Point], *, low: float, high: float) -> Markup:
    """A line through the points, left to right, between `low` and `high` (a score 0–1000);
    a point without a value breaks the line."""
    height, pad_x, pad_y = 160, 34, 18
    inner_w, inner_h = WIDTH - 2 * pad_x, height - 2 * pad_y - 14
    step = inner_w / max(len(points) - 1, 1)
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return pad_y + inner_h - (min(max(value, low), high) - low) / span * inner_h

    parts = [
        f'<line class="axis" x1="{pad_x}" y1="{y_of(level):.1f}" x2="{WIDTH - pad_x}" '
        f'y2="{y_of(level):.1f}"/><text class="tick" x="{pad_x - 4}" y="{y_of(level) + 4:.1f}" '
        f'text-anchor="end">{level:g}</text>'
        for level in (low, (low + high) / 2, high)
    ]
    path: list[str] = []
    for index, point in enumerate(points):
        x = pad_x + index * step if len(points) > 1 else WIDTH / 2
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 4}" text-anchor="middle">'
            f"{escape(point.label)}</text>"
        )
        if point.value is None:
            path.append("")
            continue
        y = y_of(point.value)
        path.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="4"><title>'
            f"{escape(point.label)}: {point.value:.0f}</title></circle>"
        )
    for segment in " ".join(path).split("  "):
        if segment.strip():
            parts.insert(0, f'<polyline class="line" points="{segment.strip()}"/>')
    return _svg(title, WIDTH, height, "".join(parts))


def _svg(title: str, width: float, height: float, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )
