"""The two work queues of the dashboard: restricting decisions awaiting a person's approval,
and appeal cases, most urgent first by their SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.api.scope import rider_scope, visible_rider_ids
from riderperf.cases.model import FINISHED
from riderperf.cases.orm import Case
from riderperf.cases.service import list_cases
from riderperf.cases.sla import SlaState
from riderperf.clock import as_utc_or_none as as_utc
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision
from riderperf.users.orm import User
from riderperf.web.views.common import rider_rows


@dataclass(frozen=True)
class Proposal:
    decision: Decision
    rider: dict[str, Any]
    numbers: dict[str, Any]  # the reason's numbers: what the rider's notice says


def approval_queue(session: Session, user: User) -> list[Proposal]:
    """Proposed reduced priority, suspensions and deactivations, oldest first."""
    found = list(
        session.scalars(
            select(Decision)
            .where(
                Decision.status == "proposed",
                Decision.kind.in_(sorted(RESTRICTING_KINDS)),
                rider_scope(user, Decision.rider_id),
            )
            .order_by(Decision.created_at, Decision.decision_id)
        )
    )
    riders = rider_rows(session, user, {d.rider_id for d in found})
    return [
        Proposal(
            d,
            riders.get(d.rider_id, {"rider_id": d.rider_id}),
            {k: v for k, v in d.reason_params.items() if k not in ("offence", "period")},
        )
        for d in found
    ]


@dataclass(frozen=True)
class QueuedCase:
    case: Case
    sla: SlaState
    badge: str  # breached, at_risk, on_track, paused or done
    due: datetime | None  # the soonest running deadline

    @property
    def submitted_at(self) -> datetime | None:
        return as_utc(self.case.submitted_at)


def appeal_queue(
    session: Session, user: User, at: datetime, *, include_finished: bool = False
) -> list[QueuedCase]:
    """Cases the user may see, sorted as `riderperf appeals list` sorts them: breached
    running clocks first, then at risk, then on track; decided and closed cases last."""
    visible = visible_rider_ids(session, user)
    queued = []
    for standing in list_cases(session, at=at):
        case = standing.case
        if visible is not None and case.rider_id not in visible:
            continue
        if case.status in FINISHED and not include_finished:
            continue
        queued.append(QueuedCase(case, standing.sla, _badge(standing.sla), _due(standing.sla)))
    return queued


def _badge(sla: SlaState) -> str:
    running = sla.running_states()
    if not running:
        return "done"
    if "breached" in running:
        return "breached"
    if "at_risk" in running:
        return "at_risk"
    return "paused" if sla.paused else "on_track"


def _due(sla: SlaState) -> datetime | None:
    due = []
    if sla.first_response_running:
        due.append(sla.first_response_due)
    if sla.resolution_running:
        due.append(sla.resolution_due)
    return min(due) if due else None
