"""Another package's stats dict shown as figures and tables, and zeros shown as no data."""

from __future__ import annotations

from typing import Any

import pytest

from riderperf.reports.model import NO_DATA
from riderperf.reports.stats_view import stats_section

APPEALS = {
    "start": "2026-01-12T00:00:00+00:00",
    "end": "2026-01-19T00:00:00+00:00",
    "submitted": 12,
    "decided": 9,
    "by_outcome": {"upheld": 5, "overturned": 3, "partially_overturned": 1},
    "median_hours_to_first_response": 6.5,
    "median_hours_to_resolution": 40.25,
    "sla_breached": 1,
    "overturn_rate_by_rule": [
        {"rule_id": "late.rider_travel", "appeals": 6, "overturned": 3, "rate": 0.5},
        {"rule_id": "complaint.rude", "appeals": 3, "overturned": 1, "rate": 0.3333},
    ],
}
INSPECTIONS = {
    "inspections": 40,
    "riders_inspected": 37,
    "pass_rate_by_item": {
        "helmet": {"passed": 35, "total": 40, "rate": 0.875},
        "box_clean": {"passed": 38, "total": 40, "rate": 0.95},
    },
    "pass_rate_by_kpi": {"equipment_compliance": 0.91},
}


def test_appeal_stats_become_figures_and_tables_with_their_numbers() -> None:
    section = stats_section("Appeals", APPEALS)
    assert section.available
    figures = dict(section.figures)
    assert figures["submitted"] == "12"
    assert figures["median hours to resolution"] == "40.25"
    assert figures["sla breached"] == "1"
    tables = {t.title: t for t in section.tables}
    assert tables["by outcome"].rows == [
        ["upheld", "5"],
        ["overturned", "3"],
        ["partially_overturned", "1"],
    ]
    rates = tables["overturn rate by rule"]
    assert rates.columns == ["rule id", "appeals", "overturned", "rate"]
    assert rates.rows[0] == ["late.rider_travel", "6", "3", "50.0 %"]
    assert section.raw == APPEALS


def test_inspection_stats_with_nested_mappings_become_one_row_per_item() -> None:
    section = stats_section("Inspections", INSPECTIONS)
    items = next(t for t in section.tables if t.title == "pass rate by item")
    assert items.columns == ["", "passed", "total", "rate"]
    assert items.rows[0] == ["helmet", "35", "40", "87.5 %"]


@pytest.mark.parametrize("stats", [None, {}, {"submitted": 0, "decided": 0, "by_outcome": {}}])
def test_missing_or_empty_stats_say_no_data_for_this_period(stats: Any) -> None:
    section = stats_section("Appeals", stats)
    assert not section.available
    assert section.note.startswith(NO_DATA)
    assert section.figures == [] and section.tables == []


def test_mixed_mappings_are_opened_up_and_echoed_window_keys_left_out() -> None:
    stats = {
        "start": "2026-01-12T00:00:00+00:00",
        "end": "2026-01-19T00:00:00+00:00",
        "inspections": 4,
        "violations": {"total": 3, "by_severity": {"minor": 2, "major": 1, "critical": 0}},
        "items": [{"item_code": "helmet", "passed": 3, "checked": 4, "rate": 0.75}],
    }
    section = stats_section("Inspections", stats)
    figures = dict(section.figures)
    assert figures == {"inspections": "4", "violations total": "3"}
    tables = {t.title: t for t in section.tables}
    assert tables["violations by severity"].rows[0] == ["minor", "2"]
    assert tables["items"].rows == [["helmet", "3", "4", "75.0 %"]]


def test_a_window_of_nothing_but_zeros_says_no_data() -> None:
    appeals = {**APPEALS, "submitted": 0, "decided": 0, "sla_breached": 0}
    appeals |= {"by_outcome": {"upheld": 0}, "overturn_rate_by_rule": []}
    appeals |= {"median_hours_to_first_response": None, "median_hours_to_resolution": None}
    section = stats_section("Appeals", appeals)
    assert not section.available and section.note == NO_DATA
    assert section.raw == appeals
