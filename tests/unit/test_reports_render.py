"""Rendering a hand-made report: every section, one chart element per chart, no network, JSON."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from riderperf.metrics.rules import TierRules
from riderperf.reports import formatting as fmt
from riderperf.reports.attention import riders_needing_attention
from riderperf.reports.charts import chart_names, render_charts
from riderperf.reports.facts import late_summary
from riderperf.reports.model import (
    NO_DATA,
    Count,
    ReportData,
    ReportMeta,
    RiderRow,
    SourceSection,
    TrendPoint,
    Violations,
)
from riderperf.reports.render import SECTIONS, render_html, report_json
from riderperf.reports.stats_view import stats_section
from riderperf.reports.summaries import headline, score_distribution, tier_summary

RULES = TierRules(
    tiers=(("gold", 950.0), ("silver", 800.0), ("bronze", 650.0), ("watch", 0.0)),
    margin=25.0,
    minimum_orders=20,
    new_rider_weeks=4,
)


def rows(shift: float = 0.0) -> list[RiderRow]:
    tiers = ["gold", "silver", "bronze", "watch"]
    return [
        RiderRow(
            f"R{i:03d}",
            f"Z0{i % 3 + 1}",
            "ranked",
            min(1000.0, 400 + 15 * i + shift),
            tiers[3 - min(3, i // 10)],
            tiers[(i + 1) % 4],
            {"on_time_rate": (90 + i % 5, 100), "customer_rating": (4.5 * 10, 10)},
        )
        for i in range(40)
    ]


def late_frames() -> tuple[object, object]:
    import pandas as pd

    denominators = pd.DataFrame(
        {"zone": ["Z01", "Z02"], "unit": ["Z01", "Z02"], "delivered": [500, 300]}
    )
    parties = ("platform", "merchant", "force_majeure", "customer", "rider")
    grouped = pd.DataFrame(
        {
            "zone": ["Z01", "Z01", "Z02"],
            "unit": ["Z01", "Z01", "Z02"],
            "hour": [8, 12, 19],
            "party": ["rider", "merchant", "force_majeure"],
            "late": [10, 5, 4],
            **{f"m_{p}": [1.0, 2.0, 3.0] for p in parties},
        }
    )
    return denominators, grouped


def sample_report(*, previous: bool = True, sources_available: bool = True) -> ReportData:
    now = rows()
    denominators, grouped = late_frames()
    appeals = stats_section(
        "Appeals",
        {"submitted": 7, "by_outcome": {"upheld": 4, "overturned": 2}}
        if sources_available
        else None,
    )
    return ReportData(
        meta=ReportMeta(
            period="2026-W03",
            kind="week",
            start=date(2026, 1, 12),
            last_day=date(2026, 1, 18),
            scope="zone",
            scope_id=None,
            units=["Z01", "Z02", "Z03"],
            policy_version="default",
            evaluation_id="e-now",
            generated_at="2026-01-19T06:00:00+00:00",
            riderperf_version="0.1.0",
        ),
        headline=headline(
            now, rows(-20) if previous else None, "2026-W02", "e-before" if previous else None
        ),
        scores=score_distribution(now, RULES),
        tiers=tier_summary(now, RULES),
        late=late_summary(denominators, grouped),  # type: ignore[arg-type]
        judgments={"late": {"rider": 10, "merchant": 5, "force_majeure": 4}},
        violations=Violations(
            rules=[Count("late.rider_travel", "late", 10)],
            incidents=[Count("speeding", "minor", 3)],
            complaints=[Count("rude", "complaint", 4, 3)],
            inspections=stats_section("Inspection violations", {"violations": []}),
        ),
        attention=riders_needing_attention(now, RULES, {"R001": ["suspension in effect"]}, None),
        trends=[
            TrendPoint("2026-W01", False),
            TrendPoint("2026-W02", True, 40, 700.0, 0.91),
            TrendPoint("2026-W03", True, 40, 720.0, 0.92),
        ],
        appeals=appeals,
        inspections=SourceSection("Inspections", False, f"{NO_DATA}: not recorded"),
        decisions=stats_section("Decisions overturned", None),
    )


@pytest.fixture(scope="module")
def report() -> ReportData:
    return sample_report()


@pytest.fixture(scope="module")
def html(report: ReportData) -> str:
    return render_html(report)


def test_late_summary_folds_parties_zones_and_hours() -> None:
    denominators, grouped = late_frames()
    late = late_summary(denominators, grouped)  # type: ignore[arg-type]
    assert (late.delivered, late.late) == (800, 19)
    assert late.late_rate == pytest.approx(19 / 800)
    parties = {p.party: p for p in late.by_party}
    assert parties["rider"].orders == 10 and parties["merchant"].orders == 5
    assert parties["rider"].minutes == pytest.approx(1 + 2 + 3)
    assert late.by_party[0].party == "rider"
    assert late.by_hour[8] == 10 and late.by_hour[19] == 4 and sum(late.by_hour) == 19
    zones = {z.place: z for z in late.by_zone}
    assert zones["Z01"].delivered == 500 and zones["Z01"].late == 15
    assert zones["Z02"].minutes["platform"] == pytest.approx(3.0)


def test_html_has_a_title_page_contents_and_every_numbered_section(
    report: ReportData, html: str
) -> None:
    assert "2026-W03" in html and "Policy version" in html and "Generated at" in html
    assert "riderperf version" in html
    for number, section in enumerate(SECTIONS, start=1):
        assert f'<section id="{section.id}"' in html
        assert f'<a href="#{section.id}"><span class="num">{number}.</span> {section.title}' in html


def test_html_has_one_inline_svg_per_chart(report: ReportData, html: str) -> None:
    names = chart_names(report)
    assert set(names) == {
        "kpi_change",
        "score_histogram",
        "tier_movements",
        "late_by_zone",
        "late_by_hour",
        "trend_score",
        "trend_on_time",
    }
    assert html.count("<svg") == len(names)
    assert "<img" not in html


def test_html_is_self_contained_without_any_url(html: str) -> None:
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "<script" not in html
    assert not re.search(r"""(src|href)=["'](?!#|data:)""", html)


