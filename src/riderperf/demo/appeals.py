"""Walks three penalties of a week through an appeal each, as a rider and the demo's
reviewer would: submitted, taken under review, decided, and an overturn repaired.

Each appeal is decided through `workflows.appeals.decide_appeal`, the one flow the CLI,
the API and the review pages use too: the case decided and committed, then the rider's
published periods re-evaluated and a lost bonus repaid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from riderperf.cases.orm import Case
from riderperf.cases.service import (
    appeal_terms_in_force,
    decision_appeal_subject,
    move_case,
    submit_appeal,
)
from riderperf.common.periods import Period
from riderperf.config import Settings
from riderperf.decisions.ledger import points_balance
from riderperf.decisions.model import PENALTY_KINDS
from riderperf.decisions.orm import Decision
from riderperf.demo.progress import Phases
from riderperf.demo.timeline import Timeline
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.workflows.appeals import decide_appeal

OUTCOMES = ("overturned", "partially_overturned", "upheld")
STATEMENT = "I waited at the restaurant each time; the app shows my arrival."
REASONS = {
    "overturned": "The late orders were the restaurant's: food was ready after the rider came.",
    "partially_overturned": "Two of the late orders were in the storm; the rest stand.",
    "upheld": "The timeline shows the rider stopped on the way; the penalty stands.",
}


@dataclass
class AppealStory:
    rider_id: str
    decision_id: str
    penalty: str  # kind (offence)
    case_id: str
    outcome: str
    points_before: int
    points_after: int
    score_change: list[dict[str, Any]] = field(default_factory=list)


def appeal_penalties(
    settings: Settings, week: Period, timeline: Timeline, phases: Phases
) -> list[AppealStory]:
    """Three riders appeal a penalty of `week` (for late deliveries when there are such) on
    the timeline's appeal day; reviewer.demo overturns one, partly overturns one and
    upholds one."""
    engine = make_engine(settings.app_database_url)
    try:
        chosen = _penalties(engine, week.label)
        stories = []
        with phases.phase(
            f"appeals: {len(chosen)} riders appeal a penalty of {week.label}", len(chosen)
        ) as step:
            for i, (decision_id, outcome) in enumerate(zip(chosen, OUTCOMES, strict=False)):
                stories.append(_appeal(settings, engine, decision_id, outcome, timeline, i, step))
                step()
        return stories
    finally:
        engine.dispose()


def _penalties(engine: Any, week: str) -> list[str]:
    """Penalties in effect in `week`, one per rider: for late deliveries first (overturning
    one of those re-evaluates the week), points before other rungs, in decision id order."""
    appealed = select(Case.subject_id).where(Case.subject_type == "decision")
    with unit_of_work(engine) as session:
        found = session.scalars(
            select(Decision)
            .where(Decision.period == week, Decision.kind.in_(PENALTY_KINDS))
            .where(Decision.status == "in_effect", Decision.appeal_deadline.is_not(None))
            .where(Decision.decision_id.not_in(appealed))  # a second demo run in the week
            .order_by(
                func.coalesce(Decision.offence, "") != "late_deliveries",
                Decision.kind != "points",
                Decision.decision_id,
            )
        ).all()
        first_of_rider: dict[str, Decision] = {}
        for decision in found:
            first_of_rider.setdefault(decision.rider_id, decision)
        return [d.decision_id for d in first_of_rider.values()][: len(OUTCOMES)]


def _appeal(
    settings: Settings,
    engine: Any,
    decision_id: str,
    outcome: str,
    timeline: Timeline,
    i: int,
    step: Any,
) -> AppealStory:
    submitted, decided_at = timeline.appeal_submitted_at(i), timeline.appeal_decided_at(i)
    terms = appeal_terms_in_force(engine, submitted)
    with unit_of_work(engine) as session:
        subject = decision_appeal_subject(session, decision_id)
        rider = str(subject.rider_id)
        decision = session.get(Decision, decision_id)
        penalty = f"{decision.kind} ({decision.offence})" if decision else ""
        before = _points(session, rider, timeline)
        case = submit_appeal(
            session,
            subject,
            rider_id=rider,
            statement=STATEMENT,
            terms=terms,
            at=submitted,
            home=settings.home,
        )
        case_id = case.case_id
        move_case(
            session, case_id, "under_review", by="reviewer.demo", at=timeline.appeal_reviewed_at(i)
        )
    if outcome != "upheld":
        step(0, description=f"appeals: {outcome.replace('_', ' ')}, re-evaluating {rider}")
    with unit_of_work(engine) as session:
        decided = decide_appeal(
            session,
            settings,
            case_id,
            outcome=outcome,
            by="reviewer.demo",
            reason=REASONS[outcome],
            at=decided_at,
        )
    if decided.skipped_because:
        raise RuntimeError(
            f"the re-evaluation after case {case_id} failed: {decided.skipped_because}"
        )
    changes = [c.as_dict() for c in decided.repair.changes] if decided.repair else []
    with unit_of_work(engine) as session:
        after = _points(session, rider, timeline)
    return AppealStory(rider, decision_id, penalty, case_id, outcome, before, after, changes)


def _points(session: Session, rider_id: str, timeline: Timeline) -> int:
    """The rider's active points on the demo's day, as the portal shows them."""
    return points_balance(session, rider_id, timeline.now)
