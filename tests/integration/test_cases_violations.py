"""Appealing an inspection violation on SQLite and PostgreSQL: a failing inspection, the
rider's appeal, and an overturn that marks the violation, withdraws its corrective action,
takes it out of `violations_between` and keeps the audit chain whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from riderperf.audit.log import events_for
from riderperf.audit.verify import verify_chain
from riderperf.cases.decide import CaseDecision, decide_case
from riderperf.cases.model import AppealAlreadyFiled, AppealRefused, AppealWindowClosed, CaseError
from riderperf.cases.service import appeal_terms_in_force, lookup_subject, move_case, submit_appeal
from riderperf.cases.stats import appeal_stats
from riderperf.cli import appeals as commands
from riderperf.cli.appeals import appeals_app
from riderperf.clock import as_utc as utc
from riderperf.config import Settings
from riderperf.inspections.corrective import corrective_actions, notify_overdue, overdue_actions
from riderperf.inspections.orm import ViolationRecord
from riderperf.inspections.violations import violations_between, violations_for
from riderperf.notices.service import notices_for
from riderperf.storage.db import unit_of_work
from riderperf.users.service import create_user
from tests.integration.test_inspections_records import DEC_1, NOV_1, OCT_1, engine, nov, record

__all__ = ["engine"]  # the fixture of the records tests: users, riders r1 and r2, "gear"

HELMET_MISSING = {"helmet": "none", "vest": True, "box": True}
BOX_DIRTY = {"helmet": "fastened", "vest": True, "box": False}


@pytest.fixture
def staffed(engine: Engine) -> Iterator[Engine]:
    with unit_of_work(engine) as session:
        create_user(session, "rev", "reviewer", at=OCT_1)
    yield engine


def violation_of(engine: Engine, rider: str, at: datetime, results: dict[str, Any]) -> str:
    (violation_id,) = record(engine, rider, at, results).violations
    return violation_id


def appeal(
    engine: Engine, settings: Settings, violation_id: str, at: datetime, rider: str = "r1"
) -> str:
    terms = appeal_terms_in_force(engine, at)
    subject = lookup_subject(engine, settings.warehouse_path, violation_id, terms)
    with unit_of_work(engine) as session:
        case = submit_appeal(
            session,
            subject,
            rider_id=rider,
            statement="My helmet was on the seat; I had just parked.",
            terms=terms,
            at=at,
            home=settings.home,
        )
        return case.case_id


def decide(engine: Engine, case_id: str, outcome: str, at: datetime) -> CaseDecision:
    with unit_of_work(engine) as session:
        move_case(session, case_id, "under_review", by="rev", at=at)
    with unit_of_work(engine) as session:
        return decide_case(
            session, case_id, outcome=outcome, by="rev", reason="The photo shows it.", at=at
        )


def stored(engine: Engine, violation_id: str) -> ViolationRecord:
    with unit_of_work(engine) as session:
        found = session.get(ViolationRecord, violation_id)
        assert found is not None
        session.expunge(found)
        return found


def test_an_overturned_violation_is_kept_marked_its_action_withdrawn_and_no_longer_counted(
    staffed: Engine, settings: Settings
) -> None:
    violation_id = violation_of(staffed, "r1", nov(2), HELMET_MISSING)
    case_id = appeal(staffed, settings, violation_id, nov(3))
    result = decide(staffed, case_id, "overturned", nov(4))

    with unit_of_work(staffed) as session:
        (action,) = corrective_actions(session, rider_id="r1")
        assert result.withdrawn_corrective_actions == (action.action_id,)
        assert result.as_dict()["withdrawn_corrective_actions"] == [action.action_id]
        assert (action.status, action.closed_at, action.closed_by_inspection) == (
            "withdrawn",
            nov(4),
            None,
        )
        assert overdue_actions(session, date(2026, 12, 1)) == []
        assert notify_overdue(session, date(2026, 12, 1), DEC_1) == 0
        assert violations_between(session, NOV_1, DEC_1) == []
        (kept,) = violations_between(session, NOV_1, DEC_1, include_overturned=True)
        assert (kept.violation_id, kept.status) == (violation_id, "overturned")
        assert [v.status for v in violations_for(session, "r1")] == ["overturned"]
        overturn = events_for(session, "violation", violation_id)
        assert [e.action for e in overturn] == ["violation.opened", "violation.overturned"]
        assert (overturn[1].actor, overturn[1].details["case_id"]) == ("rev", case_id)
        assert overturn[1].details["action_withdrawn"] is True
        withdrawal = events_for(session, "corrective_action", action.action_id)
        assert [e.action for e in withdrawal] == [
            "corrective_action.opened",
            "corrective_action.withdrawn",
        ]
        kinds = [n.kind for n in notices_for(session, "r1")]
        assert {"case.submitted", "case.under_review", "case.decided"} <= set(kinds)
        assert "corrective_action.overdue" not in kinds
        stats = appeal_stats(session, NOV_1, DEC_1)
    row = stored(staffed, violation_id)
    assert (row.status, row.overturned_by, row.overturned_case_id) == ("overturned", "rev", case_id)
    assert row.overturned_at is not None and utc(row.overturned_at) == nov(4)
    assert stats["overturn_rate_by_rule"] == [
        {
            "rule_id": "inspection.helmet",
            "subject_type": "violation",
            "appeals": 1,
            "overturned": 1,
            "rate": 1.0,
        }
    ]
    with pytest.raises(AppealRefused, match="cannot be appealed: it is overturned already"):
        appeal(staffed, settings, violation_id, nov(5))
    report = verify_chain(staffed)
    assert report.ok, report.problem


def test_an_upheld_violation_stands_with_its_action_open(
    staffed: Engine, settings: Settings
) -> None:
    violation_id = violation_of(staffed, "r1", nov(2), BOX_DIRTY)
    result = decide(staffed, appeal(staffed, settings, violation_id, nov(3)), "upheld", nov(4))
    assert result.withdrawn_corrective_actions == ()
    assert stored(staffed, violation_id).status == "open"
    with unit_of_work(staffed) as session:
        assert [a.status for a in corrective_actions(session, rider_id="r1")] == ["open"]
        assert [v.violation_id for v in violations_between(session, NOV_1, DEC_1)] == [violation_id]
        actions = [e.action for e in events_for(session, "violation", violation_id)]
    assert actions == ["violation.opened"]


def test_a_violation_cannot_be_partially_overturned(staffed: Engine, settings: Settings) -> None:
    violation_id = violation_of(staffed, "r1", nov(2), BOX_DIRTY)
    case_id = appeal(staffed, settings, violation_id, nov(3))
    with unit_of_work(staffed) as session:
        move_case(session, case_id, "under_review", by="rev", at=nov(4))
    with (
        pytest.raises(CaseError, match="appeals a violation, which is overturned whole"),
        unit_of_work(staffed) as session,
    ):
        decide_case(
            session, case_id, outcome="partially_overturned", by="rev", reason="x", at=nov(4)
        )
    assert stored(staffed, violation_id).status == "open"


def test_only_the_inspected_rider_appeals_once_within_the_window(
    staffed: Engine, settings: Settings
) -> None:
    violation_id = violation_of(staffed, "r1", nov(2), BOX_DIRTY)
    with pytest.raises(AppealRefused, match="is not about rider r2"):
        appeal(staffed, settings, violation_id, nov(3), rider="r2")
    with pytest.raises(AppealWindowClosed, match=f"violation {violation_id} closed"):
        appeal(staffed, settings, violation_id, nov(2) + timedelta(days=31))
    case_id = appeal(staffed, settings, violation_id, nov(2) + timedelta(days=30))
    with pytest.raises(AppealAlreadyFiled, match=f"already appealed in case {case_id}"):
        appeal(staffed, settings, violation_id, nov(5))


def test_a_repeat_failure_keeps_the_shared_action_open_when_one_violation_is_overturned(
    staffed: Engine, settings: Settings
) -> None:
    first = violation_of(staffed, "r1", nov(2), BOX_DIRTY)
    repeat = violation_of(staffed, "r1", nov(3), BOX_DIRTY)  # joins the open action
    result = decide(staffed, appeal(staffed, settings, first, nov(4)), "overturned", nov(5))
    assert result.withdrawn_corrective_actions == ()
    with unit_of_work(staffed) as session:
        (action,) = corrective_actions(session, rider_id="r1")
        assert action.status == "open"
        (event,) = events_for(session, "violation", first)[1:]
        assert event.details["action_kept_open_by"] == [repeat]
        assert [v.violation_id for v in violations_between(session, NOV_1, DEC_1)] == [repeat]
    result = decide(staffed, appeal(staffed, settings, repeat, nov(6)), "overturned", nov(7))
    with unit_of_work(staffed) as session:
        assert result.withdrawn_corrective_actions == (action.action_id,)
        assert [a.status for a in corrective_actions(session, rider_id="r1")] == ["withdrawn"]


def test_an_action_already_put_right_stays_closed_after_the_overturn(
    staffed: Engine, settings: Settings
) -> None:
    violation_id = violation_of(staffed, "r1", nov(2), BOX_DIRTY)
    record(staffed, "r1", nov(3), {"helmet": "fastened", "vest": True, "box": True})
    result = decide(staffed, appeal(staffed, settings, violation_id, nov(4)), "overturned", nov(5))
    assert result.withdrawn_corrective_actions == ()
    assert stored(staffed, violation_id).status == "overturned"
    with unit_of_work(staffed) as session:
        assert [a.status for a in corrective_actions(session, rider_id="r1")] == ["closed"]


def test_the_appeals_commands_submit_and_overturn_a_violation(
    staffed: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    violation_id = violation_of(staffed, "r1", nov(2), HELMET_MISSING)
    monkeypatch.setenv("RIDERPERF_HOME", str(settings.home))
    monkeypatch.setenv("RIDERPERF_DATABASE_URL", settings.app_database_url)
    monkeypatch.setattr(commands, "system_clock", lambda: nov(3))
    runner = CliRunner()
    submitted = runner.invoke(
        appeals_app, ["submit", violation_id, "--rider", "r1", "--reason", "Parked.", "--json"]
    )
    assert submitted.exit_code == 0, submitted.output
    case = json.loads(submitted.stdout)
    assert (case["subject_type"], case["subject_id"], case["rule_id"]) == (
        "violation",
        violation_id,
        "inspection.helmet",
    )
    again = runner.invoke(appeals_app, ["submit", violation_id, "--rider", "r1", "--reason", "x"])
    assert again.exit_code == 1 and "a subject is appealed once" in again.output
    moved = runner.invoke(
        appeals_app, ["move", case["case_id"], "--to", "under_review", "--by", "rev"]
    )
    assert moved.exit_code == 0, moved.output
    decided = runner.invoke(
        appeals_app,
        [
            "decide",
            case["case_id"],
            "--outcome",
            "overturned",
            "--by",
            "rev",
            "--reason",
            "Helmet seen on the seat.",
            "--json",
        ],
    )
    assert decided.exit_code == 0, decided.output
    assert len(json.loads(decided.stdout)["withdrawn_corrective_actions"]) == 1
    assert stored(staffed, violation_id).status == "overturned"
