"""The case page: what is appealed and why, the rider's words, the evidence files, the SLA
clocks and the timeline read from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.api.scope import can_see_rider
from riderperf.audit.log import events_for
from riderperf.cases.model import FINISHED, MOVES
from riderperf.cases.orm import Case, CaseEvidence
from riderperf.cases.service import case_sla
from riderperf.cases.sla import SlaState
from riderperf.clock import as_utc_or_none as as_utc
from riderperf.decisions.orm import Decision
from riderperf.users.orm import User
from riderperf.web.views.common import rider_rows


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


@dataclass(frozen=True)
class CasePage:
    case: Case
    rider: dict[str, Any]
    sla: SlaState
    evidence: list[CaseEvidence]
    timeline: list[TimelineEntry]
    decision: Decision | None  # the appealed decision, for a decision's appeal
    can_take_up: bool
    can_decide: bool
    can_close: bool

    @property
    def open(self) -> bool:
        return self.case.status not in FINISHED


def find_visible_case(session: Session, user: User, case_id: str) -> Case | None:
    """The case, or None when unknown or about a rider outside the user's scope."""
    case = session.get(Case, case_id)
    if case is None or not can_see_rider(session, user, case.rider_id):
        return None
    return case


def case_page(session: Session, user: User, case: Case, at: datetime) -> CasePage:
    moves = MOVES.get(case.status, frozenset())
    decision = session.get(Decision, case.subject_id) if case.subject_type == "decision" else None
    return CasePage(
        case=case,
        rider=rider_rows(session, user, [case.rider_id]).get(
            case.rider_id, {"rider_id": case.rider_id}
        ),
        sla=case_sla(case, at),
        evidence=evidence_of(session, case.case_id),
        timeline=timeline_of(session, case.case_id),
        decision=decision,
        can_take_up="under_review" in moves and case.status != "waiting_on_rider",
        # A case is decided once under review or waiting on the rider; the decide form takes
        # a submitted or triaged case up first.
        can_decide=case.status not in FINISHED,
        can_close=case.status == "decided",
    )


def evidence_of(session: Session, case_id: str) -> list[CaseEvidence]:
    return list(
        session.scalars(
            select(CaseEvidence)
            .where(CaseEvidence.case_id == case_id)
            .order_by(CaseEvidence.added_at, CaseEvidence.filename)
        )
    )


def timeline_of(session: Session, case_id: str) -> list[TimelineEntry]:
    """Every event of the case from the audit log, oldest first."""
    return [
        TimelineEntry(as_utc(e.at) or e.at, e.actor, e.action, e.details)
        for e in events_for(session, "case", case_id)
    ]
