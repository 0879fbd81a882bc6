"""Decides who is responsible for one cancelled order, by its reason code and its facts.

The policy's reason table (`responsibility.cancellation.reasons`) maps a reason code to a
party, because the initiator is not always at fault (a restaurant cancels when the rider
never came: the rider's). Two codes are decided from facts:

- `waiting_facts` (customer_waited_too_long): who kept the customer waiting, measured up to
  the cancellation like the parts of a late order: the platform for the time until a rider
  accepted beyond the dispatch allowance, the restaurant for the time the rider waited at
  the counter beyond the food-wait allowance (until the food was ready, picked up or the
  order cancelled), the rider for the ride to the restaurant beyond the store-leg allowance
  × weather factor (only above the rider tolerance). The most minutes decide; when nobody
  reaches the attribution floor it was the customer's own choice.
- `accident_incident` (rider_accident): the rider only when an accident incident for the
  order says the rider was at fault, else nobody.

A reason not in the table falls back on the initiator (or nobody), with low confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riderperf.responsibility.explain import CANCEL_REASON_TEMPLATES, VERDICT, render
from riderperf.responsibility.late import responsible_party
from riderperf.responsibility.model import PARTIES, is_missing, minutes_between
from riderperf.responsibility.params import ACCIDENT_INCIDENT, WAITING_FACTS, JudgmentParams

WAITING_RULES = {
    "platform": "cancel.waited_for_dispatch",
    "merchant": "cancel.waited_for_food",
    "rider": "cancel.waited_for_rider",
    "customer": "cancel.waited_normal",
}


@dataclass(frozen=True)
class CancelVerdict:
    party: str
    rule: str
    confidence: float
    explanation: str


def _earlier(moment: Any, limit: Any) -> Any:
    """`moment`, or `limit` when `moment` is missing or after it."""
    if is_missing(moment):
        return limit
    if is_missing(limit):
        return moment
    return limit if moment > limit else moment


def _first_present(*moments: Any) -> Any:
    for moment in moments:
        if not is_missing(moment):
            return moment
    return None


def waiting_minutes(order: Mapping[str, Any], params: JudgmentParams) -> dict[str, float]:
    """Minutes beyond allowance that platform, merchant and rider kept the customer waiting
    before a customer_waited_too_long cancellation."""
    created, accepted = order.get("created_at"), order.get("accepted_at")
    at_store, cancelled = order.get("arrived_store_at"), order.get("cancelled_at")
    weather = None if is_missing(order.get("weather")) else str(order["weather"])
    factor = params.factor_for(weather)

    dispatch = minutes_between(_first_present(accepted, cancelled), created)
    food_end = _earlier(
        _first_present(order.get("merchant_ready_at"), order.get("picked_up_at")), cancelled
    )
    food_wait = minutes_between(food_end, at_store)
    leg = (
        None
        if is_missing(accepted)
        else minutes_between(_first_present(at_store, cancelled), accepted)
    )
    return {
        "dispatch": -1.0 if dispatch is None else dispatch,
        "food_wait": -1.0 if food_wait is None else food_wait,
        "store_leg": -1.0 if leg is None else leg,
        "platform": 0.0 if dispatch is None else max(dispatch - params.dispatch_allowance, 0.0),
        "merchant": 0.0 if food_wait is None else max(food_wait - params.food_wait_allowance, 0.0),
        "rider": 0.0 if leg is None else max(leg - params.store_leg_allowance * factor, 0.0),
    }


def judge_cancellation(
    order: Mapping[str, Any], params: JudgmentParams, at_fault_accident: bool
) -> CancelVerdict:
    reason = None if is_missing(order.get("cancel_reason")) else str(order["cancel_reason"])
    initiator = order.get("cancel_initiator")
    decision = params.cancel_reasons.get(reason) if reason is not None else None
    fields: dict[str, Any] = {"reason": "no reason given" if reason is None else reason}
    confidence = params.confidence_rule
    template = None
    if decision is None:
        party = initiator if initiator in PARTIES else "none"
        rule, confidence = "cancel.unknown_reason", params.confidence_unknown
    elif decision == ACCIDENT_INCIDENT:
        party = "rider" if at_fault_accident else "none"
        rule = "cancel.rider_accident_at_fault" if at_fault_accident else "cancel.rider_accident"
    elif decision == WAITING_FACTS:
        waited = waiting_minutes(order, params)
        party = responsible_party(waited, ("platform", "merchant", "rider"), "customer", params)
        rule = WAITING_RULES[party]
        fields.update(waited)
        if is_missing(order.get("cancelled_at")):
            confidence = confidence * params.confidence_fallback_factor
    else:
        party, rule = decision, f"cancel.{reason}"
        template = cancel_template(rule)
    fields["verdict"] = VERDICT[party]
    return CancelVerdict(party, rule, confidence, render(template or rule, fields))


def cancel_template(rule: str) -> str:
    """The template of a cancellation rule: its own, or the generic one for a reason the
    policy maps to a party but that has no wording of its own."""
    return rule if rule.removeprefix("cancel.") in CANCEL_REASON_TEMPLATES else "cancel.by_reason"
