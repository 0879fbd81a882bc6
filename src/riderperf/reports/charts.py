"""Draws a report's charts with matplotlib: inline SVG for HTML, PNG data URIs for the PDF.

Figures are built with the object-oriented API (`matplotlib.figure.Figure`, Agg canvas),
never pyplot, so no global state or display is touched. A chart is drawn only when its
section has data; `chart_names(data)` says which ones a report carries.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from typing import Any, Literal

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from riderperf.reports import formatting as fmt
from riderperf.reports.model import NO_TIER, ReportData
from riderperf.responsibility.model import LATE_PARTIES

ChartFormat = Literal["svg", "png"]
WIDTH, HEIGHT = 7.0, 3.2  # inches: the text width of an A4 page at readable font sizes
PNG_DPI = 150
MAX_BARS = 30
THOUSANDS = StrMethodFormatter("{x:,.0f}")
BETTER, WORSE, NEUTRAL, MAIN = "#2e7d32", "#c62828", "#9e9e9e", "#1f5f8b"
PARTY_COLOURS = {
    "rider": "#c62828",
    "merchant": "#ef8f00",
    "force_majeure": "#5c6bc0",
    "customer": "#8d6e63",
    "platform": "#00897b",
}
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text: smaller, searchable, styled by the page
    "svg.hashsalt": "riderperf",  # stable element ids, so the same data gives the same SVG
}


def _figure(height: float = HEIGHT) -> Figure:
    return Figure(figsize=(WIDTH, height), layout="constrained")


def kpi_change(data: ReportData) -> Figure:
    kpis = [k for k in data.headline.kpis if k.change is not None and k.previous]
    fig = _figure(0.45 * len(kpis) + 1.2)
    ax = fig.add_subplot()
    relative = [100 * (k.change or 0.0) / abs(k.previous or 1.0) for k in kpis]
    colours = [NEUTRAL if k.better is None else BETTER if k.better else WORSE for k in kpis]
    ax.barh([k.label for k in kpis], relative, color=colours)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    for y, (k, x) in enumerate(zip(kpis, relative, strict=True)):
        ax.annotate(
            fmt.kpi_change(k.change, k.unit),
            (x, y),
            xytext=(4 if x >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if x >= 0 else "right",
            va="center",
            fontsize=8,
        )
    ax.margins(x=0.25)
    ax.set_xlabel(f"change against {data.headline.previous_period} (% of its value)")
    ax.set_title("KPI change (green: better, red: worse)")
    return fig


def score_histogram(data: ReportData) -> Figure:
    dist = data.scores
    fig = _figure()
    ax = fig.add_subplot()
    width = dist.bin_edges[1] - dist.bin_edges[0]
    ax.bar(dist.bin_edges[:-1], dist.counts, width=width * 0.92, align="edge", color=MAIN)
    top = max(dist.counts or [0]) or 1
    for tier, low in dist.thresholds:
        if low > 0:
            ax.axvline(low, color="black", linestyle="--", linewidth=0.8)
            ax.text(low + 5, top * 1.02, tier, fontsize=8, va="bottom")
    ax.set_ylim(0, top * 1.15)
    ax.set_xlim(dist.bin_edges[0], dist.bin_edges[-1])
    ax.set_xlabel("score (0–1000); dashed: tier thresholds")
    ax.set_ylabel("riders")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_title(f"Score distribution ({dist.scored:,} riders with a score)")
    return fig


def tier_movements(data: ReportData) -> Figure:
    tiers = data.tiers
    names = [t for t in tiers.movements if t in tiers.order] + [
        t for t in tiers.movements if t not in tiers.order
    ]
    matrix = [[tiers.movements[b].get(a, 0) for a in tiers.counts] for b in names]
    fig = _figure(0.45 * len(names) + 1.4)
    ax = fig.add_subplot()
    ax.imshow(matrix, cmap="Blues", aspect="auto")
    peak = max((max(row) for row in matrix), default=0) or 1
    for i, row in enumerate(matrix):
        for j, n in enumerate(row):
            colour = "white" if n > peak / 2 else "black"
            ax.text(j, i, f"{n:,}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(tiers.counts)), [_tier(t) for t in tiers.counts])
    ax.set_yticks(range(len(names)), [_tier(t) for t in names])
    ax.set_xlabel(f"tier in {data.meta.period}")
    ax.set_ylabel("previous tier")
    ax.set_title("Tier movements (riders)")
    return fig


def late_by_zone(data: ReportData) -> Figure:
    places = sorted(data.late.by_zone, key=lambda p: -sum(p.minutes.values()))[:MAX_BARS]
    places.sort(key=lambda p: p.place)
    fig = _figure()
    ax = fig.add_subplot()
    labels = [p.place for p in places]
    bottom = [0.0] * len(places)
    for party in LATE_PARTIES:
        heights = [p.minutes.get(party, 0.0) for p in places]
        ax.bar(labels, heights, bottom=bottom, color=PARTY_COLOURS[party], label=fmt.party(party))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.legend(fontsize=7, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    _rotate_if_crowded(ax, labels)
    ax.set_xlabel("zone of the order")
    ax.set_ylabel("late minutes owed")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_title("Late minutes by responsible party and zone", pad=22)
    return fig


def late_by_hour(data: ReportData) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    ax.bar(range(24), data.late.by_hour, color=MAIN)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlim(-0.6, 23.6)
    ax.set_xlabel("hour the order was placed (UTC)")
    ax.set_ylabel("late orders")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_title("Late orders by hour of day")
    return fig


def trend_score(data: ReportData) -> Figure:
    values = [p.score_median for p in data.trends]
    return _trend(data, values, "median score", f"Median score, last {len(values)} periods")


def trend_on_time(data: ReportData) -> Figure:
    values = [None if p.on_time_rate is None else 100 * p.on_time_rate for p in data.trends]
    return _trend(data, values, "on-time rate (%)", f"On-time rate, last {len(values)} periods")


def _trend(data: ReportData, values: list[float | None], ylabel: str, title: str) -> Figure:
    fig = _figure(2.8)
    ax = fig.add_subplot()
    labels = [p.period for p in data.trends]
    ys = [float("nan") if v is None else v for v in values]
    ax.plot(range(len(labels)), ys, marker="o", color=MAIN)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.5, len(labels) - 0.5)
    _rotate_if_crowded(ax, labels, crowded=6)
    ax.set_xlabel("period (gaps: not evaluated)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig


def _rotate_if_crowded(ax: object, labels: list[str], crowded: int = 12) -> None:
    if len(labels) > crowded or sum(len(x) for x in labels) > 70:
        ax.tick_params(axis="x", labelrotation=45)  # type: ignore[attr-defined]
        for label in ax.get_xticklabels():  # type: ignore[attr-defined]
            label.set_horizontalalignment("right")


def _tier(name: str) -> str:
    return "no tier" if name == NO_TIER else name


Builder = Callable[[ReportData], Figure]
CHARTS: dict[str, Builder] = {
    "kpi_change": kpi_change,
    "score_histogram": score_histogram,
    "tier_movements": tier_movements,
    "late_by_zone": late_by_zone,
    "late_by_hour": late_by_hour,
    "trend_score": trend_score,
    "trend_on_time": trend_on_time,
}


def chart_names(data: ReportData) -> list[str]:
    """The charts this report has data for, in the order the report shows them."""
    has = {
        "kpi_change": any(k.change is not None and k.previous for k in data.headline.kpis),
        "score_histogram": data.scores.scored > 0,
        "tier_movements": data.headline.riders > 0,
        "late_by_zone": data.late.late > 0,
        "late_by_hour": data.late.late > 0,
        "trend_score": any(p.score_median is not None for p in data.trends),
        "trend_on_time": any(p.on_time_rate is not None for p in data.trends),
    }
    return [name for name in CHARTS if has[name]]


def render_charts(data: ReportData, form: ChartFormat) -> dict[str, str]:
    """Chart name → HTML markup: an inline <svg> element, or an <img> with a PNG data URI."""
    rendered = {}
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]  # keys typed as literals
        for name in chart_names(data):
            figure = CHARTS[name](data)
            rendered[name] = svg_markup(figure, name) if form == "svg" else png_markup(figure, name)
    return rendered


def svg_markup(figure: Figure, name: str = "chart") -> str:
    """The figure as an inline <svg> element whose ids are unique within the page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    # Namespace declarations are not needed inline in HTML5, and keep the page free of URLs.
    text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", text, count=2)
    # Every chart numbers its elements from 1 (axes_1, …): prefix them so ids stay unique.
    text = re.sub(r'\bid="', f'id="{name}-', text)
    return re.sub(r"(href=\"#|url\(#)", rf"\g<1>{name}-", text)


def png_markup(figure: Figure, name: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = name.replace("_", " ")
    return f'<img class="chart-image" alt="{alt}" src="data:image/png;base64,{encoded}">'