def test_html_shows_the_same_numbers_as_the_data(report: ReportData, html: str) -> None:
    on_time = next(k for k in report.headline.kpis if k.name == "on_time_rate")
    assert fmt.kpi_value(on_time.value, "share") in html
    assert fmt.kpi_change(on_time.change, "share") in html
    assert f"{report.late.late:,} of {report.late.delivered:,} delivered orders" in html
    assert "late.rider_travel" in html
    assert "suspension in effect" in html


def test_other_packages_sections_show_their_numbers_or_say_no_data(html: str) -> None:
    appeals = html[html.index('<section id="appeals"') : html.index('<section id="inspections"')]
    assert "submitted" in appeals and ">7<" in appeals and "overturned" in appeals
    decisions = html[html.index('<section id="decisions"') :]
    assert "No data for this period" in decisions


def test_without_previous_evaluation_the_report_says_so_and_draws_no_change_chart() -> None:
    data = sample_report(previous=False, sources_available=False)
    assert "kpi_change" not in chart_names(data)
    page = render_html(data)
    assert "no previous evaluation" in page.lower()
    assert page.count("<svg") == len(chart_names(data))
    appeals = page[page.index('<section id="appeals"') : page.index('<section id="inspections"')]
    assert "No data for this period" in appeals


def test_png_charts_are_embedded_as_data_uris(report: ReportData) -> None:
    charts = render_charts(report, "png")
    assert list(charts) == chart_names(report)
    assert all(
        c.startswith('<img class="chart-image"') and "data:image/png;base64," in c
        for c in charts.values()
    )


def test_svg_charts_are_deterministic(report: ReportData) -> None:
    assert render_charts(report, "svg") == render_charts(report, "svg")


def test_json_carries_the_report_data_with_nulls_for_missing_values(report: ReportData) -> None:
    data = json.loads(report_json(sample_report(previous=False)))
    assert data["meta"]["period"] == "2026-W03"
    assert data["meta"]["start"] == "2026-01-12"
    assert data["headline"]["previous_evaluation"] is None
    assert all(k["change"] is None for k in data["headline"]["kpis"])
    assert data["late"]["delivered"] == 800
    assert data["tiers"]["counts"] == report.tiers.counts
    assert data["appeals"]["raw"]["submitted"] == 7


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.9763, "share", "97.6 %"),
        (0.0083, "share", "0.83 %"),
        (4.615, "stars", "4.62 ★"),
        (1.234, "per 100 orders", "1.23 per 100 orders"),
        (None, "share", "–"),
    ],
)
def test_kpi_values_are_written_in_their_unit(value: float | None, unit: str, text: str) -> None:
    assert fmt.kpi_value(value, unit) == text


def test_kpi_changes_keep_small_changes_visible() -> None:
    assert fmt.kpi_change(-0.003, "share") == "-0.30 pp"
    assert fmt.kpi_change(0.00011, "share") == "+0.011 pp"
    assert fmt.kpi_change(-0.012, "share") == "-1.2 pp"
    assert fmt.kpi_change(0.04, "per 100 orders") == "+0.040"
    assert fmt.kpi_change(-0.25, "per 100 orders") == "-0.25"
    assert fmt.kpi_change(None, "share") == "–"
