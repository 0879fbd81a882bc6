"""decide → approve / reject → overturn on the simulated city, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.audit.log import events_for
from riderperf.config import Settings
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.ledger import points_balance, priority_weights
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import DecisionError, DecisionNotFound, DecisionStateError
from riderperf.decisions.repair import overturn_decision
from riderperf.decisions.service import DecideResult, MissingEvaluation, decide_period
from riderperf.decisions.stats import overturn_rates
from riderperf.notices.service import notices_for
from riderperf.users.service import PermissionDenied
from tests.integration.test_decisions_city import (
    AT,
    PERIOD,
    VERSION,
    all_decisions,
    app_session,
    decided_city,
    evaluated_city,
)
from tests.snapshots import Snapshots

LATER = AT + timedelta(hours=3)


@pytest.fixture
def evaluated(snapshots: Snapshots, backend: str, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the city after `prepare`: imported, policy published, week 2 evaluated."""
    with snapshots.copy(evaluated_city(snapshots, backend), tmp_path) as settings:
        yield settings


@pytest.fixture
def decided(
    snapshots: Snapshots, backend: str, tmp_path: Path
) -> Iterator[tuple[Settings, DecideResult]]:
    """A copy of the evaluated city with week 2 decided at AT, and what deciding returned."""
    snapshot, result = decided_city(snapshots, backend)
    with snapshots.copy(snapshot, tmp_path) as settings:
        yield settings, result


@pytest.fixture
def session(decided: tuple[Settings, DecideResult]) -> Iterator[Session]:
    with app_session(decided[0]) as opened:
        yield opened


def first(session: Session, **where: str) -> Decision:
    query = select(Decision).where(*(getattr(Decision, k) == v for k, v in where.items()))
    found = session.scalars(query.order_by(Decision.decision_id)).first()
    assert found is not None, where
    return found


def test_decide_records_every_decision_with_its_trace_and_proposes_restrictions(
    decided: tuple[Settings, DecideResult], session: Session
) -> None:
    _, result = decided
    found = all_decisions(session)
    assert len(found) == len(result.created) > 0
    assert {d.kind for d in found} >= {"tier_bonus", "badge", "notice", "suspension"}
    for d in found:
        assert (d.policy_version, d.period) == (VERSION, PERIOD.label)
        assert d.rule_id and d.inputs["facts"]["rider_id"] == d.rider_id
        assert d.inputs["evaluation_id"] == result.evaluation_id
        if d.kind in RESTRICTING_KINDS:
            assert (d.status, d.approved_by, d.effective_from) == ("proposed", None, None)
        else:
            assert d.status == "in_effect"
        if d.offence and d.kind not in RESTRICTING_KINDS:
            assert d.appeal_deadline == AT.date() + timedelta(days=14)
    suspended = first(session, kind="suspension")
    assert [e.action for e in events_for(session, "decision", suspended.decision_id)] == [
        "decision.proposed"
    ]
    kinds = [n.kind for n in notices_for(session, suspended.rider_id)]
    assert "decision.proposed_restriction" in kinds and "decision.suspension" not in kinds


def test_deciding_the_same_period_again_creates_nothing(
    decided: tuple[Settings, DecideResult],
) -> None:
    settings, first_run = decided
    again = decide_period(settings, PERIOD, at=LATER, policy_version=VERSION)
    assert again.created == []
    assert again.already_decided == len(first_run.created)


def test_deciding_a_period_never_evaluated_says_to_evaluate_first(evaluated: Settings) -> None:
    with pytest.raises(MissingEvaluation, match=r"riderperf evaluate --period 2026-W05"):
        decide_period(evaluated, "2026-W05", at=AT)


