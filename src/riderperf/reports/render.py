"""Renders a `ReportData` as self-contained HTML, as an A4 PDF (WeasyPrint) or as JSON.

The PDF is printed from the very HTML the HTML format writes (same template, same
numbers); only the charts differ in form: inline SVG in HTML, PNG in the PDF, where
WeasyPrint embeds them as images. To add a section, add a `Section` to `SECTIONS` and
its template `templates/section_<id>.html.j2` (see docs/reports.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from riderperf.metrics.registry import get_kpi
from riderperf.reports import formatting as fmt
from riderperf.reports.charts import ChartFormat, render_charts
from riderperf.reports.facts import PARTY_ORDER
from riderperf.reports.model import NO_TIER, KpiFigure, ReportData, ReportFormat, report_dict

ATTENTION_ROWS = 100  # rows printed; the JSON lists every rider
TOP_ROWS = 15  # rows of each ranked violation list


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    source: str | None = None  # a `ReportData` field of another package's section

    @property
    def template(self) -> str:
        return "source_body.html.j2" if self.source else f"section_{self.id}.html.j2"


SECTIONS: tuple[Section, ...] = (
    Section("headline", "Headline KPIs"),
    Section("scores", "Scores and tiers"),
    Section("movements", "Tier movements"),
    Section("late", "Late orders and who was responsible"),
    Section("violations", "Top violation scenarios"),
    Section("attention", "Riders needing attention"),
    Section("trends", "Trends"),
    Section("appeals", "Appeals", source="appeals"),
    Section("inspections", "Inspections", source="inspections"),
    Section("decisions", "Decisions overturned", source="decisions"),
)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("riderperf.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        kpi_value=fmt.kpi_value,
        kpi_number=fmt.kpi_number,
        kpi_change=fmt.kpi_change,
        count=fmt.count,
        score=fmt.score,
        share=fmt.share,
        minutes=fmt.minutes,
        party=fmt.party,
        tier=lambda name: "no tier" if name in (None, NO_TIER) else name,
        kpi_basis=kpi_basis,
        ratio=lambda part, whole: fmt.share(part / whole if whole else None),
        parties=judgment_parties,
    )
    env.globals["dict"] = dict  # Jinja's own dict() takes keywords only
    return env


def kpi_basis(kpi: KpiFigure) -> str:
    """What a pooled KPI value rests on: `3,410 / 3,702` or `1,204 customer ratings`."""
    registered = get_kpi(kpi.name)
    if registered.unit == "stars":
        return f"{kpi.den:,.0f} {registered.grain}s"
    return f"{kpi.num:,.0f} / {kpi.den:,.0f}"


def judgment_parties(judgments: dict[str, dict[str, int]]) -> list[str]:
    """The parties of an event → party → count table, the rider first, unexplained last."""
    found = {party for counts in judgments.values() for party in counts}
    return [p for p in PARTY_ORDER if p in found] + sorted(found - set(PARTY_ORDER))


def stylesheet() -> str:
    return resources.files("riderperf.reports").joinpath("templates/report.css").read_text("utf-8")


def render_html(data: ReportData, charts: ChartFormat = "svg") -> str:
    """The whole report as one HTML page with its CSS and charts inline (no network)."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        sections=SECTIONS,
        charts={name: Markup(markup) for name, markup in render_charts(data, charts).items()},
        css=Markup(stylesheet()),
        attention_rows=ATTENTION_ROWS,
        top_rows=TOP_ROWS,
        section_data=lambda section: getattr(data, section.source) if section.source else None,
    )


def render_pdf(data: ReportData) -> bytes:
    """The report as an A4 PDF, printed by WeasyPrint from the report's HTML."""
    from weasyprint import HTML  # imported late: loading it costs a second

    pdf = HTML(string=render_html(data, charts="png")).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def report_json(data: ReportData) -> str:
    return json.dumps(report_dict(data), indent=2, default=str)


def write_report(data: ReportData, form: ReportFormat, out: Path) -> None:
    """Writes the report in `form` to `out` (creating its folder)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if form == "pdf":
        out.write_bytes(render_pdf(data))
    elif form == "html":
        out.write_text(render_html(data), encoding="utf-8")
    else:
        out.write_text(report_json(data) + "\n", encoding="utf-8")
