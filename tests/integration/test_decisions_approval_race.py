"""Two operations managers reviewing the same proposed restriction at once, on SQLite and
PostgreSQL: exactly one review wins, the other gets a conflict naming who decided it, and
the rider gets one event and one notice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from riderperf.audit.log import events_for
from riderperf.config import Settings
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import DecisionConflict
from riderperf.notices.service import notices_for
from riderperf.storage.db import make_engine, unit_of_work, upgrade
from riderperf.users.service import create_user

AT = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
LATER = AT + timedelta(hours=2)
REVIEWS = {"approve": approve_decision, "reject": reject_decision}
# What each review leaves behind: its audit action and the rider's notice.
TRACES = {
    "approve": ("decision.approved", "decision.suspension"),
    "reject": ("decision.rejected", "decision.rejected"),
}


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    made = make_engine(settings.app_database_url)
    upgrade(made)
    with unit_of_work(made) as session:
        for name in ("olga", "omar"):
            create_user(session, name, "ops_manager", at=AT)
        session.add(
            Decision(
                decision_id="d-race",
                decision_key="test|d-race",
                rider_id="r-race",
                kind="suspension",
                status="proposed",
                rule_id="document_expired",
                policy_version="default",
                period="2026-W45",
                period_end=date(2026, 11, 9),
                offence="document_expired",
                inputs={"numbers": {"days": 7, "appeal_window_days": 14}},
                reason_params={"days": 7, "doc_type": "licence", "expired_on": "2026-10-20"},
                created_at=AT,
            )
        )
    yield made
    made.dispose()


def review_at_once(engine: Engine, verdicts: dict[str, str]) -> dict[str, object]:
    """Each manager reads the proposal, waits for the other at a barrier, then reviews it
    in a transaction of their own; returns each manager's decision or error."""
    barrier = threading.Barrier(len(verdicts), timeout=30)
    outcomes: dict[str, object] = {}

    def review(manager: str, verdict: str) -> None:
        try:
            with unit_of_work(engine) as session:
                seen = session.get(Decision, "d-race")
                assert seen is not None and seen.status == "proposed"
                barrier.wait()
                act: Callable[..., Decision] = REVIEWS[verdict]
                outcomes[manager] = act(
                    session, "d-race", by=manager, reason=f"{manager} {verdict}s", at=LATER
                )
        except Exception as exc:
            outcomes[manager] = exc

    threads = [threading.Thread(target=review, args=item) for item in verdicts.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def traces(engine: Engine) -> tuple[list[tuple[str, str]], list[str]]:
    """The review events (action, actor) of the proposal and the rider's notice kinds."""
    with unit_of_work(engine) as session:
        events = [
            (e.action, e.actor)
            for e in events_for(session, "decision", "d-race")
            if e.action != "decision.proposed"
        ]
        notices = [n.kind for n in notices_for(session, "r-race")]
    return events, notices


@pytest.mark.parametrize(
    "verdicts",
    [{"olga": "approve", "omar": "approve"}, {"olga": "approve", "omar": "reject"}],
    ids=["approve-approve", "approve-reject"],
)
def test_two_managers_reviewing_at_once_give_one_review_and_one_conflict(
    engine: Engine, verdicts: dict[str, str]
) -> None:
    outcomes = review_at_once(engine, verdicts)
    wins = {k: v for k, v in outcomes.items() if isinstance(v, Decision)}
    losses = {k: v for k, v in outcomes.items() if isinstance(v, DecisionConflict)}
    assert len(wins) == 1 and len(losses) == 1, outcomes
    (winner,) = wins
    (conflict,) = losses.values()
    verdict = verdicts[winner]
    done = "approved" if verdict == "approve" else "rejected"
    assert f"{done} by {winner} at 2026-11-09T10:00:00+00:00" in str(conflict)
    with unit_of_work(engine) as session:
        decision = session.get(Decision, "d-race")
        assert decision is not None
        status = "in_effect" if verdict == "approve" else "rejected"
        assert (decision.status, decision.version) == (status, 2)
        assert (decision.approved_by or decision.rejected_by) == winner
    action, notice = TRACES[verdict]
    assert traces(engine) == ([(action, winner)], [notice])


def test_a_second_approval_is_a_conflict_naming_the_first_approver(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        approve_decision(session, "d-race", by="olga", reason="licence expired", at=LATER)
    with unit_of_work(engine) as session, pytest.raises(DecisionConflict) as refused:
        approve_decision(session, "d-race", by="omar", reason="me too", at=LATER)
    assert "already in effect: approved by olga at 2026-11-09T10:00:00+00:00" in str(refused.value)
    assert traces(engine) == ([("decision.approved", "olga")], ["decision.suspension"])


def test_a_review_of_a_changed_proposal_is_refused(engine: Engine) -> None:
    with unit_of_work(engine) as session, pytest.raises(DecisionConflict, match="version 2"):
        approve_decision(session, "d-race", by="olga", reason="ok", at=LATER, expected_version=2)
    with unit_of_work(engine) as session:
        decision = approve_decision(
            session, "d-race", by="olga", reason="ok", at=LATER, expected_version=1
        )
        assert decision.version == 2
