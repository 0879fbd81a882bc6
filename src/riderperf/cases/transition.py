"""Moves a case between states: the only code that writes a case's status.

`transition` checks the pair, stamps the state's timestamp, keeps the SLA pauses, bumps
the version with a compare-and-set (so two people moving the same case at once cannot
both win), writes the audit event that is also the case timeline, and tells the rider.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.cases.model import (
    FINISHED,
    INITIAL_STATE,
    OUTCOMES,
    PAUSED_STATE,
    AppealAlreadyFiled,
    CaseConflict,
    CaseError,
    CaseNotFound,
    CaseTiming,
    check_move,
    pauses_to_json,
    step_timing,
)
from riderperf.cases.orm import Case
from riderperf.cases.sla import sla_state
from riderperf.cases.terms import AppealSubject, AppealTerms, as_utc
from riderperf.notices.service import issue_notice
from riderperf.storage.moves import compare_and_set


def transition(
    session: Session,
    case: Case,
    to_state: str,
    *,
    actor: str,
    at: datetime,
    details: Mapping[str, Any] | None = None,
) -> Case:
    """Moves `case` to `to_state` at `at` on behalf of `actor`; returns the refreshed case.

    `details` go into the audit event. Moving to waiting_on_rider needs `question`; moving
    to decided needs `outcome` and `reason`. Raises ForbiddenMove for a pair that is not
    allowed and CaseConflict when the case changed since it was read.
    """
    extra = dict(details or {})
    from_state = case.status
    check_move(case.case_id, from_state, to_state)
    at = as_utc(at)
    last = as_utc(case.last_moved_at)
    if at < last:
        raise CaseError(
            f"case {case.case_id}: a move at {at.isoformat()} would come before its last "
            f"move at {last.isoformat()}; give a later time"
        )
    values = _move_values(case, from_state, to_state, at, actor, extra)
    moved = compare_and_set(
        session,
        Case,
        Case.case_id == case.case_id,
        expected={"status": from_state, "version": case.version},
        values=values,
    )
    if not moved:
        raise conflict_error(session, case.case_id, case.version)
    session.refresh(case)
    record_event(
        session,
        actor=actor,
        action=f"case.{to_state}",
        subject_type="case",
        subject_id=case.case_id,
        at=at,
        rider_id=case.rider_id,
        details={"from": from_state, "to": to_state, "version": case.version, **extra},
    )
    issue_notice(
        session,
        rider_id=case.rider_id,
        kind=f"case.{to_state}",
        params=_notice_params(case, to_state, extra),
        at=at,
        subject_type="case",
        subject_id=case.case_id,
    )
    return case


def open_case(
    session: Session,
    case_id: str,
    subject: AppealSubject,
    *,
    rider_id: str,
    statement: str,
    terms: AppealTerms,
    at: datetime,
) -> Case:
    """Creates the case in its initial state, with its audit event and the rider's notice."""
    at = as_utc(at)
    case = Case(
        case_id=case_id,
        rider_id=rider_id,
        subject_type=subject.subject_type,
        subject_id=subject.subject_id,
        rule_id=subject.rule_id,
        subject_details=subject.details,
        statement=statement,
        status=INITIAL_STATE,
        version=1,
        policy_version=terms.policy_version,
        first_response_hours=terms.sla.first_response,
        resolution_hours=terms.sla.resolution,
        at_risk_fraction=terms.sla.at_risk_fraction,
        respond_by_hours=terms.respond_by_hours,
        submitted_at=at,
        last_moved_at=at,
        pauses=[],
    )
    session.add(case)
    try:
        session.flush()
    except IntegrityError as exc:
        # Someone appealed the same subject between our check and our insert.
        raise AppealAlreadyFiled(
            f"{subject.label} was appealed at the same moment by another request; "
            "a subject is appealed once (`riderperf appeals list` shows the case)"
        ) from exc
    due = sla_state(CaseTiming(submitted_at=at), terms.sla, at).resolution_due
    record_event(
        session,
        actor=rider_id,
        action="case.submitted",
        subject_type="case",
        subject_id=case_id,
        at=at,
        rider_id=rider_id,
        details={
            "to": INITIAL_STATE,
            "version": 1,
            "subject_type": subject.subject_type,
            "subject_id": subject.subject_id,
            "statement": statement,
            "policy_version": terms.policy_version,
            "resolution_due": due.isoformat(),
        },
    )
    issue_notice(
        session,
        rider_id=rider_id,
        kind="case.submitted",
        params={"case_id": case_id, "subject": subject.label, "resolution_due": due},
        at=at,
        subject_type="case",
        subject_id=case_id,
    )
    return case


def conflict_error(session: Session, case_id: str, expected_version: int) -> CaseError:
    """The error to give someone whose write lost: who decided the case, or what changed."""
    row = session.execute(
        select(Case.status, Case.version, Case.decided_by, Case.decided_at, Case.outcome).where(
            Case.case_id == case_id
        )
    ).one_or_none()
    if row is None:
        return CaseNotFound(f"no case {case_id}")
    status, version, decided_by, decided_at, outcome = row
    if status in FINISHED and decided_at is not None:
        return CaseConflict(
            f"case {case_id} was decided by {decided_by} at "
            f"{as_utc(decided_at).isoformat(timespec='seconds')} (outcome {outcome}); "
            f"it is {status} now, so it cannot be decided again"
        )
    return CaseConflict(
        f"case {case_id} changed while you were working on it: it is now {status} at version "
        f"{version}, you had version {expected_version}; look at it again "
        f"(`riderperf appeals show {case_id}`) and retry"
    )


def _move_values(
    case: Case, from_state: str, to_state: str, at: datetime, actor: str, extra: dict[str, Any]
) -> dict[str, Any]:
    timing = step_timing(case.timing, from_state, to_state, at)
    values: dict[str, Any] = {
        "status": to_state,
        "version": case.version + 1,
        "last_moved_at": at,
        f"{to_state}_at": at,
        "first_response_at": timing.first_response_at,
        "pauses": pauses_to_json(timing.pauses),
    }
    if from_state == PAUSED_STATE:
        values["respond_by"] = None
    if to_state == PAUSED_STATE:
        if not str(extra.get("question") or "").strip():
            raise CaseError(
                f"case {case.case_id}: say what the rider should answer when asking them "
                "(a question, e.g. --note)"
            )
        values["respond_by"] = at + timedelta(hours=case.respond_by_hours)
    if to_state == "decided":
        outcome, reason = extra.get("outcome"), str(extra.get("reason") or "").strip()
        if outcome not in OUTCOMES:
            raise CaseError(
                f"case {case.case_id}: outcome {outcome!r} is not one of {', '.join(OUTCOMES)}"
            )
        if not reason:
            raise CaseError(f"case {case.case_id}: a decision needs a reason the rider can read")
        values |= {"outcome": outcome, "decided_by": actor, "decision_reason": reason}
    return values


def _notice_params(case: Case, to_state: str, extra: dict[str, Any]) -> dict[str, Any]:
    if to_state == PAUSED_STATE:
        respond_by = case.respond_by
        return {
            "question": str(extra["question"]),
            "respond_by": None if respond_by is None else as_utc(respond_by),
        }
    if to_state == "decided":
        return {"outcome": case.outcome, "reason": case.decision_reason}
    if to_state == "closed":
        return {"case_id": case.case_id}
    return {}
