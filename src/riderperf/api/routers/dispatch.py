"""The priority-dispatch feed: each rider's dispatch weight now, for the dispatch system."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from riderperf.api.deps import NowDep, SessionDep, read_and_release, require
from riderperf.api.errors import errors
from riderperf.api.etags import not_modified, tagged_json, weak_tag
from riderperf.api.params import OptionalId
from riderperf.api.schemas.dispatch import PriorityFeed, PriorityWeight
from riderperf.decisions.ledger import priority_weights
from riderperf.users.orm import User

router = APIRouter(prefix="/dispatch", tags=["dispatch"])
DEFAULT_WEIGHT = 1.0
Dispatcher = Annotated[User, Depends(require("read_dispatch_priority"))]


@router.get(
    "/priority",
    operation_id="getDispatchPriority",
    response_model=PriorityFeed,
    responses=not_modified("the feed's `ETag`: no weight changed") | errors(401, 403, 422),
)
async def dispatch_priority(
    session: SessionDep,
    _user: Dispatcher,
    now: NowDep,
    request: Request,
    rider_id: OptionalId = None,
) -> Response:
    """Every rider whose weight is not the default 1: tier weight, newcomer boost, reduced
    priority, 0 while suspended or deactivated. Meant for machines with an API token of an
    admin or operations-manager user; poll it, it is computed from decisions in effect now.
    Its weak `ETag` names the weights (not `at`): send it in `If-None-Match` to get
    `304 Not Modified` while no weight changed."""
    riders = None if rider_id is None else [rider_id]
    read = partial(priority_weights, at=now, rider_ids=riders)
    weights = sorted((await run_in_threadpool(read_and_release, session, read)).items())
    tag = weak_tag(repr((DEFAULT_WEIGHT, weights)).encode())
    items = [PriorityWeight(rider_id=r, weight=w) for r, w in weights]
    return tagged_json(
        request, tag, lambda: PriorityFeed(at=now, default_weight=DEFAULT_WEIGHT, items=items)
    )
