"""The priority-dispatch feed: each rider's dispatch weight now, for the dispatch system."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import errors
from riderperf.api.params import OptionalId
from riderperf.api.schemas.dispatch import PriorityFeed, PriorityWeight
from riderperf.decisions.ledger import priority_weights
from riderperf.users.orm import User

router = APIRouter(prefix="/dispatch", tags=["dispatch"])
Dispatcher = Annotated[User, Depends(require("read_dispatch_priority"))]


@router.get(
    "/priority",
    operation_id="getDispatchPriority",
    response_model=PriorityFeed,
    responses=errors(401, 403, 422),
)
def dispatch_priority(
    session: SessionDep, _user: Dispatcher, now: NowDep, rider_id: OptionalId = None
) -> PriorityFeed:
    """Every rider whose weight is not the default 1: tier weight, newcomer boost, reduced
    priority, 0 while suspended or deactivated. Meant for machines with an API token of an
    admin or operations-manager user; poll it, it is computed from decisions in effect now."""
    weights = priority_weights(session, now, None if rider_id is None else [rider_id])
    items = [PriorityWeight(rider_id=r, weight=w) for r, w in sorted(weights.items())]
    return PriorityFeed(at=now, default_weight=1.0, items=items)
