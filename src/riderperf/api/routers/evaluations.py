"""Evaluations: official (the published one of each period is what riders see) and
scenario (what-ifs under another policy version, never shown to riders)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from riderperf.api.deps import SessionDep, require
from riderperf.api.errors import errors
from riderperf.api.params import PERIOD_PATTERN, period_of
from riderperf.api.schemas.evaluations import EvaluationRead
from riderperf.evaluation.published import evaluation_row, list_evaluations

router = APIRouter(prefix="/evaluations", tags=["evaluations"])
Staff = Annotated[Any, Depends(require("read_evaluations"))]


@router.get(
    "",
    operation_id="listEvaluations",
    response_model=list[EvaluationRead],
    responses=errors(401, 403, 422),
)
def list_all(
    session: SessionDep,
    _user: Staff,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> list[EvaluationRead]:
    """Every evaluation (of `period` when given), the latest period first and, within a
    period, the newest first, each with its policy version, purpose and whether it is the
    published one."""
    label = None if period is None else period_of(period).label
    return [
        EvaluationRead.model_validate(evaluation_row(e)) for e in list_evaluations(session, label)
    ]
