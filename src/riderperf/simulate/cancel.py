"""Decides which orders are cancelled, by whom, why, when, and which party is really at fault."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from riderperf.common import canonical as schema
from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand
from riderperf.simulate.dispatch import Dispatch
from riderperf.simulate.timeline import LATE_CAUSES, Timeline

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True)
class CancelReason:
    """One way an order ends cancelled. `stage` is the last event that may still have happened:
    0 created, 1 accepted, 2 arrived at the store, 3 picked up, 4 arrived at the customer."""

    reason: str
    initiator: str
    cause: str
    stage: int


# The initiator is not always at fault: e.g. a merchant cancels because the rider never came.
REASONS = (
    CancelReason("customer_changed_mind", "customer", "customer", 1),
    CancelReason("customer_waited_too_long", "customer", "platform", 0),
    CancelReason("customer_waited_too_long", "customer", "merchant", 2),
    CancelReason("customer_unreachable", "rider", "customer", 4),
    CancelReason("merchant_out_of_stock", "merchant", "merchant", 1),
    CancelReason("merchant_closed", "merchant", "merchant", 1),
    CancelReason("rider_no_show", "merchant", "rider", 1),
    CancelReason("rider_vehicle_breakdown", "rider", "rider", 1),
    CancelReason("rider_accident", "rider", "rider", 3),  # cause none when not at fault
    CancelReason("no_rider_available", "platform", "platform", 0),
    CancelReason("weather", "platform", "force_majeure", 1),
)
REASON_NAMES = tuple(sorted({r.reason for r in REASONS}))
ACCIDENT = 8
NO_RIDER = 9
_MERCHANT_REASONS = (4, 5)
_MERCHANT = LATE_CAUSES.index("merchant")


@dataclass(frozen=True)
class Cancellations:
    reason: I64  # index into REASONS; -1 for a delivered order
    cancelled: F64  # minutes since the period start; NaN for a delivered order
    cause: I64  # index into schema.RESPONSIBILITY_PARTIES; -1 for a delivered order
    at_fault: B  # the rider caused the accident (rider_accident only)

    @property
    def mask(self) -> B:
        return self.reason >= 0


def _probabilities(city: City, demand: DayDemand, dispatch: Dispatch, timeline: Timeline) -> F64:
    p = city.params
    chance = p.cancel_probability
    archetype = city.riders.archetype[demand.rider]
    n = demand.size
    waited = chance["customer_waited_too_long"]
    columns = [
        np.full(n, chance["customer_changed_mind"]),
        np.where(dispatch.planted & (dispatch.minutes >= 12.0), waited, 0.0),
        np.where(timeline.components[:, _MERCHANT] >= 10.0, waited, 0.0),
        np.where(timeline.unreachable, chance["customer_unreachable"], 0.0),
        np.full(n, chance["merchant_out_of_stock"]),
        np.full(n, chance["merchant_closed"]),
        p.by_archetype("no_show")[archetype],
        np.full(n, chance["rider_vehicle_breakdown"]),
        p.by_archetype("accident")[archetype],
        np.zeros(n),
        np.full(n, p.by_weather("cancel_probability")[demand.weather]),
    ]
    odds = np.column_stack(columns)
    odds[demand.fake] = 0.0
    return odds


def draw_cancellations(
    city: City,
    demand: DayDemand,
    dispatch: Dispatch,
    timeline: Timeline,
    rng: np.random.Generator,
) -> Cancellations:
    """At most one cancellation per order; orders nobody accepts are always cancelled."""
    n = demand.size
    cumulative = np.cumsum(_probabilities(city, demand, dispatch, timeline), axis=1)
    draw = rng.random(n)
    reason = (draw[:, None] >= cumulative).sum(axis=1).astype(np.int64)
    reason = np.where(reason == len(REASONS), -1, reason)
    reason = np.where(dispatch.unassigned, NO_RIDER, reason)

    f = rng.random(n)
    created, t = demand.created, timeline
    when = [
        created + 1.0 + 9.0 * f,
        created + (0.4 + 0.5 * f) * dispatch.minutes,
        t.arrived_store + (0.4 + 0.5 * f) * (t.ready - t.arrived_store),
        t.arrived_customer + t.door_wait,
        created + 2.0 + 10.0 * f,
        created + 1.0 + 5.0 * f,
        t.accepted + 20.0 + 15.0 * f,
        t.accepted + 2.0 + 8.0 * f,
        t.picked_up + (0.2 + 0.6 * f) * t.travel,
        created + dispatch.offers_end + 0.5 + 2.5 * f,
        created + 3.0 + 12.0 * f,
    ]
    cancelled = np.where(reason >= 0, np.choose(np.maximum(reason, 0), when), np.nan)

    archetype = city.riders.archetype[demand.rider]
    at_fault = rng.random(n) < city.params.by_archetype("at_fault")[archetype]
    party = np.array([schema.RESPONSIBILITY_PARTIES.index(r.cause) for r in REASONS])
    cause = np.where(reason >= 0, party[np.maximum(reason, 0)], -1)
    none = schema.RESPONSIBILITY_PARTIES.index("none")
    cause = np.where((reason == ACCIDENT) & ~at_fault, none, cause)
    return Cancellations(reason=reason, cancelled=cancelled, cause=cause, at_fault=at_fault)


def apply_cancellations(timeline: Timeline, cancels: Cancellations) -> Timeline:
    """Blank every event a cancelled order never reached; delivered orders are unchanged."""
    cancelled = cancels.mask
    stage = np.array([r.stage for r in REASONS])[np.maximum(cancels.reason, 0)]
    at = cancels.cancelled

    def kept(times: F64, event_stage: int) -> F64:
        gone = cancelled & ((stage < event_stage) | ~(times <= at))
        return np.where(gone, np.nan, times)

    no_food = np.isin(cancels.reason, _MERCHANT_REASONS) | ~(timeline.ready <= at)
    return replace(
        timeline,
        accepted=kept(timeline.accepted, 1),
        arrived_store=kept(timeline.arrived_store, 2),
        ready=np.where(cancelled & no_food, np.nan, timeline.ready),
        picked_up=kept(timeline.picked_up, 3),
        arrived_customer=kept(timeline.arrived_customer, 4),
        delivered=np.where(cancelled, np.nan, timeline.delivered),
    )
