"""The human-approval gate: a restricting decision takes effect only when a named
operations manager (or admin) approves it with a reason; rejecting it needs the same.

Directive (EU) 2024/2831 art. 10: decisions to restrict, suspend or terminate a person's
work are taken by a human being. The database refuses the shortcut too (orm.py).

A review is a compare-and-set on the proposal's status and version (records.move_decision):
when two managers approve, or one approves and one rejects, at the same moment, exactly one
review is written, with its audit event and notice in the same transaction; the other gets
DecisionConflict naming who reviewed it and when.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from riderperf.decisions.effects import as_utc, aware_utc, notify_rider
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import (
    DecisionError,
    DecisionStateError,
    check_move,
    check_version,
    get_decision,
    move_decision,
    require_reason,
)
from riderperf.users.service import APPROVERS, require_role

# Restrictions that last a number of days from approval; a deactivation has no end.
_TIMED = ("suspension", "reduced_priority")


def _proposal(
    session: Session,
    decision_id: str,
    by: str,
    reason: str,
    to: str,
    expected_version: int | None,
) -> Decision:
    """The checks every review makes, cheapest first: reason, role, decision, state,
    version. They read what the session holds; the write re-checks state and version."""
    require_reason(reason)
    require_role(session, by, APPROVERS)
    decision = get_decision(session, decision_id)
    if decision.kind not in RESTRICTING_KINDS:
        raise DecisionStateError(
            f"decision {decision_id} is a {decision.kind}, which takes effect without "
            f"approval; only {', '.join(sorted(RESTRICTING_KINDS))} wait for a person"
        )
    check_move(decision, to)
    check_version(decision, expected_version)
    return decision


def _not_before_proposal(decision: Decision, when: datetime) -> None:
    created = as_utc(decision.created_at)
    if created is not None and when < created:
        raise DecisionError(
            f"decision {decision.decision_id} was proposed at {created.isoformat()}; "
            f"it cannot be reviewed earlier ({when.isoformat()})"
        )


def approve_decision(
    session: Session,
    decision_id: str,
    *,
    by: str,
    reason: str,
    at: datetime,
    expected_version: int | None = None,
) -> Decision:
    """Puts a proposed restriction in effect from `at`: a suspension or reduced priority
    for its days, a deactivation with no end; the appeal window starts now.

    Raises DecisionConflict when someone reviewed it first, or when it is no longer at
    `expected_version` (if given)."""
    when = aware_utc(at)
    decision = _proposal(session, decision_id, by, reason, "in_effect", expected_version)
    _not_before_proposal(decision, when)
    numbers = decision.inputs.get("numbers", {})
    dates: dict[str, Any] = {"effective_from": when}
    if decision.kind in _TIMED:
        days = int(numbers.get("days") or decision.reason_params.get("days") or 0)
        dates["effective_until"] = when + timedelta(days=days)
    window = int(numbers.get("appeal_window_days", 0))
    dates["appeal_deadline"] = when.date() + timedelta(days=window)
    move_decision(
        session,
        decision,
        "in_effect",
        by=by,
        at=when,
        reason=require_reason(reason),
        values=dates,
    )
    notify_rider(session, decision, f"decision.{decision.kind}", when)
    return decision


def reject_decision(
    session: Session,
    decision_id: str,
    *,
    by: str,
    reason: str,
    at: datetime,
    expected_version: int | None = None,
) -> Decision:
    """Refuses a proposed restriction; it never takes effect and the rider is told.

    Raises DecisionConflict as approve_decision does."""
    when = aware_utc(at)
    decision = _proposal(session, decision_id, by, reason, "rejected", expected_version)
    _not_before_proposal(decision, when)
    move_decision(session, decision, "rejected", by=by, at=when, reason=require_reason(reason))
    notify_rider(session, decision, "decision.rejected", when)
    return decision
