"""Stores decisions and their ledger entries, finds them, and moves them between states.

Every decision has a unique key (period, policy version, rider, rule, kind for decide;
the compensated decision and kind for a repair), so storing the same decision twice is a
no-op the caller can see. One function, `move_decision`, changes a decision's status: it
checks the allowed pair, stamps who and when, and writes the audit event.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.decisions.effects import announce_new, as_utc, record_change
from riderperf.decisions.model import DecisionDraft
from riderperf.decisions.orm import Decision, LedgerEntry

# (from, to) → audit action; nothing else moves a decision.
TRANSITIONS = {
    ("proposed", "in_effect"): "approved",
    ("proposed", "rejected"): "rejected",
    ("in_effect", "overturned"): "overturned",
    ("in_effect", "partially_overturned"): "partially_overturned",
}


class DecisionError(ValueError):
    """A decision operation that cannot be done; the message says why and what to do."""


class DecisionNotFound(DecisionError, LookupError):
    """No decision with that id."""


class DecisionStateError(DecisionError):
    """The decision is not in a state that allows the operation."""


def require_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DecisionError("a reason is needed: say why, in words the rider can be shown")
    return text


def decide_key(period: str, policy_version: str, rider_id: str, rule_id: str, kind: str) -> str:
    return f"decide|{period}|{policy_version}|{rider_id}|{rule_id}|{kind}"


def decision_id_for(key: str) -> str:
    """A stable id from the key: replaying a period names its decisions the same way."""
    return "d-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def store_draft(
    session: Session,
    draft: DecisionDraft,
    *,
    key: str,
    period: str,
    period_end: date,
    policy_version: str,
    at: datetime,
    actor: str = "system",
    compensates: str | None = None,
    case_id: str | None = None,
) -> Decision:
    """Adds the decision (and its ledger entry), writes its audit event and notice."""
    decision = Decision(
        decision_id=decision_id_for(key),
        decision_key=key,
        rider_id=draft.rider_id,
        kind=draft.kind,
        status=draft.status,
        rule_id=draft.rule_id,
        policy_version=policy_version,
        period=period,
        period_end=period_end,
        offence=draft.offence,
        inputs=draft.inputs,
        reason_params=draft.reason_params,
        created_at=at,
        appeal_deadline=draft.appeal_deadline,
        effective_from=draft.effective_from,
        effective_until=draft.effective_until,
        compensates=compensates,
        case_id=case_id,
    )
    session.add(decision)
    if draft.points:
        if draft.effective_from is None or draft.effective_until is None:
            raise ValueError(f"{draft.kind} of {draft.rider_id}: points need both dates")
        session.add(
            LedgerEntry(
                decision_id=decision.decision_id,
                rider_id=draft.rider_id,
                points=draft.points,
                effective_on=draft.effective_from.date(),
                expires_on=draft.effective_until.date(),
                created_at=at,
            )
        )
    session.flush()
    announce_new(session, decision, actor=actor, at=at)
    return decision


def existing_keys(session: Session, period: str, policy_version: str) -> set[str]:
    query = select(Decision.decision_key).where(
        Decision.period == period, Decision.policy_version == policy_version
    )
    return set(session.scalars(query))


def find_by_key(session: Session, key: str) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.decision_key == key)).first()


def get_decision(session: Session, decision_id: str) -> Decision:
    found = session.get(Decision, decision_id)
    if found is None:
        raise DecisionNotFound(
            f"no decision {decision_id!r}; `riderperf decisions list --rider RIDER` shows "
            "a rider's decisions and their ids"
        )
    return found


def decisions_for(session: Session, rider_id: str) -> list[Decision]:
    """A rider's decisions, oldest first."""
    query = (
        select(Decision)
        .where(Decision.rider_id == rider_id)
        .order_by(Decision.created_at, Decision.decision_id)
    )
    return list(session.scalars(query))


def list_decisions(
    session: Session, *, rider_id: str | None = None, status: str | None = None
) -> list[Decision]:
    query = select(Decision)
    if rider_id is not None:
        query = query.where(Decision.rider_id == rider_id)
    if status is not None:
        query = query.where(Decision.status == status)
    return list(session.scalars(query.order_by(Decision.created_at, Decision.decision_id)))


def move_decision(
    session: Session,
    decision: Decision,
    to: str,
    *,
    by: str,
    at: datetime,
    reason: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Moves `decision` to status `to`, stamping who and when, and records the event."""
    action = check_move(decision, to)
    if to == "in_effect":
        decision.approved_by, decision.approved_at = by, at
    elif to == "rejected":
        decision.rejected_by, decision.rejected_at = by, at
    else:
        decision.overturned_by, decision.overturned_at = by, at
    decision.status = to
    decision.decision_reason = reason
    session.flush()  # the database's CHECK speaks here, before anything is announced
    record_change(
        session,
        decision,
        action=action,
        actor=by,
        at=at,
        details={"reason": reason} | (details or {}),
    )


def check_move(decision: Decision, to: str) -> str:
    """The audit action of moving `decision` to `to`; DecisionStateError when not allowed."""
    action = TRANSITIONS.get((decision.status, to))
    if action is None:
        raise DecisionStateError(_refusal(decision, to))
    return action


def _refusal(decision: Decision, to: str) -> str:
    what = f"decision {decision.decision_id} ({decision.kind} of rider {decision.rider_id})"
    if decision.status == "in_effect" and to in ("in_effect", "rejected"):
        if decision.approved_by:
            return f"{what} is already in effect: approved by {decision.approved_by}"
        return f"{what} took effect without approval; only restrictions wait for one"
    if decision.status == "rejected":
        return f"{what} was rejected by {decision.rejected_by}; it cannot change any more"
    if decision.status in ("overturned", "partially_overturned"):
        return f"{what} is already {decision.status.replace('_', ' ')} by {decision.overturned_by}"
    if decision.status == "proposed":
        return (
            f"{what} is a proposal awaiting approval; reject it "
            f"(`riderperf decisions reject {decision.decision_id}`) instead of overturning it"
        )
    return f"{what} is {decision.status}; it cannot become {to}"


def decision_as_dict(decision: Decision) -> dict[str, Any]:
    """JSON-ready form of a decision (the shape of `riderperf decisions show --json`)."""

    def moment(value: datetime | None) -> str | None:
        utc = as_utc(value)
        return utc.isoformat() if utc else None

    return {
        "decision_id": decision.decision_id,
        "rider_id": decision.rider_id,
        "kind": decision.kind,
        "status": decision.status,
        "rule_id": decision.rule_id,
        "policy_version": decision.policy_version,
        "period": decision.period,
        "offence": decision.offence,
        "reason_params": decision.reason_params,
        "inputs": decision.inputs,
        "created_at": moment(decision.created_at),
        "appeal_deadline": decision.appeal_deadline.isoformat()
        if decision.appeal_deadline
        else None,
        "effective_from": moment(decision.effective_from),
        "effective_until": moment(decision.effective_until),
        "approved_by": decision.approved_by,
        "approved_at": moment(decision.approved_at),
        "rejected_by": decision.rejected_by,
        "rejected_at": moment(decision.rejected_at),
        "overturned_by": decision.overturned_by,
        "overturned_at": moment(decision.overturned_at),
        "decision_reason": decision.decision_reason,
        "compensates": decision.compensates,
        "case_id": decision.case_id,
    }
