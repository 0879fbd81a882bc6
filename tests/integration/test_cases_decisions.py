"""Appeals of decisions on SQLite and PostgreSQL: window from the decision, overturn repairs it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from riderperf.audit.log import events_for
from riderperf.cases.decide import decide_case
from riderperf.cases.model import AppealRefused, AppealWindowClosed
from riderperf.cases.orm import Case
from riderperf.cases.service import decision_appeal_subject, submit_appeal
from riderperf.config import Settings
from riderperf.decisions.orm import Decision
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from tests.integration.test_cases_appeals import T0, TERMS, add_staff, h, review

DEADLINE = date(2026, 3, 16)


def add_decision(
    engine: Engine, decision_id: str = "d-test-1", rider_id: str = "r-1", status: str = "in_effect"
) -> str:
    with unit_of_work(engine) as session:
        session.add(
            Decision(
                decision_id=decision_id,
                decision_key=f"test|{decision_id}",
                rider_id=rider_id,
                kind="warning",
                status=status,
                rule_id="penalty.late_deliveries",
                policy_version="default",
                period="2026-W09",
                period_end=date(2026, 3, 2),
                offence="late_deliveries",
                inputs={"late": 9},
                reason_params={"count": 9, "orders": 60, "rate_pct": 15.0},
                created_at=T0 - timedelta(hours=1),
                appeal_deadline=DEADLINE,
                effective_from=T0 - timedelta(hours=1),
            )
        )
    return decision_id


def appeal_decision(engine: Engine, home: Path, decision_id: str, **kw: object) -> str:
    with unit_of_work(engine) as session:
        case = submit_appeal(
            session,
            decision_appeal_subject(session, decision_id),
            rider_id=str(kw.get("rider_id", "r-1")),
            statement="Six of those orders were the restaurant's fault.",
            terms=TERMS,
            at=kw.get("at", T0),  # type: ignore[arg-type]
            home=home,
        )
        return case.case_id


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    add_staff(engine)
    yield engine
    engine.dispose()


def test_a_decision_is_appealed_until_the_end_of_its_deadline_day(
    engine: Engine, settings: Settings
) -> None:
    add_decision(engine)
    with pytest.raises(AppealWindowClosed, match="appeal window of decision d-test-1"):
        appeal_decision(engine, settings.home, "d-test-1", at=h(24 * 14 + 15))  # 17 March
    case_id = appeal_decision(engine, settings.home, "d-test-1", at=h(24 * 14 + 14))
    with unit_of_work(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.subject_type, case.rule_id) == ("decision", "penalty.late_deliveries")


def test_only_the_decisions_rider_may_appeal_it(engine: Engine, settings: Settings) -> None:
    add_decision(engine)
    with pytest.raises(AppealRefused, match="not about rider r-2"):
        appeal_decision(engine, settings.home, "d-test-1", rider_id="r-2")


def test_a_proposed_decision_is_not_appealed_yet(engine: Engine, settings: Settings) -> None:
    add_decision(engine, status="proposed")
    with pytest.raises(AppealRefused, match="proposed"):
        appeal_decision(engine, settings.home, "d-test-1")


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("overturned", "overturned"), ("partially_overturned", "partially_overturned")],
)
def test_an_overturn_repairs_the_decision_in_the_same_transaction(
    engine: Engine, settings: Settings, outcome: str, status: str
) -> None:
    decision_id = add_decision(engine)
    case_id = appeal_decision(engine, settings.home, decision_id)
    review(engine, case_id, h(1))
    with unit_of_work(engine) as session:
        result = decide_case(
            session, case_id, outcome=outcome, by="rev", reason="Restaurant delays.", at=h(2)
        )
    assert result.reevaluate is None
    with unit_of_work(engine) as session:
        original = session.get(Decision, decision_id)
        assert original is not None and original.status == status
        assert original.overturned_by == "rev"
        for new_id in result.compensating_decisions:
            compensating = session.get(Decision, new_id)
            assert compensating is not None and compensating.compensates == decision_id
        actions = [e.action for e in events_for(session, "decision", decision_id)]
        assert any(a.endswith(status) for a in actions)


def test_an_upheld_appeal_leaves_the_decision_in_effect(engine: Engine, settings: Settings) -> None:
    decision_id = add_decision(engine)
    case_id = appeal_decision(engine, settings.home, decision_id)
    review(engine, case_id, h(1))
    with unit_of_work(engine) as session:
        result = decide_case(
            session, case_id, outcome="upheld", by="ops", reason="The record is right.", at=h(2)
        )
    assert result.compensating_decisions == ()
    with unit_of_work(engine) as session:
        original = session.get(Decision, decision_id)
        assert original is not None and original.status == "in_effect"
