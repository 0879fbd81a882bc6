"""KPI aggregates of an evaluated period per zone, city, fleet or capacity type."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from riderperf.api.deps import SessionDep, require
from riderperf.api.errors import errors, not_found
from riderperf.api.params import PeriodQuery, period_of
from riderperf.api.schemas.kpis import KpiAggregates, KpiGroupRead, KpiValue
from riderperf.evaluation.published import published_evaluation
from riderperf.metrics.registry import AVAILABLE_KPIS
from riderperf.users.orm import User

router = APIRouter(prefix="/kpis", tags=["kpis"])
Reader = Annotated[User, Depends(require("read_kpis"))]
Grouping = Literal["zone", "city", "fleet", "capacity_type"]


@router.get(
    "",
    operation_id="getKpiAggregates",
    response_model=KpiAggregates,
    responses=errors(401, 403, 404, 409, 422),
)
def kpi_aggregates(
    request: Request,
    session: SessionDep,
    user: Reader,
    period: PeriodQuery,
    group_by: Annotated[Grouping, Query(description="zone, city, fleet or capacity_type.")],
) -> KpiAggregates:
    """Every KPI's sums and value per group over the period, under the policy version of the
    period's published evaluation (404 when the period was never evaluated). A fleet
    manager's groups count the riders of their fleet only."""
    # The KPI window is an Ibis query returning a pandas frame: loaded by the first call,
    # so that each worker of the server starts without the analytics stack.
    from riderperf.metrics.windows import GROUP_KEYS, fleet_window, kpi_window

    span = period_of(period)
    published = published_evaluation(session, span.label)
    version = published.policy_version if published else None
    if version is None:
        raise not_found(f"an evaluation of {span.label}")
    with request.app.state.warehouse.reading() as warehouse:
        if warehouse is None:
            raise not_found(f"daily KPI facts of {span.label}")
        try:
            if user.role == "fleet_manager":
                frame = fleet_window(warehouse, span, version, group_by, user.fleet_id or "")
            else:
                frame = kpi_window(warehouse, span, version, group_by)
        except ValueError as exc:
            raise not_found(f"daily KPI facts of {span.label} ({exc})") from exc
    key = GROUP_KEYS[group_by]
    groups = []
    for row in frame.to_dict("records"):
        kpis = {
            kpi.name: KpiValue(
                value=_number(row[kpi.name]),
                num=int(row[f"{kpi.name}_num"] or 0),
                den=int(row[f"{kpi.name}_den"] or 0),
                enough=bool(row[f"{kpi.name}_enough"]),
            )
            for kpi in AVAILABLE_KPIS
        }
        group_key = row[key]
        groups.append(
            KpiGroupRead(
                key=None if _missing(group_key) else str(group_key),
                riders=int(row["riders"]),
                kpis=kpis,
            )
        )
    return KpiAggregates(
        period=span.label, policy_version=version, group_by=group_by, groups=groups
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _number(value: Any) -> float | None:
    return None if _missing(value) else float(value)
