"""Stores decisions and their ledger entries, finds them, and moves them between states.

Every decision has a unique key (period, policy version, rider, rule, kind for decide;
the compensated decision and kind for a repair), so storing the same decision twice is a
no-op the caller can see. One function, `move_decision`, changes a decision's status: it
checks the allowed pair, stamps who and when with a compare-and-set on status and version
(so two people moving the same decision at once cannot both win), and writes the audit
event.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.decisions.effects import announce_new, as_utc, record_change
from riderperf.decisions.model import DecisionDraft
from riderperf.decisions.orm import Decision, LedgerEntry
from riderperf.storage.moves import compare_and_set

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


class DecisionConflict(DecisionStateError):
    """Someone else moved the decision first (or since the caller looked): the message says
    who and when."""


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
    values: dict[str, Any] | None = None,
) -> None:
    """Moves `decision` to status `to`, stamping who and when, and records the event.

    The UPDATE is a compare-and-set on the status and version `decision` was read with: when
    two people move it at once, one UPDATE changes the row and the other changes none and
    raises DecisionConflict naming who moved it, before any event or notice is written.
    `values` are further columns the move sets (an approval's dates). The database's CHECK
    speaks in the same UPDATE.
    """
    action = check_move(decision, to)
    stamp = {"in_effect": "approved", "rejected": "rejected"}.get(to, "overturned")
    read_status, read_version = decision.status, decision.version
    written = {
        "status": to,
        "version": read_version + 1,
        "decision_reason": reason,
        f"{stamp}_by": by,
        f"{stamp}_at": at,
        **(values or {}),
    }
    moved = compare_and_set(
        session,
        Decision,
        Decision.decision_id == decision.decision_id,
        expected={"status": read_status, "version": read_version},
        values=written,
    )
    if not moved:
        session.refresh(decision)  # what beat us, to say who and when
        raise conflict_error(decision, to, read_version)
    # The row holds what we wrote; the object says so too, with the times as given (SQLite
    # would read them back without their zone).
    for name, value in written.items():
        set_committed_value(decision, name, value)
    record_change(
        session,
        decision,
        action=action,
        actor=by,
        at=at,
        details={"reason": reason} | (details or {}),
    )


def check_move(decision: Decision, to: str) -> str:
    """The audit action of moving `decision` to `to`; DecisionConflict when a person already
    reviewed or overturned it, DecisionStateError when the move is not allowed otherwise."""
    action = TRANSITIONS.get((decision.status, to))
    if action is None:
        decided = _decided(decision)
        if decided is not None:
            raise DecisionConflict(decided)
        raise DecisionStateError(_refusal(decision, to))
    return action


def check_version(decision: Decision, expected_version: int | None) -> None:
    """DecisionConflict when the caller looked at another version of the decision."""
    if expected_version is not None and decision.version != expected_version:
        raise DecisionConflict(
            f"{_what(decision)} is {decision.status} at version {decision.version}, you had "
            f"version {expected_version}: someone changed it since you looked; look again "
            f"(`riderperf decisions show {decision.decision_id}`) and retry"
        )


def conflict_error(decision: Decision, to: str, read_version: int) -> DecisionConflict:
    """The error to give someone whose move lost; `decision` holds what the row holds now."""
    decided = _decided(decision)
    if decided is not None:
        return DecisionConflict(decided)
    return DecisionConflict(
        f"{_what(decision)} changed while you were looking at it: it is now "
        f"{decision.status} at version {decision.version}, you had version {read_version}, "
        f"so it did not become {to}; look again "
        f"(`riderperf decisions show {decision.decision_id}`) and retry"
    )


def _what(decision: Decision) -> str:
    return f"decision {decision.decision_id} ({decision.kind} of rider {decision.rider_id})"


def _when(moment: datetime | None) -> str:
    utc = as_utc(moment)
    return f" at {utc.isoformat(timespec='seconds')}" if utc else ""


def _decided(decision: Decision) -> str | None:
    """Who reviewed or overturned the decision and when, or None when nobody has yet."""
    what = _what(decision)
    if decision.status == "in_effect" and decision.approved_by:
        return (
            f"{what} is already in effect: approved by {decision.approved_by}"
            f"{_when(decision.approved_at)}"
        )
    if decision.status == "rejected" and decision.rejected_by:
        return (
            f"{what} was rejected by {decision.rejected_by}{_when(decision.rejected_at)}; "
            "it cannot change any more"
        )
    if decision.status in ("overturned", "partially_overturned") and decision.overturned_by:
        return (
            f"{what} is already {decision.status.replace('_', ' ')} by "
            f"{decision.overturned_by}{_when(decision.overturned_at)}"
        )
    return None


def _refusal(decision: Decision, to: str) -> str:
    what = _what(decision)
    if decision.status == "in_effect" and to in ("in_effect", "rejected"):
        return f"{what} took effect without approval; only restrictions wait for one"
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
        "version": decision.version,
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
