"""Published scorecards: a rider's latest, by period and history, and a period's list."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Connection, RowMapping, func, select

from riderperf.api.deps import SessionDep, loop_reads, require
from riderperf.api.errors import errors, not_found
from riderperf.api.etags import not_modified, strong_tag, tagged_bytes
from riderperf.api.params import ID_PATTERN, Limit, Offset, PeriodPath, PeriodQuery, RiderIdPath
from riderperf.api.schemas.scorecards import (
    ScorecardPage,
    ScorecardRead,
    ScorecardSummary,
    scorecard_json,
)
from riderperf.api.scope import require_visible_rider, rider_scope
from riderperf.evaluation.cards import card_dict
from riderperf.evaluation.orm import Scorecard
from riderperf.evaluation.published import (
    latest_card_row,
    published_card_row,
    published_evaluation,
    published_scorecards,
)
from riderperf.users.orm import User

router = APIRouter(tags=["scorecards"])
Reader = Annotated[User, Depends(require("read_scorecards"))]
_NEWEST = (Scorecard.period_end.desc(), Scorecard.period)
# A scorecard read answers 304 to a caller holding its tag (see `riderperf.api.etags`).
_REVALIDATED = not_modified("the scorecard's `ETag`")


@router.get(
    "/riders/{rider_id}/scorecard",
    operation_id="getLatestScorecard",
    response_model=ScorecardRead,
    responses=_REVALIDATED | errors(401, 403, 404, 422),
)
async def latest_scorecard(rider_id: RiderIdPath, user: Reader, request: Request) -> Response:
    """The rider's newest published scorecard (latest period, latest evaluation). Send its
    `ETag` in `If-None-Match` to get `304 Not Modified` while it is still the newest."""
    read = partial(_visible_card, user, rider_id, latest_card_row)
    found = loop_reads(request).read(read)
    if found is None:
        raise not_found(f"a published scorecard of rider {rider_id}")
    return tagged_scorecard(request, found)


@router.get(
    "/riders/{rider_id}/scorecards/{period}",
    operation_id="getScorecard",
    response_model=ScorecardRead,
    responses=_REVALIDATED | errors(401, 403, 404, 422),
)
async def scorecard_for_period(
    rider_id: RiderIdPath, period: PeriodPath, user: Reader, request: Request
) -> Response:
    """The rider's scorecard of one period, from the period's published evaluation, with
    every KPI's contribution to the score and the explanation of the tier. Send its `ETag`
    in `If-None-Match` to get `304 Not Modified` until another evaluation is published."""
    read = partial(_visible_card, user, rider_id, partial(published_card_row, period=period))
    found = loop_reads(request).read(read)
    if found is None:
        raise not_found(f"a scorecard of rider {rider_id} for {period}")
    return tagged_scorecard(request, found)


def _visible_card(
    user: User, rider_id: str, find: Callable[..., RowMapping | None], connection: Connection
) -> RowMapping | None:
    """The scope check, then the scorecard's row, on the event loop's connection
    (`api.deps.loop_reads`) without a transaction: a published scorecard never changes,
    and which evaluation is published is one row."""
    require_visible_rider(connection, user, rider_id)
    return find(connection, rider_id=rider_id)


@router.get(
    "/riders/{rider_id}/scorecards",
    operation_id="listRiderScorecards",
    response_model=list[ScorecardSummary],
    responses=errors(401, 403, 404, 422),
)
def rider_history(
    rider_id: RiderIdPath, session: SessionDep, user: Reader
) -> list[ScorecardSummary]:
    """Every period's published scorecard of the rider, newest period first."""
    require_visible_rider(session, user, rider_id)
    query = published_scorecards().where(Scorecard.rider_id == rider_id).order_by(*_NEWEST)
    return [summary(card) for card in session.scalars(query)]


@router.get(
    "/scorecards",
    operation_id="listScorecards",
    response_model=ScorecardPage,
    responses=errors(401, 403, 422),
)
def list_scorecards(
    session: SessionDep,
    user: Reader,
    period: PeriodQuery,
    tier: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    status: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ScorecardPage:
    """The scorecards of a period's published evaluation that the caller may see, by rider
    id."""
    published = published_evaluation(session, period)
    evaluation_id = published.evaluation_id if published else None
    if evaluation_id is None:
        return ScorecardPage(period=period, items=[], total=0, limit=limit, offset=offset)
    where = [Scorecard.evaluation_id == evaluation_id, rider_scope(user, Scorecard.rider_id)]
    if tier is not None:
        where.append(Scorecard.tier == tier)
    if status is not None:
        where.append(Scorecard.status == status)
    total = session.scalar(select(func.count()).select_from(Scorecard).where(*where)) or 0
    rows = session.scalars(
        select(Scorecard).where(*where).order_by(Scorecard.rider_id).limit(limit).offset(offset)
    )
    return ScorecardPage(
        period=period,
        evaluation_id=evaluation_id,
        items=[summary(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def summary(card: Scorecard) -> ScorecardSummary:
    return ScorecardSummary(
        rider_id=card.rider_id,
        period=card.period,
        evaluation_id=card.evaluation_id,
        policy_version=card.policy_version,
        status=card.status,
        score=card.score,
        tier=card.tier,
        previous_tier=card.previous_tier,
    )


def tagged_scorecard(request: Request, row: RowMapping) -> Response:
    """The scorecard as `ScorecardRead` with its tag: a scorecard is never changed once its
    evaluation is stored, so the evaluation and the rider name its content. The card is
    read only when the answer has a body (`evaluation.cards`)."""
    tag = strong_tag("scorecard", row["evaluation_id"], row["rider_id"])
    read = partial(card_dict, evaluation_id=row["evaluation_id"], rider_id=row["rider_id"])
    return tagged_bytes(request, tag, lambda: scorecard_json(row, loop_reads(request).read(read)))
