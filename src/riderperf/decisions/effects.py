"""Tells the audit log and the rider about a decision: one event per state change, one
notice per thing the rider must know, with the parameters the notice catalogue expects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.clock import as_utc_or_none as as_utc
from riderperf.decisions.model import REPAIR_KINDS, REWARD_KINDS
from riderperf.decisions.orm import Decision
from riderperf.notices.service import issue_notice

SUBJECT = "decision"
DATE_PARAMS = ("expires_on", "expired_on", "until", "appeal_deadline")
# Kinds whose notice says until when they last.
_UNTIL_KINDS = ("suspension", "newcomer_boost")


def aware_utc(at: datetime, what: str = "at") -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware time (UTC), not {at.isoformat()}")
    return at.astimezone(UTC)


def notice_params(decision: Decision, notice_kind: str) -> dict[str, Any]:
    """The parameters of the rider's notice about `decision` (dates as dates)."""
    params: dict[str, Any] = {
        key: date.fromisoformat(value) if key in DATE_PARAMS and isinstance(value, str) else value
        for key, value in decision.reason_params.items()
        if value is not None and value != ""
    }
    params["period"] = decision.period
    # A repair or a reward says what changed, not the offence again.
    if decision.offence and decision.kind not in (*REWARD_KINDS, *REPAIR_KINDS):
        params["offence"] = decision.offence
    until = as_utc(decision.effective_until)
    if decision.kind in _UNTIL_KINDS and until is not None:
        params["until"] = until.date()
    if notice_kind == "decision.proposed_restriction":
        params["restriction"] = decision.kind
    elif notice_kind == "decision.rejected":
        return {"restriction": decision.kind, "period": decision.period}
    elif decision.appeal_deadline and decision.kind not in (*REWARD_KINDS, *REPAIR_KINDS):
        params["appeal_deadline"] = decision.appeal_deadline
    return params


def audit_details(decision: Decision, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    details: dict[str, Any] = {
        "kind": decision.kind,
        "status": decision.status,
        "rule_id": decision.rule_id,
        "offence": decision.offence,
        "period": decision.period,
        "policy_version": decision.policy_version,
    }
    if decision.compensates:
        details["compensates"] = decision.compensates
    if decision.case_id:
        details["case_id"] = decision.case_id
    return details | dict(extra or {})


def record_change(
    session: Session,
    decision: Decision,
    *,
    action: str,
    actor: str,
    at: datetime,
    details: Mapping[str, Any] | None = None,
) -> None:
    """One audit event `decision.<action>` for `decision`, inside the caller's transaction."""
    record_event(
        session,
        actor=actor,
        action=f"decision.{action}",
        subject_type=SUBJECT,
        subject_id=decision.decision_id,
        at=at,
        rider_id=decision.rider_id,
        details=audit_details(decision, details),
    )


def notify_rider(session: Session, decision: Decision, notice_kind: str, at: datetime) -> None:
    issue_notice(
        session,
        rider_id=decision.rider_id,
        kind=notice_kind,
        params=notice_params(decision, notice_kind),
        at=at,
        subject_type=SUBJECT,
        subject_id=decision.decision_id,
    )


def announce_new(session: Session, decision: Decision, *, actor: str, at: datetime) -> None:
    """A new decision: proposed restrictions tell the rider a person will review them;
    everything else takes effect and is notified as what it is."""
    if decision.status == "proposed":
        record_change(session, decision, action="proposed", actor=actor, at=at)
        notify_rider(session, decision, "decision.proposed_restriction", at)
    else:
        record_change(session, decision, action="applied", actor=actor, at=at)
        notify_rider(session, decision, f"decision.{decision.kind}", at)
