"""The one plain sentence a rider reads for each rule, built the same way in both paths.

Each rule has one template. The per-order path fills it with Python values (`render`), the
bulk path turns the very same template into an Ibis string expression (`sentence_expr`); the
numbers are formatted by twin functions (whole minutes, rounded half up) so the text is
identical character for character.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import Any

import ibis

# Fields holding minutes: shown as "1 minute" / "N minutes", rounded half up. `late` is
# never shown as less than 1 minute (the order was late).
MINUTE_FIELDS = (
    "late",
    "dispatch",
    "food_wait",
    "door",
    "weather_delay",
    "travel_extra",
    "pickup_extra",
    "store_leg",
    "rider_extra",
    "tolerance",
)

VERDICT = {
    "rider": "it counts against you",
    "merchant": "it is the restaurant's responsibility, not yours",
    "customer": "it is the customer's responsibility, not yours",
    "platform": "it is the platform's responsibility, not yours",
    "force_majeure": "it is put down to force majeure, not to you",
    "none": "nobody is held responsible",
}

# What each complaint category is about, for the sentence; other categories are shown as
# their code with spaces.
COMPLAINT_SUBJECT = {
    "rude": "rude behaviour",
    "contact": "the rider not being reachable",
    "wrong_handover": "an order handed to the wrong person or place",
    "uniform": "uniform or delivery gear",
    "unsafe_riding": "unsafe riding",
    "fraud": "possible fraud",
    "other": "a matter the rider does not control",
    "late": "lateness",
    "food_damaged": "damaged food",
}

# Cancellation reasons with their own wording; other reasons use `cancel.by_reason`.
CANCEL_REASON_TEMPLATES = {
    "customer_changed_mind": "The customer cancelled the order because they changed their "
    "mind, so {verdict}.",
    "customer_unreachable": "The order was cancelled because the customer could not be "
    "reached at the door, so {verdict}.",
    "merchant_out_of_stock": "The restaurant cancelled the order because it was out of "
    "stock, so {verdict}.",
    "merchant_closed": "The restaurant cancelled the order because it was closed, so {verdict}.",
    "rider_no_show": "The restaurant cancelled the order because the rider who accepted it "
    "never came, so {verdict}.",
    "rider_vehicle_breakdown": "The order was cancelled because the rider's vehicle broke "
    "down, and riders keep their own vehicle roadworthy, so {verdict}.",
    "no_rider_available": "The platform cancelled the order because no rider accepted it, "
    "so {verdict}.",
    "weather": "The platform cancelled the order because of the weather, so {verdict}.",
}

TEMPLATES: dict[str, str] = {
    "late.platform_dispatch": "Your order was {late} late: no rider was assigned until "
    "{dispatch} after it was placed, so the delay is the platform's, not yours.",
    "late.merchant_wait": "Your order was {late} late: the restaurant had the food ready "
    "{food_wait} after you arrived, so the delay is the restaurant's, not yours.",
    "late.merchant_wait_unrecorded": "Your order was {late} late: you waited {food_wait} at "
    "the restaurant, which did not record when the food was ready, so the delay is counted "
    "as the restaurant's, not yours.",
    "late.weather": "Your order was {late} late: the {weather} slowed the delivery by about "
    "{weather_delay}, so the delay is put down to the weather, not to you.",
    "late.customer_door": "Your order was {late} late: you waited {door} at the customer's "
    "door, so the delay is the customer's, not yours.",
    "late.rider_travel": "Your order was {late} late: the ride to the customer took "
    "{travel_extra} longer than expected for the distance, your vehicle and the weather, "
    "so the delay is yours.",
    "late.rider_pickup": "Your order was {late} late: the food was ready while you were at "
    "the restaurant, but you picked it up {pickup_extra} later than the time allowed, so the "
    "delay is yours.",
    "late.rider_within_tolerance": "Your order was {late} late, but your extra {rider_extra} "
    "is within the tolerance of {tolerance} and nobody else took more than the time allowed, "
    "so nobody is held responsible.",
    "late.unexplained": "Your order was {late} late, but nobody took more than the time "
    "allowed at any step, so nobody is held responsible.",
    **{f"cancel.{reason}": text for reason, text in CANCEL_REASON_TEMPLATES.items()},
    "cancel.by_reason": "The order was cancelled ({reason}), and the policy decides this "
    "reason so that {verdict}.",
    "cancel.unknown_reason": "The order was cancelled for a reason the policy does not "
    "know ({reason}), so until it is reviewed {verdict}.",
    "cancel.waited_for_dispatch": "The customer cancelled after waiting: no rider was "
    "assigned for {dispatch}, so {verdict}.",
    "cancel.waited_for_food": "The customer cancelled after waiting: the rider waited "
    "{food_wait} at the restaurant for the food, so {verdict}.",
    "cancel.waited_for_rider": "The customer cancelled after waiting: the rider took "
    "{store_leg} to reach the restaurant, more than the time allowed, so {verdict}.",
    "cancel.waited_normal": "The customer cancelled after waiting, but nobody took longer "
    "than allowed, so {verdict}.",
    "cancel.rider_accident_at_fault": "The order was cancelled after an accident that the "
    "incident report puts down to the rider, so {verdict}.",
    "cancel.rider_accident": "The order was cancelled after an accident that no incident "
    "report puts down to the rider, so {verdict}.",
    "complaint.late_on_time_order": "The complaint says the order was late, but it was "
    "delivered on time, so {verdict}.",
    "complaint.late_follows_judgment": "The complaint says the order was late, and it "
    "follows the judgment of that order: {verdict}.",
    "complaint.late_without_order": "The complaint says an order was late but names no "
    "order, so lateness cannot be checked and {verdict}.",
    "complaint.food_damaged": "The complaint says the food arrived damaged and nothing "
    "points at the packaging, so {verdict}.",
    "complaint.food_damaged_packaging": "The complaint says the food arrived damaged and "
    "the evidence points at the restaurant's packaging, so {verdict}.",
    "complaint.fraud_review": "The complaint is about {subject}; until a person reviews the "
    "evidence {verdict}.",
    "complaint.by_category": "The complaint is about {subject}, so {verdict}.",
    "complaint.unknown_category": "The complaint's category ({subject}) is not in the "
    "policy, so until it is reviewed {verdict}.",
}


def minutes_text(minutes: float, *, at_least_one: bool = False) -> str:
    whole = math.floor(minutes + 0.5)
    if at_least_one:
        whole = max(whole, 1)
    return "1 minute" if whole == 1 else f"{whole} minutes"


def render(template: str, fields: Mapping[str, Any]) -> str:
    """The sentence of `template` (a key of TEMPLATES) filled from Python values."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(TEMPLATES[template]):
        out.append(literal)
        if name in MINUTE_FIELDS:
            out.append(minutes_text(float(fields[name]), at_least_one=name == "late"))
        elif name:
            out.append(str(fields[name]))
    return "".join(out)


