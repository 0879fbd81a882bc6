"""`riderperf report` end to end on a small simulated city evaluated for two weeks (SQLite)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd
import pytest
import typer
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from typer.testing import CliRunner

from riderperf.cli.app import app as cli_app
from riderperf.cli.reports import report_command
from riderperf.common.periods import parse_period
from riderperf.config import Settings
from riderperf.evaluation.published import evaluation_for
from riderperf.evaluation.service import evaluate_period
from riderperf.ingest.service import import_path
from riderperf.metrics.registry import get_kpi
from riderperf.reports.charts import chart_names
from riderperf.reports.data import gather_report
from riderperf.reports.model import NO_DATA, ReportData
from riderperf.reports.render import SECTIONS
from riderperf.stores import open_stores
from tests.snapshots import Snapshots

runner = CliRunner()
report_app = typer.Typer()
report_app.command()(report_command)
EVALUATED = ("2026-W02", "2026-W03", "2026-01", "2026-Q1")


@pytest.fixture(scope="module")
def city(snapshots: Snapshots, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """200 riders over 2026-01-05 … 2026-01-18, evaluated for both weeks, January and Q1."""
    data = snapshots.dataset(riders=200, days=14, seed=11, start=date(2026, 1, 5))
    settings = Settings(home=tmp_path_factory.mktemp("report_home"))
    assert import_path(data, settings).exit_code == 0
    for label in EVALUATED:
        evaluate_period(settings, parse_period(label))
    return settings


def env(settings: Settings) -> dict[str, str]:
    return {"RIDERPERF_HOME": str(settings.home)}


def run_report(settings: Settings, out: Path, *args: str) -> Any:
    result = runner.invoke(report_app, [*args, "--out", str(out)], env=env(settings))
    assert result.exit_code == 0, result.output
    return result


def report_json(settings: Settings, tmp_path: Path, period: str, *args: str) -> dict[str, Any]:
    out = tmp_path / f"{period}-{len(args)}.json"
    run_report(settings, out, "--period", period, "--format", "json", *args)
    return dict(json.loads(out.read_text()))


def gathered(settings: Settings, period: str, **options: Any) -> ReportData:
    with open_stores(settings) as stores:
        return gather_report(stores, parse_period(period), at=datetime.now(UTC), **options)


def warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    return con


def test_numbers_match_scorecards_export(city: Settings, tmp_path: Path) -> None:
    exported = tmp_path / "cards.csv"
    done = runner.invoke(
        cli_app,
        ["scorecards", "export", "--period", "2026-W03", "--out", str(exported)],
        env=env(city),
    )
    assert done.exit_code == 0, done.output
    frame = pd.read_csv(exported)
    data = report_json(city, tmp_path, "2026-W03")
    head = data["headline"]
    assert head["riders"] == len(frame)
    assert {k: v for k, v in data["tiers"]["counts"].items() if v} == dict(
        frame["tier"].fillna("none").value_counts()
    )
    assert head["statuses"] == dict(frame["status"].value_counts())
    assert head["score_mean"] == pytest.approx(frame["score"].mean())
    assert head["score_median"] == pytest.approx(frame["score"].median())
    for kpi in head["kpis"]:
        num, den = frame[f"{kpi['name']}_num"].sum(), frame[f"{kpi['name']}_den"].sum()
        assert (kpi["num"], kpi["den"]) == (pytest.approx(num), pytest.approx(den))
        assert kpi["value"] == pytest.approx(get_kpi(kpi["name"]).scale * num / den)
    with open_stores(city) as stores:
        published = evaluation_for(stores.engine, "2026-W03")
    assert published is not None and published.summary is not None
    assert data["scores"]["quantiles"] == published.summary["score_quantiles"]
    assert data["meta"]["evaluation_id"] == published.evaluation_id


def test_judgment_and_late_order_counts_match_the_warehouse(city: Settings, tmp_path: Path) -> None:
    data = report_json(city, tmp_path, "2026-W03")
    con = warehouse(city)
    period = "policy_version = 'default' AND day >= '2026-01-12' AND day < '2026-01-19'"
    judged = con.execute(
        f"SELECT event, party, count(*) FROM judgments WHERE {period} GROUP BY ALL"
    ).fetchall()
    delivered = con.execute(
        "SELECT count(*) FROM orders WHERE status = 'delivered' AND promised_at IS NOT NULL "
        "AND created_at >= '2026-01-12' AND created_at < '2026-01-19'"
    ).fetchone()
    rider_rules = con.execute(
        f"SELECT rule, count(*) FROM judgments WHERE {period} AND party = 'rider' GROUP BY ALL"
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for event, party, n in judged:
        counts.setdefault(event, {})[party] = n
    con.close()
    assert data["judgments"] == counts
    late = data["late"]
    assert late["late"] == sum(counts["late"].values())
    assert {p["party"]: p["orders"] for p in late["by_party"] if p["orders"]} == counts["late"]
    assert delivered is not None and late["delivered"] == delivered[0]
    assert sum(late["by_hour"]) == late["late"]
    assert sum(z["late"] for z in late["by_zone"]) == late["late"]
    assert {r["key"]: r["count"] for r in data["violations"]["rules"]} == dict(rider_rules)


def test_change_is_measured_against_the_previous_week(city: Settings, tmp_path: Path) -> None:
    now = report_json(city, tmp_path, "2026-W03")
    before = report_json(city, tmp_path, "2026-W02")
    head = now["headline"]
    assert head["previous_period"] == "2026-W02"
    assert head["previous_evaluation"] == before["meta"]["evaluation_id"]
    assert head["previous_riders"] == before["headline"]["riders"]
    assert head["previous_score_median"] == pytest.approx(before["headline"]["score_median"])
    earlier = {k["name"]: k["value"] for k in before["headline"]["kpis"]}
    for kpi in head["kpis"]:
        assert kpi["previous"] == pytest.approx(earlier[kpi["name"]])
        assert kpi["change"] == pytest.approx(kpi["value"] - earlier[kpi["name"]])
    trend = {p["period"]: p for p in now["trends"]}
    assert trend["2026-W02"]["score_median"] == pytest.approx(before["headline"]["score_median"])
    assert trend["2026-W01"]["evaluated"] is False


def test_first_evaluated_week_says_there_is_no_previous_evaluation(
    city: Settings, tmp_path: Path
) -> None:
    head = report_json(city, tmp_path, "2026-W02")["headline"]
    assert head["previous_evaluation"] is None
    assert "no previous evaluation" in head["comparison"]
    assert all(k["previous"] is None and k["change"] is None for k in head["kpis"])


def test_month_and_quarter_reports_use_their_own_evaluations(
    city: Settings, tmp_path: Path
) -> None:
    month = report_json(city, tmp_path, "2026-01", "--trend-periods", "3")
    assert month["meta"]["kind"] == "month"
    assert month["headline"]["previous_period"] == "2025-12"
    assert [p["period"] for p in month["trends"]] == ["2025-11", "2025-12", "2026-01"]
    quarter_html = tmp_path / "q1.html"
    run_report(city, quarter_html, "--period", "2026-Q1", "--format", "html")
    page = quarter_html.read_text()
    assert "2026-Q1" in page and "2025-Q4" in page
    with open_stores(city) as stores:
        for label, found in (("2026-01", month["headline"]["riders"]),):
            published = evaluation_for(stores.engine, label)
            assert published is not None and published.riders == found


def test_scope_zone_breaks_tables_down_by_zone_and_scope_id_keeps_one(
    city: Settings, tmp_path: Path
) -> None:
    whole = report_json(city, tmp_path, "2026-W03")
    zones = report_json(city, tmp_path, "2026-W03", "--scope", "zone")
    units = {u["unit"]: u for u in zones["tiers"]["by_unit"]}
    assert len(units) > 1 and all(u.startswith("Z") for u in units)
    assert sum(u["riders"] for u in units.values()) == whole["headline"]["riders"]
    assert zones["meta"]["units"] == sorted(units)
    assert {z["place"] for z in zones["late"]["by_unit"]} <= set(units)
    zone = sorted(units)[0]
    one = report_json(city, tmp_path, "2026-W03", "--scope", "zone", "--scope-id", zone)
    assert one["meta"]["scope_id"] == zone
    assert one["headline"]["riders"] == units[zone]["riders"]
    assert [u["unit"] for u in one["tiers"]["by_unit"]] == [zone]
    con = warehouse(city)
    delivered = con.execute(
        "SELECT count(*) FROM orders o JOIN riders r USING (rider_id) WHERE r.zone_id = ? "
        "AND o.status = 'delivered' AND o.promised_at IS NOT NULL "
        "AND o.created_at >= '2026-01-12' AND o.created_at < '2026-01-19'",
        [zone],
    ).fetchone()
    con.close()
    assert delivered is not None and one["late"]["delivered"] == delivered[0]


def pdf_images(reader: PdfReader) -> int:
    """Distinct images in the document (pages may share one resource dictionary)."""
    seen: set[int] = set()
    for page in reader.pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        xobjects = resources.get("/XObject")
        if xobjects is None:
            continue
        for ref in cast(DictionaryObject, xobjects.get_object()).values():
            if cast(DictionaryObject, ref.get_object()).get("/Subtype") == "/Image":
                seen.add(int(ref.idnum))
    return len(seen)


def test_pdf_has_title_page_every_section_and_every_chart(city: Settings, tmp_path: Path) -> None:
    out = tmp_path / "w03.pdf"
    run_report(city, out, "--period", "2026-W03", "--format", "pdf", "--scope", "zone")
    reader = PdfReader(out)
    first = reader.pages[0].extract_text()
    for text in ("2026-W03", "Policy version", "default", "Generated at", "riderperf version"):
        assert text in first
    assert "Contents" in first
    text = "\n".join(page.extract_text() for page in reader.pages)
    for number, section in enumerate(SECTIONS, start=1):
        assert f"{number}. {section.title}" in text
    assert f"page 2 of {len(reader.pages)}" in text
    expected = chart_names(gathered(city, "2026-W03", scope="zone"))
    assert len(expected) == 7
    assert pdf_images(reader) == len(expected)


def test_html_is_self_contained_with_one_svg_per_chart(city: Settings, tmp_path: Path) -> None:
    out = tmp_path / "w03.html"
    run_report(city, out, "--period", "2026-W03", "--format", "html")
    page = out.read_text()
    assert page.count("<svg") == len(chart_names(gathered(city, "2026-W03")))
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(src|href)=["'](?!#|data:)""", page)


def test_sections_of_other_packages_never_crash_the_report(city: Settings) -> None:
    data = gathered(city, "2026-W03")
    for section in (data.appeals, data.inspections, data.decisions, data.violations.inspections):
        assert section.available or section.note.startswith(NO_DATA)


def test_period_not_evaluated_says_which_command_to_run(city: Settings, tmp_path: Path) -> None:
    args = ["--period", "2026-W10", "--out", str(tmp_path / "x.html")]
    result = runner.invoke(report_app, args, env=env(city))
    assert result.exit_code == 1
    assert "riderperf evaluate --period 2026-W10" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-W03", "--scope", "zone", "--scope-id", "Z99"], "known zone ids"),
        (["--period", "2026-W03", "--format", "docx"], "--format 'docx'"),
        (["--period", "2026-W03", "--scope", "street"], "--scope 'street'"),
        (["--period", "2026-W99"], "no ISO week 99"),
    ],
)
def test_wrong_options_get_a_clear_error(
    city: Settings, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(report_app, [*args, "--out", str(tmp_path / "x")], env=env(city))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
