"""Decides an appeal: records the outcome once, and repairs what an overturn undoes.

The move to decided is a compare-and-set on the case's version and status, so when two
reviewers decide the same case at the same moment exactly one wins; the other gets a
CaseConflict naming who decided it and when. The repair (compensating decisions, the
judgment override, or the violation overturned and its corrective action withdrawn)
happens in the same transaction as the winning move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from riderperf.cases.model import FINISHED, OUTCOMES, OVERTURNING, CaseError
from riderperf.cases.service import REVIEWER_ROLES, check_version, get_case
from riderperf.cases.terms import as_utc
from riderperf.cases.transition import conflict_error, transition
from riderperf.decisions.repair import overturn_decision
from riderperf.evaluation.overrides import JudgmentRef, override_judgment
from riderperf.inspections.stats import EQUIPMENT_KPI
from riderperf.inspections.violations import find_violation, overturn_violation
from riderperf.users.service import require_role

# Subjects that are overturned whole or not at all: there is no milder version of them.
WHOLE_ONLY = frozenset({"judgment", "violation"})


@dataclass(frozen=True)
class ReevaluationNeeded:
    """A rider whose judged event, or equipment violation found at an inspection, was
    overturned: every published period holding `occurred_at` (its ISO week `week`, its
    month, its quarter, rolling windows) needs evaluating again, e.g.
    `reevaluate_for_rider(settings, rider_id, [occurred_at], at=…)`. `event_id` is the
    judged event's or the violation's id."""

    rider_id: str
    event_id: str
    occurred_at: datetime
    day: date
    week: str  # e.g. 2026-W45

    def as_dict(self) -> dict[str, str]:
        return {
            "rider_id": self.rider_id,
            "event_id": self.event_id,
            "occurred_at": self.occurred_at.isoformat(),
            "day": self.day.isoformat(),
            "week": self.week,
        }


@dataclass(frozen=True)
class CaseDecision:
    """What deciding a case did."""

    case_id: str
    subject_type: str
    subject_id: str
    rider_id: str
    outcome: str
    decided_by: str
    decided_at: datetime
    version: int
    compensating_decisions: tuple[str, ...] = ()
    reevaluate: ReevaluationNeeded | None = None
    withdrawn_corrective_actions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "rider_id": self.rider_id,
            "outcome": self.outcome,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(),
            "version": self.version,
            "compensating_decisions": list(self.compensating_decisions),
            "reevaluate": None if self.reevaluate is None else self.reevaluate.as_dict(),
            "withdrawn_corrective_actions": list(self.withdrawn_corrective_actions),
        }


def decide_case(
    session: Session,
    case_id: str,
    *,
    outcome: str,
    by: str,
    reason: str,
    at: datetime,
    expected_version: int | None = None,
) -> CaseDecision:
    """Decides the case as `by` (reviewer, ops_manager or admin) and, for an overturn,
    overturns the decision, the judgment or the violation in the same transaction.

    Raises PermissionDenied, CaseNotFound, ForbiddenMove (not under review or waiting on the
    rider) and CaseConflict (decided by someone else, or changed since `expected_version`).
    """
    at = as_utc(at)
    if outcome not in OUTCOMES:
        raise CaseError(f"outcome {outcome!r}: choose one of {', '.join(OUTCOMES)}")
    if not reason.strip():
        raise CaseError("a decision needs a reason the rider can read (--reason)")
    require_role(session, by, REVIEWER_ROLES)
    case = get_case(session, case_id)
    if case.status in FINISHED:
        raise conflict_error(session, case_id, case.version)
    check_version(case, expected_version)
    if case.subject_type in WHOLE_ONLY and outcome == "partially_overturned":
        raise CaseError(
            f"case {case_id} appeals a {case.subject_type}, which is overturned whole or not "
            "at all: decide upheld or overturned"
        )
    case = transition(
        session, case, "decided", actor=by, at=at, details={"outcome": outcome, "reason": reason}
    )
    compensating: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    reevaluate = None
    if outcome in OVERTURNING and case.subject_type == "decision":
        created = overturn_decision(
            session,
            case.subject_id,
            partial=outcome == "partially_overturned",
            by=by,
            reason=reason,
            case_id=case.case_id,
            at=at,
        )
        compensating = tuple(d.decision_id for d in created)
    elif outcome in OVERTURNING and case.subject_type == "judgment":
        judgment = _judgment_ref(case.subject_id, case.rider_id, case.subject_details)
        override_judgment(
            session,
            case.subject_id,
            party="none",
            case_id=case.case_id,
            by=by,
            at=at,
            judgment=judgment,
        )
        reevaluate = _reevaluation(case.rider_id, case.subject_id, judgment.occurred_at)
    elif outcome in OVERTURNING and case.subject_type == "violation":
        withdrawn = tuple(
            overturn_violation(
                session, case.subject_id, by=by, case_id=case.case_id, reason=reason, at=at
            )
        )
        violation = find_violation(session, case.subject_id)
        # The overturned item no longer counts in equipment compliance (it is void), so
        # the scores of the periods holding the inspection change; other violations do
        # not enter any score.
        if violation is not None and violation.kpi == EQUIPMENT_KPI:
            reevaluate = _reevaluation(
                violation.rider_id, violation.violation_id, violation.found_at
            )
    return CaseDecision(
        case_id=case.case_id,
        subject_type=case.subject_type,
        subject_id=case.subject_id,
        rider_id=case.rider_id,
        outcome=outcome,
        decided_by=by,
        decided_at=at,
        version=case.version,
        compensating_decisions=compensating,
        reevaluate=reevaluate,
        withdrawn_corrective_actions=withdrawn,
    )


def _reevaluation(rider_id: str, event_id: str, occurred_at: datetime) -> ReevaluationNeeded:
    day = occurred_at.date()
    year, week, _ = day.isocalendar()
    return ReevaluationNeeded(rider_id, event_id, occurred_at, day, f"{year:04d}-W{week:02d}")


def _judgment_ref(event_id: str, rider_id: str, details: dict[str, Any]) -> JudgmentRef:
    """The appealed judgment as it stood when the appeal was submitted."""
    return JudgmentRef(
        event_id=event_id,
        event=str(details.get("event") or ""),
        order_id=details.get("order_id"),
        rider_id=rider_id,
        occurred_at=datetime.fromisoformat(str(details["occurred_at"])),
        party=str(details.get("party") or "rider"),
        rule=str(details.get("rule") or ""),
        policy_version=str(details.get("policy_version") or ""),
        explanation=str(details.get("explanation") or ""),
    )
