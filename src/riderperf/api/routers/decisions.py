"""Decisions: list and read them within the caller's scope; approve or reject a proposed
restriction (operations managers and admins only, with a reason)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import errors, not_found
from riderperf.api.params import ID_PATTERN, DecisionIdPath, Limit, Offset, OptionalId
from riderperf.api.schemas.decisions import DecisionPage, DecisionRead, DecisionReview
from riderperf.api.scope import can_see_rider, rider_scope
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.model import RESTRICTING_KINDS
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import DecisionNotFound, decision_as_dict, get_decision
from riderperf.users.orm import User

router = APIRouter(prefix="/decisions", tags=["decisions"])
Reader = Annotated[User, Depends(require("read_decisions"))]
Approver = Annotated[User, Depends(require("approve_decisions"))]


@router.get(
    "", operation_id="listDecisions", response_model=DecisionPage, responses=errors(401, 403, 422)
)
def list_decisions(
    session: SessionDep,
    user: Reader,
    rider_id: OptionalId = None,
    status: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    kind: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    period: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    restricting: Annotated[bool | None, Query(description="Only restrictions (or none).")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DecisionPage:
    """Decisions the caller may see, newest first; `status=proposed&restricting=true` is the
    queue of restrictions awaiting a person."""
    where = [rider_scope(user, Decision.rider_id)]
    for column, value in (
        (Decision.rider_id, rider_id),
        (Decision.status, status),
        (Decision.kind, kind),
        (Decision.period, period),
    ):
        if value is not None:
            where.append(column == value)
    if restricting is not None:
        inside = Decision.kind.in_(sorted(RESTRICTING_KINDS))
        where.append(inside if restricting else ~inside)
    total = session.scalar(select(func.count()).select_from(Decision).where(*where)) or 0
    rows = session.scalars(
        select(Decision)
        .where(*where)
        .order_by(Decision.created_at.desc(), Decision.decision_id)
        .limit(limit)
        .offset(offset)
    )
    return DecisionPage(items=[read(d) for d in rows], total=total, limit=limit, offset=offset)


@router.get(
    "/{decision_id}",
    operation_id="getDecision",
    response_model=DecisionRead,
    responses=errors(401, 403, 404, 422),
)
def get_decision_route(
    decision_id: DecisionIdPath, session: SessionDep, user: Reader
) -> DecisionRead:
    """One decision with its rule, policy version, inputs and review."""
    return read(_visible(session, user, decision_id))


@router.post(
    "/{decision_id}/approve",
    operation_id="approveDecision",
    response_model=DecisionRead,
    responses=errors(401, 403, 404, 409, 422),
)
def approve(
    decision_id: DecisionIdPath,
    body: DecisionReview,
    session: SessionDep,
    user: Approver,
    now: NowDep,
) -> DecisionRead:
    """Put a proposed restriction in effect from now (a named human approves it); the rider
    is notified and their appeal window opens. 409 when it is not awaiting approval (someone
    approved or rejected it first: the message says who and when) or is no longer at
    `expected_version`."""
    _visible(session, user, decision_id)
    decision = approve_decision(
        session,
        decision_id,
        by=user.username,
        reason=body.reason,
        at=now,
        expected_version=body.expected_version,
    )
    session.commit()
    return read(decision)


@router.post(
    "/{decision_id}/reject",
    operation_id="rejectDecision",
    response_model=DecisionRead,
    responses=errors(401, 403, 404, 409, 422),
)
def reject(
    decision_id: DecisionIdPath,
    body: DecisionReview,
    session: SessionDep,
    user: Approver,
    now: NowDep,
) -> DecisionRead:
    """Refuse a proposed restriction: it never takes effect, and the rider is told. 409 as
    for approving."""
    _visible(session, user, decision_id)
    decision = reject_decision(
        session,
        decision_id,
        by=user.username,
        reason=body.reason,
        at=now,
        expected_version=body.expected_version,
    )
    session.commit()
    return read(decision)


def _visible(session: SessionDep, user: User, decision_id: str) -> Decision:
    try:
        decision = get_decision(session, decision_id)
    except DecisionNotFound:
        raise not_found(f"decision {decision_id}") from None
    if not can_see_rider(session, user, decision.rider_id):
        raise not_found(f"decision {decision_id}")
    return decision


def read(decision: Decision) -> DecisionRead:
    return DecisionRead(**decision_as_dict(decision))
