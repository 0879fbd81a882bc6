"""The weekly inspection plans over HTTP: the plans of a period with the riders drawn and
their inclusion probabilities, making a plan (operations managers and admins), and the
period's sampling estimates. Included by `riderperf.api.routers.inspections`."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import ApiError, errors
from riderperf.api.params import PeriodPath, period_of
from riderperf.api.schemas.inspections import (
    InspectionPlanCreate,
    InspectionPlanList,
    InspectionPlanRead,
    SamplingEstimatesRead,
)
from riderperf.sampling.service import plan_inspections
from riderperf.sampling.stats import plan_stats
from riderperf.users.orm import User

router = APIRouter(tags=["inspections"])
Staff = Annotated[User, Depends(require("plan_inspections"))]
Manager = Annotated[User, Depends(require("create_inspection_plans"))]


@router.get(
    "/inspection-plans/{period}",
    operation_id="listInspectionPlans",
    response_model=InspectionPlanList,
    responses=errors(401, 403, 422),
)
def list_plans_route(period: PeriodPath, session: SessionDep, _user: Staff) -> InspectionPlanList:
    """The period's stored plans, oldest first, each zone's lot with the riders drawn and
    their inclusion probabilities."""
    label = period_of(period).label
    return InspectionPlanList(period=label, plans=InspectionPlanRead.stored(session, label))


@router.post(
    "/inspection-plans/{period}",
    operation_id="createInspectionPlan",
    status_code=201,
    response_model=InspectionPlanRead,
    responses=errors(401, 403, 404, 409, 422),
)
def create_plan_route(
    period: PeriodPath,
    body: InspectionPlanCreate,
    request: Request,
    session: SessionDep,
    user: Manager,
    now: NowDep,
) -> InspectionPlanRead:
    """Plans the period's inspections (ISO 2859-1 per zone, riders drawn by risk) and stores
    the plan. 404 for a zone without active riders; 409 when the warehouse is busy."""
    chosen = period_of(period)
    seed = body.seed if body.seed is not None else secrets.randbelow(2**31)
    with request.app.state.warehouse.reading() as warehouse:
        try:
            plan = plan_inspections(
                session,
                warehouse,
                chosen,
                zone=body.zone,
                budget=body.budget,
                seed=seed,
                at=now,
                actor=user.username,
            )
        except LookupError as exc:
            raise ApiError(404, str(exc)) from exc
        except ValueError as exc:
            raise ApiError(422, str(exc)) from exc
    session.commit()
    stored = InspectionPlanRead.stored(session, chosen.label)
    return next(p for p in stored if p.plan_id == plan.plan_id)


@router.get(
    "/inspection-plans/{period}/estimates",
    operation_id="getSamplingEstimates",
    response_model=SamplingEstimatesRead,
    responses=errors(401, 403, 422),
)
def estimates_route(period: PeriodPath, session: SessionDep, _user: Staff) -> SamplingEstimatesRead:
    """The period's lots, sample sizes and compliance estimates with 95 % intervals."""
    return SamplingEstimatesRead(**plan_stats(session, period_of(period).label))
