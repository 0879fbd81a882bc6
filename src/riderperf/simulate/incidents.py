"""Decides safety and conduct incidents: on the road, at inspections, from the risk engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.arrow import canonical_table, fixed_width_ids, take, timestamps
from riderperf.simulate.cancel import ACCIDENT, Cancellations
from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand
from riderperf.simulate.timeline import Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

INCIDENT_ID_WIDTH = 8
# Per kind: who reports it and the chance of minor, major, critical severity.
_KINDS: dict[str, tuple[str, tuple[float, float, float]]] = {
    "accident": ("rider_report", (0.65, 0.28, 0.07)),
    "traffic_violation": ("traffic_police", (0.7, 0.3, 0.0)),
    "speeding": ("telematics", (0.8, 0.2, 0.0)),
    "helmet_missing": ("inspection", (0.6, 0.4, 0.0)),
    "equipment_missing": ("inspection", (0.9, 0.1, 0.0)),
    "document_expired": ("document_check", (0.0, 1.0, 0.0)),
    "fraud_signal": ("platform_risk", (0.0, 0.8, 0.2)),
    "other": ("platform", (0.8, 0.2, 0.0)),
}
_KIND_CODE = {k: schema.INCIDENT_KINDS.index(k) for k in schema.INCIDENT_KINDS}
_SOURCE_VALUES = pa.array([_KINDS[k][0] for k in schema.INCIDENT_KINDS])
_SEVERITY_CUM = np.cumsum([_KINDS[k][1] for k in schema.INCIDENT_KINDS], axis=1)
_YES, _NO, _UNKNOWN = (schema.AT_FAULT.index(a) for a in ("yes", "no", "unknown"))
RECKLESS = schema.ARCHETYPES.index("reckless")
GEAR_NEGLECTING = schema.ARCHETYPES.index("gear_neglecting")


@dataclass(frozen=True)
class IncidentRows:
    """Incidents before they get ids; order is -1 when the incident names no order."""

    rider: I64
    order: I64
    occurred: F64
    kind: I64
    at_fault: I64

    @staticmethod
    def join(parts: list[IncidentRows]) -> IncidentRows:
        return IncidentRows(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in IncidentRows.fields())
        )

    @staticmethod
    def fields() -> tuple[str, ...]:
        return ("rider", "order", "occurred", "kind", "at_fault")


def _rows(rider: I64, order: I64, occurred: F64, kind: str, at_fault: I64) -> IncidentRows:
    return IncidentRows(
        rider=rider.astype(np.int64),
        order=order.astype(np.int64),
        occurred=occurred,
        kind=np.full(len(rider), _KIND_CODE[kind], dtype=np.int64),
        at_fault=at_fault.astype(np.int64),
    )


def road_incidents(
    city: City,
    demand: DayDemand,
    timeline: Timeline,
    cancels: Cancellations,
    rng: np.random.Generator,
) -> IncidentRows:
    """Speeding, violations and accidents on the way to customers (reckless riders more), the
    accidents that ended orders, and the risk engine's flags on faked deliveries."""
    p = city.params
    done = np.flatnonzero(~np.isnan(timeline.delivered))
    reckless = city.riders.archetype[demand.rider[done]] == RECKLESS
    parts = []
    for kind in sorted(p.incident_probability):
        usual, risky = p.incident_probability[kind]
        hit = done[rng.random(len(done)) < np.where(reckless, risky, usual)]
        at = timeline.picked_up[hit] + rng.random(len(hit)) * timeline.travel[hit]
        fault = np.full(len(hit), _YES)
        if kind == "accident":
            arch = city.riders.archetype[demand.rider[hit]]
            caused = rng.random(len(hit)) < p.by_archetype("at_fault")[arch]
            fault = np.where(caused, _YES, np.where(rng.random(len(hit)) < 0.2, _UNKNOWN, _NO))
        parts.append(_rows(demand.rider[hit], hit, at, kind, fault))

    crashed = np.flatnonzero(cancels.reason == ACCIDENT)
    at = (timeline.picked_up[crashed] + cancels.cancelled[crashed]) / 2
    fault = np.where(cancels.at_fault[crashed], _YES, _NO)
    parts.append(_rows(demand.rider[crashed], crashed, at, "accident", fault))

    faked = done[demand.fake[done]]
    flagged = faked[rng.random(len(faked)) < p.fraud_signal_probability]
    at = timeline.delivered[flagged] + rng.uniform(5.0, 180.0, len(flagged))
    parts.append(
        _rows(demand.rider[flagged], flagged, at, "fraud_signal", np.full(len(flagged), _UNKNOWN))
    )
    return IncidentRows.join(parts)


def gear_incidents(city: City, demand: DayDemand, rng: np.random.Generator) -> IncidentRows:
    """Helmet and equipment findings of on-street inspections, per worked shift."""
    usual, neglecting = city.params.gear_incident_probability
    workers = demand.workers
    neglect = city.riders.archetype[workers] == GEAR_NEGLECTING
    chance = np.where(neglect, neglecting, usual)
    parts = []
    for kind in ("helmet_missing", "equipment_missing"):
        hit = np.flatnonzero(rng.random(len(workers)) < chance)
        start, end = demand.shift_start[hit], demand.shift_end[hit]
        at = start + rng.random(len(hit)) * (end - start)
        none = np.full(len(hit), -1)
        parts.append(_rows(workers[hit], none, at, kind, np.full(len(hit), _YES)))
    return IncidentRows.join(parts)


def incidents_table(
    city: City,
    rows: IncidentRows,
    order_ids: pa.Array | None,
    first_id: int,
    rng: np.random.Generator,
) -> pa.Table:
    """Arrow rows in time order, with ids, severities and sources; `order_ids` maps the day's
    order indexes (None when no row names an order)."""
    by_time = np.argsort(rows.occurred, kind="stable")
    rows = IncidentRows(*(getattr(rows, f)[by_time] for f in IncidentRows.fields()))
    count = len(rows.rider)
    severity = (rng.random(count)[:, None] >= _SEVERITY_CUM[rows.kind]).sum(axis=1)
    severity = np.minimum(severity, len(schema.SEVERITIES) - 1)
    named = rows.order >= 0
    if order_ids is None:
        order = pa.nulls(count, pa.string())
    else:
        order = order_ids.take(pa.array(np.maximum(rows.order, 0), mask=~named))
    return canonical_table(
        schema.INCIDENTS,
        {
            "incident_id": fixed_width_ids(
                "IN", np.arange(first_id, first_id + count), INCIDENT_ID_WIDTH
            ),
            "rider_id": take(city.rider_ids, rows.rider),
            "order_id": order,
            "occurred_at": timestamps(city.base_s, rows.occurred),
            "kind": take(pa.array(schema.INCIDENT_KINDS), rows.kind),
            "severity": take(pa.array(schema.SEVERITIES), severity),
            "at_fault": take(pa.array(schema.AT_FAULT), rows.at_fault),
            "source": _SOURCE_VALUES.take(pa.array(rows.kind)),
        },
    )
