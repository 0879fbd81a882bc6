"""Decides each order's timeline and the late minutes each party planted into it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from riderperf.simulate.city import City
from riderperf.simulate.demand import DayDemand
from riderperf.simulate.dispatch import Dispatch

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

# Parties that can make a delivered order late, in the column order of Timeline.components.
LATE_CAUSES = ("platform", "merchant", "force_majeure", "customer", "rider")


@dataclass(frozen=True)
class Timeline:
    """Minutes since the period's first local midnight; NaN where an event never happens."""

    accepted: F64
    arrived_store: F64
    ready: F64
    picked_up: F64
    arrived_customer: F64
    delivered: F64
    promised: F64
    travel: F64  # picked up → arrived at the customer (or delivered, when faked)
    door_wait: F64
    unreachable: B
    components: F64  # (orders, len(LATE_CAUSES)): minutes each party added beyond normal


def plan_timeline(
    city: City, demand: DayDemand, dispatch: Dispatch, rng: np.random.Generator
) -> Timeline:
    """The full timeline every order would have if nobody cancelled it."""
    p = city.params
    riders = city.riders
    n = demand.size
    rider = demand.rider
    vehicle = riders.vehicle[rider]
    slow = float(p.by_weather("slowdown")[demand.weather])
    speed = p.by_vehicle("speed_kmh")[vehicle]
    reach = p.by_vehicle("range")[vehicle]

    created = demand.created
    accepted = created + dispatch.minutes
    store_normal = rng.gamma(2.0, 0.6, n) * reach / speed * 60.0 + 1.0
    arrived_store = accepted + store_normal * slow * rng.lognormal(0.0, 0.15, n)
    merchant = demand.merchant
    prep = city.merchant_prep[merchant] * rng.lognormal(0.0, p.prep_sigma, n)
    food_late = rng.random(n) < city.merchant_late_p[merchant]
    low, high = p.merchant_late_minutes
    ready = created + prep + np.where(food_late, rng.uniform(low, high, n), 0.0)
    picked_up = np.maximum(arrived_store, ready) + rng.uniform(0.5, 2.0, n)

    expected = demand.distance / speed * 60.0 + 2.0
    archetype = riders.archetype[rider]
    new = demand.day - riders.join_day[rider] < p.newcomer_ramp_days
    pace = riders.pace[rider] * np.where(new, p.newcomer_slowdown, 1.0)
    idles = rng.random(n) < p.by_archetype("idle_probability")[archetype]
    idle = np.where(idles, rng.uniform(*p.idle_minutes, n), 0.0)
    travel = expected * slow * pace * rng.lognormal(0.0, 0.12, n) + idle
    unreachable = ~demand.fake & (rng.random(n) < city.customer_unreachable_p[demand.customer])
    door_wait = np.where(
        unreachable, rng.uniform(*p.unreachable_wait_minutes, n), rng.uniform(*p.door_minutes, n)
    )

    # A fraud ring's faked delivery: marked delivered minutes after pickup, often never arriving.
    fake = demand.fake
    fake_travel = rng.uniform(0.5, 3.0, n)
    no_arrival = rng.random(n) < p.fraud_no_arrival_share
    travel = np.where(fake, fake_travel, travel)
    door_wait = np.where(fake, 0.0, door_wait)
    arrived_customer = picked_up + travel
    delivered = arrived_customer + door_wait
    arrived_customer = np.where(fake & no_arrival, np.nan, arrived_customer)

    base, per_km, shortest, longest = p.promise_minutes
    promised = created + np.clip(base + per_km * demand.distance, shortest, longest)

    store_on_path = arrived_store >= ready
    components = np.column_stack(
        [
            np.maximum(dispatch.minutes - p.dispatch_allowance_minutes, 0.0),
            np.maximum(ready - arrived_store - p.food_wait_allowance_minutes, 0.0),
            (slow - 1.0) * (expected + np.where(store_on_path, store_normal, 0.0)),
            np.maximum(door_wait - p.door_allowance_minutes, 0.0),
            np.maximum(travel - expected * slow, 0.0),
        ]
    )
    components[fake] = 0.0
    return Timeline(
        accepted=accepted,
        arrived_store=arrived_store,
        ready=ready,
        picked_up=picked_up,
        arrived_customer=arrived_customer,
        delivered=delivered,
        promised=promised,
        travel=travel,
        door_wait=door_wait,
        unreachable=unreachable,
        components=components,
    )
