"""Decides who owes the minutes of one late delivery (the per-order path, used to explain).

The lateness (`delivered_at − promised_at`) is split by reading the order's timeline:

- platform: `accepted_at − created_at` beyond the dispatch allowance;
- merchant: `merchant_ready_at − arrived_store_at` beyond the food-wait allowance. Without a
  ready time the whole wait at the counter (`picked_up_at − arrived_store_at`) is presumed to
  be a wait for food: a missing restaurant timestamp never turns into rider minutes;
- force majeure: what the weather cost a typical rider on the ride to the customer, typical
  ride × (weather factor − 1), but no more than the ride really took beyond the typical
  clear-weather ride, where typical ride = distance / typical speed of the vehicle + handling
  allowance; plus the weather's share ((factor − 1) / factor) of the ride to the restaurant
  when the food was already waiting, up to the time it waited;
- customer: `delivered_at − arrived_customer_at` beyond the door allowance;
- rider: the ride (`arrived_customer_at − picked_up_at`) beyond the expected ride × weather
  factor, where expected ride = distance / expected (lenient) vehicle speed + handling
  allowance; plus the time from the food being ready with the rider there to its pick-up
  beyond the pick-up allowance. The ride to the restaurant is never the rider's: its
  distance is not recorded.

The weather is measured on a typical ride, not on the lenient expectation: a storm doubles
the time a typical rider takes, not the longer time a rider is allowed, so its cost is not
overstated and a slow rider's minutes are not put down to it. Between the typical ride and
the expected one (× the weather factor) the minutes are nobody's: that gap is the rider's
benefit of the doubt.

Who is responsible is decided on these minutes (each party's own added delay): the party
with the most, if at least the attribution floor; a rider only above the rider tolerance,
else the next party. The minutes recorded per party are the lateness shared in proportion
to them when they add up to more than the lateness (they explain it several times over),
else as they are. The bulk path (`bulk_orders.py`) computes the very same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riderperf.responsibility.explain import render
from riderperf.responsibility.model import LATE_PARTIES, is_missing, minutes_between
from riderperf.responsibility.params import JudgmentParams

PARTY_RULE = {
    "platform": "late.platform_dispatch",
    "merchant": "late.merchant_wait",
    "force_majeure": "late.weather",
    "customer": "late.customer_door",
}


@dataclass(frozen=True)
class LateSplit:
    """The late minutes of one order, who owes them, and the sentence that says so."""

    late_minutes: float
    raw: dict[str, float]  # each party's own added delay, deciding who is responsible
    minutes: dict[str, float]  # the lateness shared out, as recorded
    party: str
    rule: str
    confidence: float
    explanation: str


def _positive(value: float) -> float:
    return max(value, 0.0)


def split_lateness(
    order: Mapping[str, Any], params: JudgmentParams, vehicle: str | None
) -> LateSplit | None:
    """The split of a delivered order's lateness; None when it was not late (or cannot be
    known to be late: no delivery or promise time)."""
    late = minutes_between(order.get("delivered_at"), order.get("promised_at"))
    if late is None or late <= 0:
        return None
    created, accepted = order.get("created_at"), order.get("accepted_at")
    at_store, ready = order.get("arrived_store_at"), order.get("merchant_ready_at")
    picked, at_door = order.get("picked_up_at"), order.get("arrived_customer_at")
    delivered = order.get("delivered_at")
    distance: Any = order.get("distance_km")
    weather = None if is_missing(order.get("weather")) else str(order["weather"])
    known_vehicle = not is_missing(vehicle) and vehicle in params.speed_kmh
    speed = params.speed_for(vehicle if known_vehicle else None)
    typical_speed = params.typical_speed_for(vehicle if known_vehicle else None)
    factor = params.factor_for(weather)
    fallback = not known_vehicle or weather is None or weather not in params.weather_factor

    dispatch = minutes_between(accepted, created)
    platform = 0.0 if dispatch is None else _positive(dispatch - params.dispatch_allowance)
    fallback = fallback or dispatch is None

    food_wait = minutes_between(ready, at_store)
    unrecorded = food_wait is None
    if unrecorded:
        food_wait = minutes_between(picked, at_store)
        fallback = True
    merchant = 0.0 if food_wait is None else _positive(food_wait - params.food_wait_allowance)

    # The way to the restaurant: its distance is not recorded, so no rider minutes; but when
    # the food was already waiting (the ride was on the critical path), the weather's share
    # of the ride, (factor − 1) / factor of it, is force majeure.
    weather_store = 0.0
    leg = minutes_between(at_store, accepted)
    after_ready = minutes_between(at_store, ready)
    if leg is not None and after_ready is not None:
        weather_store = _positive(min(leg * (factor - 1.0) / factor, after_ready))
    # The food was ready and the rider there, yet it was picked up later than allowed.
    pickup_extra = 0.0
    handed = minutes_between(picked, _later(at_store, ready))
    if handed is not None:
        pickup_extra = _positive(handed - params.pickup_allowance)

    travel = minutes_between(at_door, picked)
    door = minutes_between(delivered, at_door)
    door_allowance_in_ride = 0.0
    if travel is None:
        # No arrival tap: the ride runs to the delivery and includes the door allowance.
        travel = minutes_between(delivered, picked)
        door_allowance_in_ride = params.door_allowance
        fallback = True
    customer = 0.0 if door is None else _positive(door - params.door_allowance)

    weather_ride = travel_extra = 0.0
    if travel is None or is_missing(distance):
        fallback = True
    else:
        expected = float(distance) / speed * 60.0 + params.handling_allowance
        typical = float(distance) / typical_speed * 60.0 + params.handling_allowance
        excess = travel - expected - door_allowance_in_ride
        over_typical = travel - typical - door_allowance_in_ride
        weather_ride = min(typical * (factor - 1.0), _positive(over_typical))
        travel_extra = _positive(excess - expected * (factor - 1.0))
    weather_delay = weather_ride + weather_store
    rider = travel_extra + pickup_extra

    raw = {
        "platform": platform,
        "merchant": merchant,
        "force_majeure": weather_delay,
        "customer": customer,
        "rider": rider,
    }
    party = responsible_party(raw, LATE_PARTIES, "none", params)
    total = platform + merchant + weather_delay + customer + rider
    shared = total > late  # the parts explain the lateness more than once: share it out
    minutes = {p: raw[p] * late / total for p in LATE_PARTIES} if shared else dict(raw)

    if party == "none":
        rule = "late.unexplained"
        if rider >= params.attribution_floor:
            rule = "late.rider_within_tolerance"
        confidence = params.confidence_rule
    else:
        if party == "rider":
            rule = "late.rider_travel" if travel_extra >= pickup_extra else "late.rider_pickup"
        elif party == "merchant" and unrecorded:
            rule = "late.merchant_wait_unrecorded"
        else:
            rule = PARTY_RULE[party]
        confidence = raw[party] / total
    if fallback:
        confidence = confidence * params.confidence_fallback_factor
    fields = {
        "late": late,
        "dispatch": dispatch,
        "food_wait": food_wait,
        "door": door,
        "weather_delay": weather_delay,
        "travel_extra": travel_extra,
        "pickup_extra": pickup_extra,
        "rider_extra": rider,
        "tolerance": params.rider_tolerance,
        "weather": None if weather is None else weather.replace("_", " "),
    }
    return LateSplit(late, raw, minutes, party, rule, confidence, render(rule, fields))


def _later(first: Any, second: Any) -> Any:
    """The later of two moments; None when either is missing."""
    if is_missing(first) or is_missing(second):
        return None
    return second if second > first else first


def responsible_party(
    minutes: Mapping[str, float],
    parties: tuple[str, ...],
    default: str,
    params: JudgmentParams,
) -> str:
    """The party with the most minutes among those owing at least the floor (a rider: more
    than the tolerance too); ties go to the earlier of `parties`; `default` when none is."""
    best, party = -1.0, default
    for p in parties:
        eligible = minutes[p] >= params.attribution_floor
        if p == "rider":
            eligible = eligible and minutes[p] > params.rider_tolerance
        value = minutes[p] if eligible else -1.0
        if value > best:
            best, party = value, p
    return party
