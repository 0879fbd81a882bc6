"""JSON-ready views of a case, its evidence and its timeline (the `--json` contract of the CLI)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.audit.log import events_for
from riderperf.cases.evidence import evidence_summary
from riderperf.cases.orm import Case, CaseEvidence
from riderperf.cases.sla import SlaState, sla_state
from riderperf.cases.terms import as_utc

STAMPS = (
    "submitted_at",
    "triage_at",
    "under_review_at",
    "waiting_on_rider_at",
    "decided_at",
    "closed_at",
    "first_response_at",
    "respond_by",
)


def case_view(case: Case, at: datetime, sla: SlaState | None = None) -> dict[str, Any]:
    """The case as `riderperf appeals … --json` prints it, with its SLA clocks at `at`."""
    state = sla or sla_state(case.timing, case.sla_hours, at)
    view: dict[str, Any] = {
        "case_id": case.case_id,
        "rider_id": case.rider_id,
        "subject_type": case.subject_type,
        "subject_id": case.subject_id,
        "rule_id": case.rule_id,
        "status": case.status,
        "version": case.version,
        "statement": case.statement,
        "policy_version": case.policy_version,
        "outcome": case.outcome,
        "decided_by": case.decided_by,
        "decision_reason": case.decision_reason,
        "sla": state.as_dict(),
    }
    for name in STAMPS:
        moment = getattr(case, name)
        view[name] = None if moment is None else as_utc(moment).isoformat()
    return view


def evidence_of(session: Session, case_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CaseEvidence)
        .where(CaseEvidence.case_id == case_id)
        .order_by(CaseEvidence.added_at, CaseEvidence.filename)
    )
    return [
        evidence_summary(row) | {"added_at": as_utc(row.added_at).isoformat(), "by": row.added_by}
        for row in rows
    ]


def timeline_of(session: Session, case_id: str) -> list[dict[str, Any]]:
    """The case's audit events, oldest first: the audit log is the timeline."""
    return [
        {
            "at": as_utc(event.at).isoformat(),
            "actor": event.actor,
            "action": event.action,
            "details": dict(event.details or {}),
        }
        for event in events_for(session, "case", case_id)
    ]


def full_case_view(session: Session, case: Case, at: datetime) -> dict[str, Any]:
    return case_view(case, at) | {
        "evidence": evidence_of(session, case.case_id),
        "timeline": timeline_of(session, case.case_id),
    }


def case_rows(views: Iterable[dict[str, Any]]) -> Sequence[tuple[str, ...]]:
    """Table rows for the `list` command."""
    return [
        (
            v["case_id"],
            v["rider_id"],
            f"{v['subject_type']} {v['subject_id']}",
            v["status"],
            v["sla"]["first_response"],
            v["sla"]["resolution"] + (" (paused)" if v["sla"]["paused"] else ""),
            v["sla"]["resolution_due"][:16].replace("T", " "),
        )
        for v in views
    ]
