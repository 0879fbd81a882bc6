"""Decides what the reports say about a period's sampling: plans, lots, sample sizes and the
fleet-wide compliance estimated from the inspected riders with their inclusion probabilities.

Riders drawn but not (yet) inspected are non-response: within a zone, the inspected riders'
probabilities are multiplied by the zone's response rate (a weighting-class adjustment),
which keeps the estimates unbiased when who was missed is unrelated to compliance.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from riderperf.clock import as_utc
from riderperf.common.periods import parse_period
from riderperf.sampling.estimates import hajek_mean, ht_mean, ratio_estimate
from riderperf.sampling.orm import InspectionLotRecord
from riderperf.sampling.store import (
    Outcome,
    OutcomeSource,
    first_outcomes,
    load_outcomes,
    newest_lots,
    plans_of,
    selections,
)


def plan_stats(
    session: Session, period_label: str, *, outcomes: OutcomeSource | None = None
) -> dict[str, Any]:
    """Plans, lots, sample sizes and estimates with 95 % intervals for `period_label`."""
    period = parse_period(period_label)
    plans = plans_of(session, period.label)
    lots = newest_lots(session, period.label)
    stats: dict[str, Any] = {
        "period": period.label,
        "plans": [
            {
                "plan_id": p.plan_id,
                "created_at": as_utc(p.created_at).isoformat(),
                "seed": p.seed,
                "budget": p.budget,
                "policy_version": p.policy_version,
                "frame_size": p.frame_size,
                "sample_size": p.sample_size,
                "warnings": list(p.warnings),
            }
            for p in plans
        ],
        "lots": [_lot(lot) for lot in lots],
        "sample_sizes": {
            "frame": sum(lot.lot_size for lot in lots),
            "standard": sum(lot.standard_sample_size for lot in lots),
            "planned": sum(lot.sample_size for lot in lots),
            "inspected": 0,
        },
        "estimates": {},
    }
    if not lots:
        return stats
    start = datetime.combine(period.start, datetime.min.time(), UTC)
    ends = [datetime.combine(period.end, datetime.min.time(), UTC)]
    ends += [as_utc(lot.decided_at) + timedelta(microseconds=1) for lot in lots if lot.decided_at]
    found = load_outcomes(session, start, max(ends), outcomes)
    units = _inspected_units(session, lots, found)
    stats["sample_sizes"]["inspected"] = len(units)
    stats["estimates"] = estimate_compliance(units, lots)
    return stats


def estimate_compliance(
    units: list[tuple[str, float, Outcome]], lots: list[InspectionLotRecord]
) -> dict[str, Any]:
    """Fleet compliance (share of riders without a major or critical failure), per item and
    per KPI, from (zone, adjusted π, outcome) of every inspected rider."""
    if not units:
        return {}
    zones = [zone for zone, _, _ in units]
    pi = [p for _, p, _ in units]
    conforming = [0.0 if o.nonconforming else 1.0 for _, _, o in units]
    covered = {zone for zone in zones}
    population = sum(lot.lot_size for lot in lots if lot.zone_id in covered)
    result: dict[str, Any] = {
        "population": population,
        "zones": sorted(covered),
        "compliance": hajek_mean(conforming, pi, zones).as_dict(),
        "compliance_ht": ht_mean(conforming, pi, zones, population).as_dict(),
    }
    items = sorted({item for _, _, o in units for item in o.failed_items})
    result["per_item"] = {
        item: hajek_mean(
            [0.0 if item in o.failed_items else 1.0 for _, _, o in units], pi, zones
        ).as_dict()
        for item in items
    }
    kpis = sorted({kpi for _, _, o in units for kpi in o.kpi_results})
    result["per_kpi"] = {
        kpi: ratio_estimate(
            [float(o.kpi_results.get(kpi, (0, 0))[0]) for _, _, o in units],
            [float(o.kpi_results.get(kpi, (0, 0))[1]) for _, _, o in units],
            pi,
            zones,
        ).as_dict()
        for kpi in kpis
    }
    return result


def _inspected_units(
    session: Session, lots: list[InspectionLotRecord], found: list[Outcome]
) -> list[tuple[str, float, Outcome]]:
    units: list[tuple[str, float, Outcome]] = []
    for lot in lots:
        drawn = selections(session, lot.plan_id, lot.zone_id)
        first = first_outcomes(found, {s.rider_id for s in drawn})
        if not first:
            continue
        response = len(first) / len(drawn)
        by_rider = defaultdict(float, {s.rider_id: s.inclusion_probability for s in drawn})
        units += [(lot.zone_id, by_rider[r] * response, o) for r, o in sorted(first.items())]
    return units


def _lot(lot: InspectionLotRecord) -> dict[str, Any]:
    return {
        "zone_id": lot.zone_id,
        "plan_id": lot.plan_id,
        "lot_size": lot.lot_size,
        "severity": lot.severity,
        "level": lot.level,
        "aql": lot.aql,
        "code_letter": lot.code_letter,
        "standard_sample_size": lot.standard_sample_size,
        "sample_size": lot.sample_size,
        "accept": lot.accept,
        "reject": lot.reject,
        "decidable": lot.decidable,
        "status": lot.status,
        "inspected": lot.inspected,
        "nonconforming": lot.nonconforming,
        "weighted_nonconforming": lot.weighted_nonconforming,
    }
