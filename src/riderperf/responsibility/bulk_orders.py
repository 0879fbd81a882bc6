"""Judges late and cancelled orders in bulk, as Ibis expressions over the warehouse tables.

This is `late.py` and `cancel.py` written column-wise: the same minutes in the same order
of floating-point operations, the same rules and the same sentence templates, so the two
paths give identical judgments (tests/unit/test_responsibility_paths.py says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis

from riderperf.responsibility.cancel import WAITING_RULES, cancel_template
from riderperf.responsibility.explain import sentence_expr, verdict_expr
from riderperf.responsibility.late import PARTY_RULE
from riderperf.responsibility.model import JUDGMENT_COLUMNS, LATE_PARTIES, PARTIES
from riderperf.responsibility.params import ACCIDENT_INCIDENT, WAITING_FACTS, JudgmentParams
from riderperf.warehouse.functions import double, minutes_between, utc_day

NULL_FLOAT = ibis.null().cast("float64")


def minutes_expr(later: Any, earlier: Any) -> Any:
    """Minutes between two timestamps counted in whole microseconds (null when one is)."""
    return minutes_between(later, earlier)


def _positive(value: Any) -> Any:
    return ibis.greatest(value, 0.0)


def _first_present(*values: Any) -> Any:
    return ibis.coalesce(*values)


def _earlier(moment: Any, limit: Any) -> Any:
    return ibis.cases(
        (moment.isnull(), limit), (limit.isnull(), moment), (moment > limit, limit), else_=moment
    )


def _with_responsible(t: Any, parties: tuple[str, ...], default: str, p: Any) -> Any:
    """`t` with a column `party`: the one with the most minutes (columns `r_<party>`) among
    those owing at least the floor (a rider: more than the tolerance too); ties go to the
    earlier of `parties`; `default` when none is eligible (see late.responsible_party)."""
    eligible = {}
    for party in parties:
        ok = t[f"r_{party}"] >= p.attribution_floor
        if party == "rider":
            ok = ok & (t[f"r_{party}"] > p.rider_tolerance)
        eligible[f"e_{party}"] = ok.ifelse(t[f"r_{party}"], -1.0)
    t = t.mutate(**eligible)
    t = t.mutate(best=ibis.greatest(*(t[f"e_{party}"] for party in parties)))
    return t.mutate(
        party=ibis.cases(
            (t.best < 0.0, default), *((t[f"e_{party}"] == t.best, party) for party in parties)
        )
    )


def order_base(orders: Any, riders: Any, incidents: Any, params: JudgmentParams) -> Any:
    """Orders with their rider's expected and typical vehicle speeds, the weather factor and
    the accident flag."""
    vehicles = riders.select(v_rider_id=riders.rider_id, vehicle=riders.vehicle)
    accidents = (
        incidents.filter(
            (incidents.kind == "accident")
            & (incidents.at_fault == "yes")
            & incidents.order_id.notnull()
        )
        .select(a_order_id=incidents.order_id)
        .distinct()
    )
    joined = orders.left_join(vehicles, orders.rider_id == vehicles.v_rider_id)
    joined = joined.left_join(accidents, joined.order_id == accidents.a_order_id)
    known_vehicle = joined.vehicle.isin(list(params.speed_kmh)).fill_null(False)
    known_weather = joined.weather.isin(list(params.weather_factor)).fill_null(False)
    # The policy's numbers as DOUBLEs (warehouse.functions.double), so that `factor - 1.0`
    # and every product with them round as Python's floats do in late.py.
    return joined.mutate(
        known_vehicle=known_vehicle,
        known_weather=known_weather,
        speed=_number_of(joined.vehicle, known_vehicle, params.speed_kmh, params.slowest_speed),
        typical_speed=_number_of(
            joined.vehicle,
            known_vehicle,
            params.typical_speed_kmh,
            params.slowest_typical_speed,
        ),
        factor=_number_of(joined.weather, known_weather, params.weather_factor, 1.0),
        at_fault=joined.a_order_id.notnull(),
    )


def _number_of(key: Any, known: Any, numbers: Mapping[str, float], default: float) -> Any:
    """The policy number of `key` (a vehicle, a weather) as a DOUBLE, `default` unless
    `known`."""
    chosen = key.cases(*((k, double(v)) for k, v in numbers.items()), else_=double(default))
    return known.ifelse(chosen, double(default))


def late_judgments(base: Any, params: JudgmentParams, policy_version: str) -> Any:
    """One row per late delivered order of `base` (see late.py for every rule).

    Computed in stages, each reading the columns of the one before, so that no expression is
    copied into several others (the SQL stays small and each value is computed once)."""
    p = params
    t = base.filter((base.status == "delivered") & (base.delivered_at > base.promised_at))
    arrived_or_missing = (t.arrived_store_at.isnull() | t.merchant_ready_at.isnull()).ifelse(
        ibis.null().cast(t.arrived_store_at.type()),
        ibis.greatest(t.arrived_store_at, t.merchant_ready_at),
    )
    t = t.mutate(
        late=minutes_expr(t.delivered_at, t.promised_at),
        dispatch=minutes_expr(t.accepted_at, t.created_at),
        ready_wait=minutes_expr(t.merchant_ready_at, t.arrived_store_at),
        counter_wait=minutes_expr(t.picked_up_at, t.arrived_store_at),
        leg=minutes_expr(t.arrived_store_at, t.accepted_at),
        after_ready=minutes_expr(t.arrived_store_at, t.merchant_ready_at),
        handed=minutes_expr(t.picked_up_at, arrived_or_missing),
        arrived_ride=minutes_expr(t.arrived_customer_at, t.picked_up_at),
        delivered_ride=minutes_expr(t.delivered_at, t.picked_up_at),
        door=minutes_expr(t.delivered_at, t.arrived_customer_at),
        expected=t.distance_km / t.speed * 60.0 + p.handling_allowance,
        typical=t.distance_km / t.typical_speed * 60.0 + p.handling_allowance,
    )
    t = t.mutate(
        unrecorded=t.ready_wait.isnull(),
        food_wait=ibis.coalesce(t.ready_wait, t.counter_wait),
        travel=ibis.coalesce(t.arrived_ride, t.delivered_ride),
        door_in_ride=t.arrived_ride.isnull().ifelse(p.door_allowance, 0.0),
        allowance=t.expected * (t.factor - 1.0),
        weather_cost=t.typical * (t.factor - 1.0),
        r_platform=t.dispatch.isnull().ifelse(0.0, _positive(t.dispatch - p.dispatch_allowance)),
        weather_store=(t.leg.isnull() | t.after_ready.isnull()).ifelse(
            0.0, _positive(ibis.least(t.leg * (t.factor - 1.0) / t.factor, t.after_ready))
        ),
        pickup_extra=t.handed.isnull().ifelse(0.0, _positive(t.handed - p.pickup_allowance)),
        r_customer=t.door.isnull().ifelse(0.0, _positive(t.door - p.door_allowance)),
    )
    t = t.mutate(
        r_merchant=t.food_wait.isnull().ifelse(0.0, _positive(t.food_wait - p.food_wait_allowance)),
        has_ride=t.travel.notnull() & t.distance_km.notnull(),
        excess=t.travel - t.expected - t.door_in_ride,
        over_typical=t.travel - t.typical - t.door_in_ride,
    )
    t = t.mutate(
        weather_ride=t.has_ride.ifelse(ibis.least(t.weather_cost, _positive(t.over_typical)), 0.0),
        travel_extra=t.has_ride.ifelse(_positive(t.excess - t.allowance), 0.0),
        fallback=~t.known_vehicle
        | ~t.known_weather
        | t.dispatch.isnull()
        | t.unrecorded
        | t.arrived_ride.isnull()
        | ~t.has_ride,
    )
    t = t.mutate(
        r_force_majeure=t.weather_ride + t.weather_store,
        r_rider=t.travel_extra + t.pickup_extra,
    )
    raw = {party: t[f"r_{party}"] for party in LATE_PARTIES}
    t = t.mutate(
        total=raw["platform"]
        + raw["merchant"]
        + raw["force_majeure"]
        + raw["customer"]
        + raw["rider"]
    )
    t = _with_responsible(t, LATE_PARTIES, "none", p)
    raw = {party: t[f"r_{party}"] for party in LATE_PARTIES}
    within_tolerance = (t.party == "none") & (raw["rider"] >= p.attribution_floor)
    owed = t.party.cases(*((party, raw[party]) for party in LATE_PARTIES), else_=0.0)
    t = t.mutate(
        rule=ibis.cases(
            (within_tolerance, "late.rider_within_tolerance"),
            (t.party == "none", "late.unexplained"),
            ((t.party == "rider") & (t.travel_extra >= t.pickup_extra), "late.rider_travel"),
            (t.party == "rider", "late.rider_pickup"),
            ((t.party == "merchant") & t.unrecorded, "late.merchant_wait_unrecorded"),
            *((t.party == party, rule) for party, rule in PARTY_RULE.items()),
        ),
        confidence=(t.party == "none").ifelse(p.confidence_rule, owed / t.total),
        shared=t.total > t.late,
    )
    t = t.mutate(
        confidence=t.fallback.ifelse(t.confidence * p.confidence_fallback_factor, t.confidence)
    )
    fields = {
        "late": t.late,
        "dispatch": t.dispatch,
        "food_wait": t.food_wait,
        "door": t.door,
        "weather_delay": t.r_force_majeure,
        "travel_extra": t.travel_extra,
        "pickup_extra": t.pickup_extra,
        "rider_extra": t.r_rider,
        "tolerance": ibis.literal(p.rider_tolerance),
        "weather": t.weather.replace("_", " "),
    }
    rules = [*PARTY_RULE.values(), "late.merchant_wait_unrecorded", "late.rider_travel"]
    rules += ["late.rider_pickup", "late.rider_within_tolerance", "late.unexplained"]
    explanation = ibis.cases(*((t.rule == r, sentence_expr(r, fields)) for r in rules))
    minutes = {
        f"minutes_{party}": t.shared.ifelse(t[f"r_{party}"] * t.late / t.total, t[f"r_{party}"])
        for party in LATE_PARTIES
    }
    return _judgment_columns(
        t, "late", policy_version, late_minutes=t.late, explanation=explanation, **minutes
    )


def cancel_judgments(base: Any, params: JudgmentParams, policy_version: str) -> Any:
    """One row per cancelled order of `base` (see cancel.py for every rule), in stages as
    late_judgments."""
    p = params
    decisions = dict(p.cancel_reasons)
    t = base.filter(base.status == "cancelled")
    t = t.mutate(
        decision=t.cancel_reason.cases(*decisions.items(), else_=ibis.null().cast("string")),
        dispatch=minutes_expr(_first_present(t.accepted_at, t.cancelled_at), t.created_at),
        food_wait=minutes_expr(
            _earlier(_first_present(t.merchant_ready_at, t.picked_up_at), t.cancelled_at),
            t.arrived_store_at,
        ),
        store_leg=t.accepted_at.isnull().ifelse(
            NULL_FLOAT,
            minutes_expr(_first_present(t.arrived_store_at, t.cancelled_at), t.accepted_at),
        ),
    )
    t = t.mutate(
        r_platform=t.dispatch.isnull().ifelse(0.0, _positive(t.dispatch - p.dispatch_allowance)),
        r_merchant=t.food_wait.isnull().ifelse(0.0, _positive(t.food_wait - p.food_wait_allowance)),
        r_rider=t.store_leg.isnull().ifelse(
            0.0, _positive(t.store_leg - p.store_leg_allowance * t.factor)
        ),
    )
    t = _with_responsible(t, ("platform", "merchant", "rider"), "customer", p)
    t = t.rename(longest="party")
    known_initiator = t.cancel_initiator.isin(list(PARTIES)).fill_null(False)
    t = t.mutate(
        party=ibis.cases(
            (t.decision.isnull(), known_initiator.ifelse(t.cancel_initiator, "none")),
            (t.decision == ACCIDENT_INCIDENT, t.at_fault.ifelse("rider", "none")),
            (t.decision == WAITING_FACTS, t.longest),
            else_=t.decision,
        ),
        rule=ibis.cases(
            (t.decision.isnull(), "cancel.unknown_reason"),
            (
                t.decision == ACCIDENT_INCIDENT,
                t.at_fault.ifelse("cancel.rider_accident_at_fault", "cancel.rider_accident"),
            ),
            (t.decision == WAITING_FACTS, t.longest.cases(*WAITING_RULES.items())),
            else_="cancel." + t.cancel_reason,
        ),
        confidence=ibis.cases(
            (t.decision.isnull(), p.confidence_unknown),
            (
                (t.decision == WAITING_FACTS) & t.cancelled_at.isnull(),
                p.confidence_rule * p.confidence_fallback_factor,
            ),
            else_=p.confidence_rule,
        ),
    )
    fields = {
        "reason": t.cancel_reason.fill_null("no reason given"),
        "verdict": verdict_expr(t.party),
        "dispatch": t.dispatch,
        "food_wait": t.food_wait,
        "store_leg": t.store_leg,
    }
    reasons = [r for r, d in decisions.items() if d not in (ACCIDENT_INCIDENT, WAITING_FACTS)]
    explanation = ibis.cases(
        (t.decision.isnull(), sentence_expr("cancel.unknown_reason", fields)),
        *(
            ((t.decision == ACCIDENT_INCIDENT) & (t.rule == rule), sentence_expr(rule, fields))
            for rule in ("cancel.rider_accident_at_fault", "cancel.rider_accident")
        ),
        *(
            ((t.decision == WAITING_FACTS) & (t.rule == rule), sentence_expr(rule, fields))
            for rule in WAITING_RULES.values()
        ),
        # A reason decided by the table: its own wording, or the generic one.
        *(
            (t.cancel_reason == reason, sentence_expr(cancel_template(f"cancel.{reason}"), fields))
            for reason in reasons
        ),
    )
    zeros = {f"minutes_{party}": ibis.literal(0.0) for party in LATE_PARTIES}
    return _judgment_columns(
        t, "cancelled", policy_version, late_minutes=NULL_FLOAT, explanation=explanation, **zeros
    )


def _judgment_columns(t: Any, event: str, policy_version: str, **columns: Any) -> Any:
    values = {
        "event_id": t.order_id,
        "event": ibis.literal(event),
        "order_id": t.order_id,
        "rider_id": t.rider_id,
        "occurred_at": t.created_at,
        "day": utc_day(t.created_at),
        "party": t.party,
        "rule": t.rule,
        "policy_version": ibis.literal(policy_version),
        "confidence": t.confidence.cast("float64"),
        **columns,
    }
    return t.select(**{name: values[name] for name, _ in JUDGMENT_COLUMNS})
