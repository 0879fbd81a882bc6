"""A rider's judged events in a period, read from the warehouse `judgments` table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from riderperf.api.deps import SessionDep, require
from riderperf.api.errors import errors
from riderperf.api.params import PeriodQuery, RiderIdPath, period_of
from riderperf.api.schemas.judgments import JudgmentList, JudgmentRead
from riderperf.api.scope import require_visible_rider
from riderperf.evaluation.overrides import JudgmentOverride
from riderperf.evaluation.published import published_evaluation
from riderperf.responsibility.model import LATE_PARTIES
from riderperf.users.orm import User

router = APIRouter(tags=["judgments"])
Reader = Annotated[User, Depends(require("read_scorecards"))]
_COLUMNS = (
    "event_id",
    "event",
    "order_id",
    "occurred_at",
    "party",
    "late_minutes",
    *(f"minutes_{p}" for p in LATE_PARTIES),
    "rule",
    "policy_version",
    "confidence",
    "explanation",
)


@router.get(
    "/riders/{rider_id}/judgments",
    operation_id="listJudgments",
    response_model=JudgmentList,
    responses=errors(401, 403, 404, 409, 422),
)
def list_judgments(
    request: Request,
    rider_id: RiderIdPath,
    period: PeriodQuery,
    session: SessionDep,
    user: Reader,
    event: Annotated[str | None, Query(pattern=r"^(late|cancelled|complaint)$")] = None,
) -> JudgmentList:
    """Each judged event of the rider in the period (late deliveries, cancellations,
    complaints): who was responsible, the minutes owed to each party, the rule and the plain
    sentence. Judgments under the policy version of the period's published evaluation; an
    overturned judgment shows the party the appeal settled on."""
    require_visible_rider(session, user, rider_id)
    span = period_of(period)
    published = published_evaluation(session, span.label)
    version = published.policy_version if published else None
    start = datetime.combine(span.start, datetime.min.time(), UTC)
    end = datetime.combine(span.end, datetime.min.time(), UTC)
    with request.app.state.warehouse.reading() as warehouse:
        rows = (
            [] if warehouse is None else _read(warehouse.con, rider_id, start, end, version, event)
        )
    overridden = dict(
        session.execute(
            select(JudgmentOverride.event_id, JudgmentOverride.party).where(
                JudgmentOverride.rider_id == rider_id
            )
        ).all()
    )
    items = [_judgment(row, overridden.get(row["event_id"])) for row in rows]
    return JudgmentList(rider_id=rider_id, period=span.label, items=items)


def _read(
    con: Any, rider_id: str, start: datetime, end: datetime, version: str | None, event: str | None
) -> list[dict[str, Any]]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'judgments'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    where = "rider_id = ? AND occurred_at >= ? AND occurred_at < ?"
    args: list[Any] = [rider_id, start, end]
    if version is not None:
        where += " AND policy_version = ?"
        args.append(version)
    if event is not None:
        where += " AND event = ?"
        args.append(event)
    # Without an evaluation to name the version, the newest judgment of each event counts.
    sql = (
        f"SELECT DISTINCT ON (event_id) {', '.join(_COLUMNS)} FROM judgments WHERE {where} "
        "ORDER BY event_id, policy_version DESC"
    )
    cursor = con.execute(f"SELECT * FROM ({sql}) ORDER BY occurred_at, event_id", args)
    return [dict(zip(_COLUMNS, r, strict=True)) for r in cursor.fetchall()]


def _judgment(row: dict[str, Any], overturned_to: str | None) -> JudgmentRead:
    occurred = row["occurred_at"]
    occurred = occurred.replace(tzinfo=UTC) if occurred.tzinfo is None else occurred
    return JudgmentRead(
        event_id=row["event_id"],
        event=row["event"],
        order_id=row["order_id"],
        occurred_at=occurred,
        party=overturned_to or row["party"],
        late_minutes=_number(row["late_minutes"]),
        minutes={p: _number(row[f"minutes_{p}"]) or 0.0 for p in LATE_PARTIES},
        rule=row["rule"],
        policy_version=row["policy_version"],
        confidence=_number(row["confidence"]),
        explanation=row["explanation"],
        overturned=overturned_to is not None,
    )


def _number(value: Any) -> float | None:
    return None if value is None or value != value else float(value)
