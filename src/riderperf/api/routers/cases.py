"""Appeal cases for reviewers: list by SLA urgency, read with the timeline, move, decide.

Deciding an overturn re-evaluates the affected periods after the decision is committed
(`workflows.appeals.decide_appeal`), holding the warehouse for writing while it runs.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import ApiError, errors, not_found
from riderperf.api.params import CaseIdPath, Limit, Offset, OptionalId
from riderperf.api.schemas.cases import (
    CaseDecide,
    CaseDecisionRead,
    CaseDetail,
    CaseMove,
    CasePage,
    CaseRead,
    ReevaluationRead,
)
from riderperf.api.scope import can_see_rider, visible_rider_ids
from riderperf.cases.model import CaseNotFound
from riderperf.cases.orm import Case
from riderperf.cases.service import get_case, list_cases, move_case
from riderperf.cases.views import case_view, full_case_view
from riderperf.users.orm import User
from riderperf.workflows.appeals import AppealDecided, decide_appeal

router = APIRouter(prefix="/cases", tags=["cases"])
Reader = Annotated[User, Depends(require("read_cases"))]
Reviewer = Annotated[User, Depends(require("decide_cases"))]
log = logging.getLogger(__name__)


@router.get("", operation_id="listCases", response_model=CasePage, responses=errors(401, 403, 422))
def list_cases_route(
    session: SessionDep,
    user: Reader,
    now: NowDep,
    sla: Annotated[
        str | None,
        Query(
            pattern=r"^(breached|at_risk|on_track)$",
            description="Only cases with a clock in this state.",
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(pattern=r"^(submitted|triage|under_review|waiting_on_rider|decided|closed)$"),
    ] = None,
    rider_id: OptionalId = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CasePage:
    """Cases the caller may see, most urgent first (breached, at risk, then by due time),
    each with its SLA clocks now."""
    standings = list_cases(session, sla=sla, status=status, at=now)
    visible = visible_rider_ids(session, user)
    kept = [
        s
        for s in standings
        if (visible is None or s.case.rider_id in visible)
        and (rider_id is None or s.case.rider_id == rider_id)
    ]
    page = kept[offset : offset + limit]
    items = [CaseRead(**case_view(s.case, now, s.sla)) for s in page]
    return CasePage(items=items, total=len(kept), limit=limit, offset=offset)


@router.get(
    "/{case_id}",
    operation_id="getCase",
    response_model=CaseDetail,
    responses=errors(401, 403, 404, 422),
)
def get_case_route(
    case_id: CaseIdPath, session: SessionDep, user: Reader, now: NowDep
) -> CaseDetail:
    """A case with its clocks, evidence files and timeline (the audit log of the case)."""
    case = visible_case(session, user, case_id)
    return CaseDetail(**full_case_view(session, case, now))


@router.post(
    "/{case_id}/move",
    operation_id="moveCase",
    response_model=CaseRead,
    responses=errors(401, 403, 404, 409, 422),
)
def move(
    case_id: CaseIdPath, body: CaseMove, session: SessionDep, user: Reviewer, now: NowDep
) -> CaseRead:
    """Triage, take under review, ask the rider (the question goes in `note`) or close.
    409 when the move is not allowed from the case's state or the case changed since
    `expected_version`."""
    visible_case(session, user, case_id)
    if body.to == "waiting_on_rider" and not (body.note or "").strip():
        raise ApiError(422, "asking the rider needs the question in `note`")
    case = move_case(
        session,
        case_id,
        body.to,
        by=user.username,
        at=now,
        note=body.note,
        expected_version=body.expected_version,
    )
    session.commit()
    return CaseRead(**case_view(case, now))


@router.post(
    "/{case_id}/decide",
    operation_id="decideCase",
    response_model=CaseDecisionRead,
    responses=errors(401, 403, 404, 409, 422),
)
def decide(
    case_id: CaseIdPath,
    body: CaseDecide,
    request: Request,
    session: SessionDep,
    user: Reviewer,
    now: NowDep,
) -> CaseDecisionRead:
    """Decide an appeal: upheld, overturned or partially overturned, with a reason the rider
    reads. An overturn repairs the decision or judgment at once, then the rider's periods
    are evaluated again. 409 when someone else decided it first."""
    visible_case(session, user, case_id)
    decided = decide_appeal(
        session,
        request.app.state.settings,
        case_id,
        outcome=body.outcome,
        by=user.username,
        reason=body.reason,
        at=now,
        expected_version=body.expected_version,
        guard=request.app.state.warehouse.writing,
    )
    return CaseDecisionRead(
        **{k: v for k, v in decided.decision.as_dict().items() if k != "reevaluate"},
        reevaluation=reevaluation_read(decided),
    )


def reevaluation_read(decided: AppealDecided) -> ReevaluationRead:
    """What followed the decision: nothing needed, done, or skipped and what is left to do
    (the decision is committed already)."""
    if decided.reevaluation == "skipped":
        return ReevaluationRead(
            status="skipped",
            message=f"{decided.skipped_because}; the decision stands: run `riderperf evaluate` "
            "for the affected periods",
        )
    if decided.reevaluation == "not_needed" or decided.repair is None:
        return ReevaluationRead(status="not_needed")
    repair = decided.repair
    periods: list[dict[str, Any]] = [c.as_dict() for c in repair.changes]
    return ReevaluationRead(status="done", periods=periods, compensations=repair.compensations)


def visible_case(session: SessionDep, user: User, case_id: str) -> Case:
    """The case when the caller may see its rider; 404 otherwise, as for an unknown id."""
    try:
        case = get_case(session, case_id)
    except CaseNotFound:
        raise not_found(f"case {case_id}") from None
    if not can_see_rider(session, user, case.rider_id):
        raise not_found(f"case {case_id}")
    return case
