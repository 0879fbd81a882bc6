"""Sections fed by other packages: contract dicts shown as they are, absence said, never faked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, create_engine

from riderperf.reports import sources
from riderperf.reports.model import NO_DATA

START = datetime(2026, 1, 12, tzinfo=UTC)
END = datetime(2026, 1, 19, tzinfo=UTC)

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


@pytest.fixture
def engine() -> Iterator[Engine]:
    found = create_engine("sqlite://")
    yield found
    found.dispose()


def test_a_failing_stats_function_does_not_stop_the_report(engine: Engine) -> None:
    def broken(session: Any, start: datetime, end: datetime) -> dict[str, Any]:
        raise RuntimeError("half-built")

    result, note = sources.call_source(engine, broken, [START, END])
    assert result is None
    assert note is not None and "half-built" in note and note.startswith(NO_DATA)


def test_a_stats_function_on_missing_tables_says_to_initialise(engine: Engine) -> None:
    from sqlalchemy import text

    def reads_a_table(session: Any, start: datetime, end: datetime) -> dict[str, Any]:
        session.execute(text("SELECT * FROM cases"))
        return {}

    _, note = sources.call_source(engine, reads_a_table, [START, END])
    assert note is not None and "riderperf init" in note


def test_the_stats_function_is_called_with_a_session_and_the_window(engine: Engine) -> None:
    seen: list[Any] = []

    def appeal_stats(session: Any, start: datetime, end: datetime) -> dict[str, Any]:
        seen.append((type(session).__name__, start, end))
        return APPEALS

    result, note = sources.call_source(engine, appeal_stats, [START, END])
    assert result == APPEALS and note is None
    assert seen == [("Session", START, END)]


def test_the_real_appeal_stats_on_an_empty_database_say_to_initialise(engine: Engine) -> None:
    result, note = sources.call_source(engine, sources.APPEAL_STATS, [START, END])
    assert result is None
    assert note is not None and "riderperf init" in note


@dataclass(frozen=True)
class Violation:
    violation_id: str
    rider_id: str
    inspection_id: str
    item_code: str
    kpi: str
    severity: str
    found_at: datetime


def test_inspection_violations_are_counted_per_item_for_the_scope_riders() -> None:
    facts = [
        Violation("v1", "R1", "i1", "helmet", "equipment_compliance", "major", START),
        Violation("v2", "R1", "i2", "helmet", "equipment_compliance", "major", START),
        Violation("v3", "R2", "i3", "helmet", "equipment_compliance", "major", START),
        Violation("v4", "R2", "i3", "box", "equipment_compliance", "minor", START),
        Violation("v5", "R9", "i4", "box", "equipment_compliance", "minor", START),
    ]
    assert sources.violation_counts(facts, None) == [
        {"item_code": "helmet", "severity": "major", "violations": 3, "riders": 2},
        {"item_code": "box", "severity": "minor", "violations": 2, "riders": 2},
    ]
    kept = sources.violation_counts(facts, {"R2"})
    assert [(c["item_code"], c["violations"]) for c in kept] == [("box", 1), ("helmet", 1)]


def test_open_restrictions_without_a_decisions_table_are_unknown_not_empty(
    engine: Engine,
) -> None:
    found, note = sources.open_restrictions(engine, END)
    assert found is None
    assert NO_DATA in note


def test_open_restrictions_lists_proposed_and_current_restricting_decisions(
    engine: Engine,
) -> None:
    table = Table(
        "decisions",
        MetaData(),
        Column("decision_id", String, primary_key=True),
        Column("rider_id", String),
        Column("kind", String),
        Column("status", String),
        Column("created_at", DateTime(timezone=True)),
        Column("effective_until", DateTime(timezone=True)),
    )
    table.create(engine)
    before = datetime(2026, 1, 10)  # SQLite keeps it naive: read as UTC
    rows = [
        ("d1", "R1", "suspension", "in_effect", before, datetime(2026, 1, 25)),
        ("d2", "R2", "reduced_priority", "proposed", before, None),
        ("d3", "R3", "suspension", "in_effect", before, datetime(2026, 1, 15)),  # ended
        ("d4", "R4", "warning", "in_effect", before, None),  # not restricting
        ("d5", "R5", "deactivation", "overturned", before, None),
        ("d6", "R6", "suspension", "in_effect", datetime(2026, 1, 20), None),  # later
    ]
    with engine.begin() as con:
        con.execute(
            table.insert(),
            [
                dict(
                    zip(
                        (
                            "decision_id",
                            "rider_id",
                            "kind",
                            "status",
                            "created_at",
                            "effective_until",
                        ),
                        row,
                        strict=True,
                    )
                )
                for row in rows
            ],
        )
    found, note = sources.open_restrictions(engine, END)
    assert note == ""
    assert found == {
        "R1": ["suspension in effect until 2026-01-25"],
        "R2": ["reduced_priority proposed, awaiting human review"],
    }


def test_overdue_corrective_actions_become_sentences_per_rider(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    @dataclass(frozen=True)
    class Action:
        rider_id: str
        item_code: str
        severity: str
        due_on: date

    calls: list[date] = []

    def overdue(session: Any, on: date) -> list[Action]:
        calls.append(on)
        return [Action("R1", "helmet", "major", date(2026, 1, 14))]

    monkeypatch.setattr(sources, "OVERDUE_ACTIONS", overdue)
    found, note = sources.overdue_actions(engine, date(2026, 1, 18))
    assert note == ""
    assert calls == [date(2026, 1, 18)]
    assert found == {"R1": ["corrective action on helmet (major) overdue since 2026-01-14"]}


def test_overturn_rates_without_a_window_are_labelled_as_to_date(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riderperf.reports.data import decisions_section

    def overturn_rates(session: Any) -> list[dict[str, Any]]:
        return [{"rule_id": "low_score", "decisions": 4, "overturned": 1, "rate": 0.25}]

    monkeypatch.setattr(sources, "OVERTURN_RATES", overturn_rates)
    section = decisions_section(engine, START, END, "")
    assert section.available
    assert "every decision to date" in section.note
    assert section.tables[0].rows == [["low_score", "4", "1", "25.0 %"]]