def _minutes_expr(minutes: Any, *, at_least_one: bool = False) -> Any:
    whole = (minutes + 0.5).floor().cast("int64")
    if at_least_one:
        whole = ibis.greatest(whole, 1)
    return ibis.ifelse(whole == 1, "1 minute", whole.cast("string") + " minutes")


def sentence_expr(template: str, fields: Mapping[str, Any]) -> Any:
    """The sentence of `template` as an Ibis string expression; `fields` maps each field it
    uses to a column (minutes as float64, text as string)."""
    parts: list[Any] = []
    for literal, name, _, _ in string.Formatter().parse(TEMPLATES[template]):
        if literal:
            parts.append(ibis.literal(literal))
        if name in MINUTE_FIELDS:
            parts.append(_minutes_expr(fields[name], at_least_one=name == "late"))
        elif name:
            parts.append(fields[name])
    sentence = parts[0]
    for part in parts[1:]:
        sentence = sentence + part
    return sentence


def verdict_expr(party: Any) -> Any:
    return party.cases(*VERDICT.items())


def subject_text(category: str | None) -> str:
    if category is None:
        return "none"
    return COMPLAINT_SUBJECT.get(category, category.replace("_", " "))


def subject_expr(category: Any) -> Any:
    known = category.cases(*COMPLAINT_SUBJECT.items(), else_=category.replace("_", " "))
    return category.isnull().ifelse("none", known)
