"""Two reviewers deciding the same case at the same moment on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from riderperf.audit.log import events_for
from riderperf.cases.decide import CaseDecision, decide_case
from riderperf.cases.model import CaseConflict
from riderperf.cases.orm import Case
from riderperf.decisions.orm import Decision
from riderperf.evaluation.overrides import JudgmentOverride
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from tests.integration.test_cases_appeals import add_staff, h, review, submit
from tests.integration.test_cases_decisions import add_decision, appeal_decision

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(pg_database_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_database_url)
    upgrade(engine)
    add_staff(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("subject_type", ["judgment", "decision"])
def test_two_reviewers_deciding_at_once_give_one_decision_and_one_conflict(
    pg_engine: Engine, tmp_path: Path, subject_type: str
) -> None:
    if subject_type == "judgment":
        case_id = submit(pg_engine, tmp_path)
    else:
        case_id = appeal_decision(pg_engine, tmp_path, add_decision(pg_engine))
    review(pg_engine, case_id, h(1))
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, CaseDecision | Exception] = {}

    def decide(reviewer: str) -> None:
        try:
            with unit_of_work(pg_engine) as session:
                # Both read the case under review before either writes.
                seen = session.get(Case, case_id)
                assert seen is not None and seen.status == "under_review"
                barrier.wait()
                outcomes[reviewer] = decide_case(
                    session,
                    case_id,
                    outcome="overturned",
                    by=reviewer,
                    reason=f"{reviewer} overturns",
                    at=h(5),
                )
        except Exception as exc:
            outcomes[reviewer] = exc

    threads = [threading.Thread(target=decide, args=(name,)) for name in ("rev", "rev2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    wins = {k: v for k, v in outcomes.items() if isinstance(v, CaseDecision)}
    losses = {k: v for k, v in outcomes.items() if isinstance(v, CaseConflict)}
    assert len(wins) == 1 and len(losses) == 1, outcomes
    (winner,) = wins
    (conflict,) = losses.values()
    assert f"case {case_id} was decided by {winner} at" in str(conflict)
    with unit_of_work(pg_engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.decided_by, case.version) == ("decided", winner, 3)
        decided = [e for e in events_for(session, "case", case_id) if e.action == "case.decided"]
        assert [e.actor for e in decided] == [winner]
        assert overturn_count(session, case) == 1


def overturn_count(session: Session, case: Case) -> int:
    """How many times the appealed subject was overturned."""
    if case.subject_type == "judgment":
        found = session.scalar(
            select(func.count())
            .select_from(JudgmentOverride)
            .where(JudgmentOverride.case_id == case.case_id)
        )
        return int(found or 0)
    decision = session.get(Decision, case.subject_id)
    assert decision is not None and decision.status == "overturned"
    events = events_for(session, "decision", case.subject_id)
    return sum(1 for e in events if e.action.endswith("overturned"))
