"""The demo's second act: decide the last weeks, approve and reject restrictions, and run
appeals to their outcome, as the people of an operations team would."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from riderperf.audit.verify import ChainReport, verify_chain
from riderperf.cases.decide import decide_case
from riderperf.cases.service import (
    appeal_terms_in_force,
    decision_appeal_subject,
    move_case,
    submit_appeal,
)
from riderperf.config import Settings
from riderperf.decisions import RESTRICTING_KINDS, approve_decision, reject_decision
from riderperf.decisions.ledger import ledger_for
from riderperf.decisions.orm import Decision
from riderperf.decisions.service import decide_period
from riderperf.evaluation.reevaluate import reevaluate_after_overturn
from riderperf.metrics.periods import Period
from riderperf.storage.db import make_engine, unit_of_work
from riderperf.users.orm import User
from riderperf.users.service import create_user

# Demo staff: (username, role). Passwords are set where the web exists (riderperf serve).
STAFF = (
    ("admin.demo", "admin"),
    ("ops.demo", "ops_manager"),
    ("reviewer.demo", "reviewer"),
    ("inspector.demo", "inspector"),
)
OUTCOMES = ("overturned", "partially_overturned", "upheld")
REASONS = {
    "overturned": "The late orders were the restaurant's: food was ready after the rider came.",
    "partially_overturned": "Two of the late orders were in the storm; the rest stand.",
    "upheld": "The timeline shows the rider stopped on the way; the penalty stands.",
}


@dataclass
class AppealStory:
    rider_id: str
    decision_id: str
    case_id: str
    outcome: str
    points_before: int
    points_after: int
    score_change: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class WorkflowResult:
    decided: dict[str, dict[str, int]]  # week -> kind -> count
    approved: list[str]
    rejected: list[str]
    appeals: list[AppealStory]
    audit: ChainReport


def run_workflow(settings: Settings, weeks: list[Period], at: datetime) -> WorkflowResult:
    """Decides `weeks` in order, has ops.demo approve all but one proposed restriction of
    the last week, and walks three penalties of the last week through an appeal each."""
    engine = make_engine(settings.app_database_url)
    try:
        with unit_of_work(engine) as session:
            for name, role in STAFF:
                if session.get(User, name) is None:
                    create_user(session, name, role, at=at)
        decided = {
            week.label: dict(Counter(k for _, k, _ in decide_period(settings, week, at=at).created))
            for week in weeks
        }
        approved, rejected = _approvals(engine, weeks[-1].label, at)
        appeals = [
            _appeal(settings, engine, decision_id, outcome, at)
            for decision_id, outcome in zip(
                _penalties(engine, weeks[-1].label), OUTCOMES, strict=False
            )
        ]
        return WorkflowResult(decided, approved, rejected, appeals, verify_chain(engine))
    finally:
        engine.dispose()


def _approvals(engine: Any, week: str, at: datetime) -> tuple[list[str], list[str]]:
    with unit_of_work(engine) as session:
        proposed = session.scalars(
            select(Decision)
            .where(Decision.period == week, Decision.status == "proposed")
            .where(Decision.kind.in_(sorted(RESTRICTING_KINDS)))
            .order_by(Decision.decision_id)
        ).all()
        approved, rejected = [], []
        for i, decision in enumerate(proposed):
            if i == 0:
                reject_decision(
                    session,
                    decision.decision_id,
                    by="ops.demo",
                    reason="The document was renewed yesterday; the record is not updated yet.",
                    at=at,
                )
                rejected.append(decision.decision_id)
            else:
                approve_decision(
                    session,
                    decision.decision_id,
                    by="ops.demo",
                    reason="Checked the record: the measure follows the policy.",
                    at=at,
                )
                approved.append(decision.decision_id)
    return approved, rejected


def _penalties(engine: Any, week: str) -> list[str]:
    """Points for late deliveries in `week`, one per rider, the most points first."""
    with unit_of_work(engine) as session:
        found = session.scalars(
            select(Decision)
            .where(Decision.period == week, Decision.kind == "points")
            .where(Decision.status == "in_effect", Decision.offence == "late_deliveries")
            .order_by(Decision.decision_id)
        ).all()
        return list(dict.fromkeys(d.decision_id for d in found))[: len(OUTCOMES)]


def _appeal(
    settings: Settings, engine: Any, decision_id: str, outcome: str, at: datetime
) -> AppealStory:
    terms = appeal_terms_in_force(engine, at)
    with unit_of_work(engine) as session:
        subject = decision_appeal_subject(session, decision_id)
        rider = str(subject.rider_id)
        before = _points(session, rider)
        case = submit_appeal(
            session,
            subject,
            rider_id=rider,
            statement="I waited at the restaurant each time; the app shows my arrival.",
            terms=terms,
            at=at,
            home=settings.home,
        )
        case_id = case.case_id
        move_case(session, case_id, "under_review", by="reviewer.demo", at=at)
        result = decide_case(
            session, case_id, outcome=outcome, by="reviewer.demo", reason=REASONS[outcome], at=at
        )
    changes = []
    if outcome != "upheld":
        changes = [c.as_dict() for c in reevaluate_after_overturn(settings, result).changes]
    with unit_of_work(engine) as session:
        after = _points(session, rider)
    return AppealStory(rider, decision_id, case_id, outcome, before, after, changes)


def _points(session: Any, rider_id: str) -> int:
    """Points the rider's ledger holds in all (the demo's weeks lie in the past, so the
    balance on today's date would already have expired them)."""
    return sum(e.points for e in ledger_for(session, rider_id))


def print_workflow(result: WorkflowResult, console: Console) -> None:
    kinds = sorted({k for counts in result.decided.values() for k in counts})
    table = Table(title="decisions made by the policy (restrictions wait for a person)")
    table.add_column("decision")
    for week in result.decided:
        table.add_column(week, justify="right")
    for kind in kinds:
        marker = " (needs approval)" if kind in RESTRICTING_KINDS else ""
        table.add_row(
            kind.replace("_", " ") + marker,
            *(f"{counts.get(kind, 0):,}" for counts in result.decided.values()),
        )
    console.print(table)
    console.print(
        f"ops.demo approved {len(result.approved)} proposed restriction(s) and rejected "
        f"{len(result.rejected)}, each with a reason"
    )
    appeals = Table(title="appeals of penalty points, decided by reviewer.demo")
    for col in ("rider", "case", "outcome", "points before", "after", "score before → after"):
        appeals.add_column(col)
    for story in result.appeals:
        moves = ", ".join(
            f"{c['period']}: {c['old_score']:.0f} → {c['new_score']:.0f}"
            for c in story.score_change
            if c["old_score"] is not None and c["new_score"] is not None
        )
        appeals.add_row(
            story.rider_id,
            story.case_id,
            story.outcome,
            str(story.points_before),
            str(story.points_after),
            moves or "unchanged",
        )
    console.print(appeals)
    if result.appeals:
        rider = result.appeals[0].rider_id
        console.print(f"the rider's notices: riderperf notices {rider}")
    verdict = "intact" if result.audit.ok else f"BROKEN: {result.audit.problem}"
    console.print(f"audit log: {result.audit.events:,} events, chain {verdict}")