def test_approval_needs_an_ops_manager_a_reason_and_a_proposal(
    decided: tuple[Settings, DecideResult], session: Session
) -> None:
    proposal = first(session, kind="suspension", status="proposed")
    with pytest.raises(PermissionDenied, match="reviewer"):
        approve_decision(session, proposal.decision_id, by="rene", reason="ok", at=LATER)
    with pytest.raises(PermissionDenied, match="no user"):
        approve_decision(session, proposal.decision_id, by="nobody", reason="ok", at=LATER)
    with pytest.raises(DecisionError, match="reason"):
        approve_decision(session, proposal.decision_id, by="olga", reason="  ", at=LATER)
    with pytest.raises(DecisionNotFound):
        approve_decision(session, "d-missing", by="olga", reason="ok", at=LATER)
    badge = first(session, kind="badge")
    with pytest.raises(DecisionStateError, match="without approval"):
        approve_decision(session, badge.decision_id, by="olga", reason="ok", at=LATER)
    assert proposal.status == "proposed"

    approved = approve_decision(
        session, proposal.decision_id, by="olga", reason="licence checked: expired", at=LATER
    )
    days = proposal.reason_params["days"]
    assert (approved.status, approved.approved_by) == ("in_effect", "olga")
    assert approved.effective_until == LATER + timedelta(days=days)
    assert approved.appeal_deadline == LATER.date() + timedelta(days=14)
    assert priority_weights(session, LATER + timedelta(hours=1))[approved.rider_id] == 0.0
    with pytest.raises(DecisionStateError, match="already in effect"):
        approve_decision(session, proposal.decision_id, by="olga", reason="again", at=LATER)
    notice = next(
        n for n in notices_for(session, approved.rider_id) if n.kind == "decision.suspension"
    )
    assert notice.params["days"] == days

    other = first(session, kind="deactivation", status="proposed")
    rejected = reject_decision(session, other.decision_id, by="olga", reason="one-off", at=LATER)
    assert rejected.status == "rejected" and rejected.rejected_by == "olga"
    assert "decision.rejected" in [n.kind for n in notices_for(session, other.rider_id)]
    with pytest.raises(DecisionStateError, match="rejected"):
        approve_decision(session, other.decision_id, by="olga", reason="changed mind", at=LATER)


def test_overturn_restores_points_and_lifts_a_suspension(
    decided: tuple[Settings, DecideResult], session: Session
) -> None:
    pending = first(session, kind="suspension", status="proposed")
    with pytest.raises(DecisionStateError, match="reject it"):
        overturn_decision(
            session,
            pending.decision_id,
            partial=False,
            by="rene",
            reason="x",
            case_id="C1",
            at=LATER,
        )
    approve_decision(session, pending.decision_id, by="olga", reason="checked", at=LATER)
    lifted = overturn_decision(
        session,
        pending.decision_id,
        partial=False,
        by="rene",
        reason="renewed in time",
        case_id="C1",
        at=LATER + timedelta(days=1),
    )
    assert pending.status == "overturned" and pending.overturned_by == "rene"
    assert [(d.kind, d.status, d.compensates) for d in lifted] == [
        ("restriction_lifted", "in_effect", pending.decision_id)
    ]
    weights = priority_weights(session, LATER + timedelta(days=1, hours=1))
    assert weights.get(pending.rider_id, 1.0) >= 1.0  # dispatched again

    scored = first(session, kind="points")
    owed = scored.reason_params["points"]
    day = PERIOD.end + timedelta(days=1)
    before = points_balance(session, scored.rider_id, day)
    repaired = overturn_decision(
        session,
        scored.decision_id,
        partial=True,
        by="olga",
        reason="partly right",
        case_id="C2",
        at=LATER,
    )
    restored = next(d for d in repaired if d.kind == "points_restored")
    back = -(-owed // 2)  # half, rounded up in the rider's favour
    assert restored.reason_params["points"] == back
    assert points_balance(session, scored.rider_id, day) == before - back
    assert scored.status == "partially_overturned"
    with pytest.raises(DecisionStateError, match="already partially overturned"):
        overturn_decision(
            session,
            scored.decision_id,
            partial=False,
            by="olga",
            reason="x",
            case_id="C3",
            at=LATER,
        )
    rates = {row["rule_id"]: row for row in overturn_rates(session)}
    assert rates["document_expired"]["overturned"] == 1
    assert rates[scored.rule_id]["partially_overturned"] >= 1
    assert 0 < rates["document_expired"]["rate"] <= 1


def test_partial_overturn_of_a_suspension_leaves_a_warning(
    decided: tuple[Settings, DecideResult], session: Session
) -> None:
    suspension = first(session, kind="suspension", status="proposed")
    approve_decision(session, suspension.decision_id, by="olga", reason="checked", at=LATER)
    made = overturn_decision(
        session,
        suspension.decision_id,
        partial=True,
        by="rene",
        reason="mitigating",
        case_id="C4",
        at=LATER,
    )
    assert sorted(d.kind for d in made) == ["restriction_lifted", "warning"]
    warning = next(d for d in made if d.kind == "warning")
    assert warning.reason_params["doc_type"] and "days" not in warning.reason_params
    assert warning.appeal_deadline == LATER.date() + timedelta(days=14)
