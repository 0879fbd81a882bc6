"""The planning use case: for a period, each zone's lot, its plan from the standard at the
zone's severity, and the riders drawn by risk with their inclusion probabilities."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.common.periods import Period, parse_period
from riderperf.sampling.frame import (
    active_riders,
    group_by_zone,
    rider_features,
)
from riderperf.sampling.iso2859 import (
    SamplingPlan,
    master_cell,
    single_sampling_plan,
    tighter_aql,
)
from riderperf.sampling.model import (
    DESIGN,
    InspectionPlan,
    LotPlan,
    SelectedRider,
)
from riderperf.sampling.orm import (
    InspectionLotRecord,
    InspectionPlanRecord,
    InspectionSelectionRecord,
)
from riderperf.sampling.params import SamplingParams, params_in_force
from riderperf.sampling.risk import risk_scores
from riderperf.sampling.selection import allocate_budget, draw_sample
from riderperf.sampling.store import counted_periods, current_state
from riderperf.warehouse.connection import Warehouse


def plan_inspections(
    session: Session,
    warehouse: Warehouse | None,
    period: Period | str,
    *,
    zone: str | None = None,
    budget: int | None = None,
    seed: int,
    at: datetime,
    actor: str = "system",
) -> InspectionPlan:
    """Plans the inspections of `period` and records the plan (one lot per zone).

    Raises ValueError for a budget below zero or a time without a zone, LookupError for a
    zone without active riders. A budget below the standard's sample size is drawn all the
    same, with a warning: such lots are not judged for acceptance.
    """
    if at.tzinfo is None:
        raise ValueError("plan_inspections needs a timezone-aware time")
    if budget is not None and budget < 0:
        raise ValueError(f"--budget must be 0 or more, not {budget}")
    chosen = parse_period(period) if isinstance(period, str) else period
    params, version, warnings = params_in_force(session, chosen.start)
    riders = active_riders(session, warehouse, zone)
    if zone is not None and not riders:
        raise LookupError(f"zone {zone!r} has no active riders; check the zone id (riders table)")
    if not riders:
        warnings.append("no active riders: nothing to plan (is the rider data imported?)")
    features = rider_features(session, warehouse, riders, chosen.start, params.frame)
    zones = group_by_zone(riders)
    standard = {z: _standard_plan(session, z, len(ix), params) for z, ix in zones.items()}
    sizes = [plan.sample_size for plan, _ in standard.values()]
    given = sizes if budget is None else allocate_budget(sizes, budget)
    if budget is not None and budget < sum(sizes):
        warnings.append(
            f"budget {budget} is below the standard's sample size {sum(sizes)}: "
            f"{budget} riders are drawn, and lots with fewer than their standard sample "
            "are not judged for acceptance (estimates still hold, with wider intervals)"
        )
    lots = []
    for (zone_id, indexes), n in zip(zones.items(), given, strict=True):
        plan, severity = standard[zone_id]
        zone_features = [features[i] for i in indexes]
        risk = risk_scores(
            zone_features, params.risk_weights, strength=params.risk_strength, cap=params.risk_cap
        )
        _, drawn = draw_sample(risk, n, random_share=params.random_share, seed=seed, stream=zone_id)
        discontinued = severity == "discontinued"
        if discontinued:
            warnings.append(
                f"zone {zone_id}: acceptance inspection is discontinued (ISO 2859-1 §9.4) until "
                "corrective action is taken; riders are still drawn for the estimates"
            )
        if chosen.label in counted_periods(session, zone_id):
            warnings.append(f"zone {zone_id}: a lot of {chosen.label} was already judged")
        lots.append(
            LotPlan(
                zone_id=zone_id,
                lot_size=len(indexes),
                severity="tightened" if discontinued else severity,
                code_letter=plan.code_letter,
                standard_sample_size=plan.sample_size,
                sample_size=n,
                accept=plan.accept,
                reject=plan.reject,
                tighter_accept=_tighter_accept(plan, params.aql, severity),
                decidable=n >= plan.sample_size and not discontinued,
                selected=[
                    SelectedRider(
                        rider_id=zone_features[d.index].rider_id,
                        inclusion_probability=d.inclusion_probability,
                        risk_score=risk[d.index],
                        draw_order=d.draw_order,
                        features=zone_features[d.index].as_dict(),
                    )
                    for d in drawn
                ],
            )
        )
    result = InspectionPlan(
        plan_id=str(uuid4()),
        period=chosen.label,
        seed=seed,
        budget=budget,
        policy_version=version,
        frame_size=len(riders),
        sample_size=sum(len(lot.selected) for lot in lots),
        lots=lots,
        warnings=warnings,
        created_at=at.astimezone(UTC),
    )
    _store(session, result, chosen, zone, params, actor)
    return result


def _standard_plan(
    session: Session, zone_id: str, lot_size: int, params: SamplingParams
) -> tuple[SamplingPlan, str]:
    state, _ = current_state(session, zone_id)
    severity = "discontinued" if state.discontinued else state.severity
    table = "tightened" if state.discontinued else state.severity
    return single_sampling_plan(lot_size, params.level, params.aql, table), severity


def _tighter_accept(plan: SamplingPlan, aql: float, severity: str) -> int | None:
    """Ac of the same sample at the AQL one step tighter, for the switching score (§9.3.3.2);
    when Ac >= 2 that cell is always a plan of the same row."""
    tighter = tighter_aql(aql)
    if severity != "normal" or tighter is None:
        return None
    cell = master_cell("normal", plan.plan_letter, tighter)
    return int(cell.split("/")[0]) if "/" in cell else None


def _store(
    session: Session,
    plan: InspectionPlan,
    period: Period,
    zone: str | None,
    params: SamplingParams,
    actor: str,
) -> None:
    session.add(
        InspectionPlanRecord(
            plan_id=plan.plan_id,
            period=plan.period,
            period_start=period.start,
            period_end=period.end,
            zone_filter=zone,
            seed=plan.seed,
            budget=plan.budget,
            policy_version=plan.policy_version,
            design=DESIGN,
            frame_size=plan.frame_size,
            sample_size=plan.sample_size,
            parameters=params.as_dict(),
            warnings=plan.warnings,
            created_at=plan.created_at,
            created_by=actor,
        )
    )
    session.flush()
    for lot in plan.lots:
        session.add(
            InspectionLotRecord(
                plan_id=plan.plan_id,
                zone_id=lot.zone_id,
                period=plan.period,
                lot_size=lot.lot_size,
                severity=lot.severity,
                level=params.level,
                aql=params.aql,
                code_letter=lot.code_letter,
                standard_sample_size=lot.standard_sample_size,
                sample_size=len(lot.selected),
                accept=lot.accept,
                reject=lot.reject,
                tighter_accept=lot.tighter_accept,
                decidable=lot.decidable,
                status="planned",
            )
        )
        session.add_all(
            InspectionSelectionRecord(
                plan_id=plan.plan_id,
                rider_id=s.rider_id,
                zone_id=lot.zone_id,
                inclusion_probability=s.inclusion_probability,
                risk_score=s.risk_score,
                draw_order=s.draw_order,
                features=s.features,
            )
            for s in lot.selected
        )
    session.flush()
    record_event(
        session,
        actor=actor,
        action="inspection_plan.created",
        subject_type="inspection_plan",
        subject_id=plan.plan_id,
        at=plan.created_at,
        details={
            "period": plan.period,
            "seed": plan.seed,
            "budget": plan.budget,
            "policy_version": plan.policy_version,
            "frame_size": plan.frame_size,
            "sample_size": plan.sample_size,
            "zones": {lot.zone_id: len(lot.selected) for lot in plan.lots},
            "warnings": plan.warnings,
        },
    )
