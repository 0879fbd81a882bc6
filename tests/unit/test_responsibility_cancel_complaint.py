"""Cancellations by reason and facts, complaints by category and facts, on hand-made events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from riderperf.responsibility.complaint import judge_complaint
from riderperf.responsibility.judge import judge_order
from riderperf.responsibility.model import Judgment
from riderperf.responsibility.params import JudgmentParams

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
VERSION = "2026-03"


def at(minutes: float | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


def cancelled(initiator: str | None, reason: str | None, **minutes: float | None) -> dict[str, Any]:
    return {
        "order_id": "O7",
        "rider_id": "R1",
        "created_at": T0,
        "status": "cancelled",
        "cancel_initiator": initiator,
        "cancel_reason": reason,
        "distance_km": 2.0,
        "weather": "clear",
        **{name: at(value) for name, value in minutes.items()},
    }


def judge(params: JudgmentParams, order: dict[str, Any], at_fault: bool = False) -> Judgment:
    judged = judge_order(order, params, VERSION, "bicycle", at_fault)
    assert judged is not None
    return judged


@pytest.mark.parametrize(
    ("initiator", "reason", "party"),
    [
        ("customer", "customer_changed_mind", "customer"),
        ("rider", "customer_unreachable", "customer"),
        ("merchant", "merchant_out_of_stock", "merchant"),
        ("merchant", "merchant_closed", "merchant"),
        ("merchant", "rider_no_show", "rider"),
        ("rider", "rider_vehicle_breakdown", "rider"),
        ("platform", "no_rider_available", "platform"),
        ("platform", "weather", "force_majeure"),
    ],
)
def test_the_reason_not_the_initiator_decides_a_cancellation(
    params: JudgmentParams, initiator: str, reason: str, party: str
) -> None:
    j = judge(params, cancelled(initiator, reason, accepted_at=1, cancelled_at=25))

    assert (j.event, j.party, j.rule) == ("cancelled", party, f"cancel.{reason}")
    assert j.late_minutes is None and set(j.minutes().values()) == {0.0}
    assert j.confidence == params.confidence_rule
    assert j.explanation.startswith("The ")


def test_a_merchant_cancelling_for_a_rider_who_never_came_counts_against_the_rider(
    params: JudgmentParams,
) -> None:
    j = judge(params, cancelled("merchant", "rider_no_show", accepted_at=1, cancelled_at=30))
    assert j.party == "rider"
    assert j.explanation == (
        "The restaurant cancelled the order because the rider who accepted it never came, "
        "so it counts against you."
    )


def test_a_customer_tired_of_waiting_for_a_rider_to_accept_is_the_platforms(
    params: JudgmentParams,
) -> None:
    j = judge(params, cancelled("customer", "customer_waited_too_long", cancelled_at=15))
    assert (j.party, j.rule) == ("platform", "cancel.waited_for_dispatch")
    assert "no rider was assigned for 15 minutes" in j.explanation


def test_a_customer_tired_of_the_rider_waiting_for_food_is_the_restaurants(
    params: JudgmentParams,
) -> None:
    order = cancelled(
        "customer", "customer_waited_too_long", accepted_at=1, arrived_store_at=6, cancelled_at=18
    )
    j = judge(params, order)
    assert (j.party, j.rule) == ("merchant", "cancel.waited_for_food")
    assert "the rider waited 12 minutes at the restaurant" in j.explanation


def test_a_customer_tired_of_a_rider_who_does_not_reach_the_restaurant_is_the_riders(
    params: JudgmentParams,
) -> None:
    order = cancelled("customer", "customer_waited_too_long", accepted_at=1, cancelled_at=30)
    j = judge(params, order)
    assert (j.party, j.rule) == ("rider", "cancel.waited_for_rider")


def test_a_customer_cancelling_when_nobody_was_slow_made_their_own_choice(
    params: JudgmentParams,
) -> None:
    order = cancelled(
        "customer", "customer_waited_too_long", accepted_at=1, arrived_store_at=6, cancelled_at=8
    )
    j = judge(params, order)
    assert (j.party, j.rule) == ("customer", "cancel.waited_normal")


def test_an_accident_is_the_riders_only_when_the_incident_says_so(params: JudgmentParams) -> None:
    order = cancelled("rider", "rider_accident", accepted_at=1, picked_up_at=9, cancelled_at=14)
    at_fault = judge(params, order, at_fault=True)
    not_at_fault = judge(params, order, at_fault=False)

    assert (at_fault.party, at_fault.rule) == ("rider", "cancel.rider_accident_at_fault")
    assert (not_at_fault.party, not_at_fault.rule) == ("none", "cancel.rider_accident")


def test_an_unknown_reason_falls_back_on_the_initiator_with_low_confidence(
    params: JudgmentParams,
) -> None:
    j = judge(params, cancelled("merchant", "printer_jammed", cancelled_at=5))
    nobody = judge(params, cancelled(None, None, cancelled_at=5))

    assert (j.party, j.rule) == ("merchant", "cancel.unknown_reason")
    assert j.confidence == params.confidence_unknown < params.confidence_rule
    assert "printer_jammed" in j.explanation
    assert (nobody.party, nobody.rule) == ("none", "cancel.unknown_reason")


# Complaints.


def complaint(
    category: str | None, text: str | None = None, order_id: str | None = "O1"
) -> dict[str, Any]:
    return {
        "complaint_id": "CP1",
        "order_id": order_id,
        "rider_id": None,
        "source": "customer",
        "category": category,
        "created_at": T0 + timedelta(hours=2),
        "text": text,
    }


def delivered(**minutes: float) -> dict[str, Any]:
    timeline: dict[str, float] = {
        "accepted_at": 1,
        "arrived_store_at": 8,
        "merchant_ready_at": 7,
        "picked_up_at": 9,
        "arrived_customer_at": 19,
        "delivered_at": 20,
        "promised_at": 35,
    }
    timeline.update(minutes)
    return {
        "order_id": "O1",
        "rider_id": "R5",
        "created_at": T0,
        "status": "delivered",
        "distance_km": 2.0,
        "weather": "clear",
        **{k: at(v) for k, v in timeline.items()},
    }


def judge_about(
    params: JudgmentParams,
    category: str | None,
    order: dict[str, Any] | None,
    text: str | None = None,
    tags: str | None = None,
) -> Judgment:
    judged = judge_order(order, params, VERSION, "ebike") if order else None
    item = complaint(category, text, order["order_id"] if order else None)
    return judge_complaint(item, order, judged, tags, params, VERSION)


def test_a_late_complaint_on_an_on_time_order_is_nobodys(params: JudgmentParams) -> None:
    j = judge_about(params, "late", delivered())
    assert (j.event, j.party, j.rule) == ("complaint", "none", "complaint.late_on_time_order")
    assert j.rider_id == "R5" and j.order_id == "O1" and j.event_id == "CP1"


def test_a_late_complaint_follows_the_judgment_of_the_late_order(
    params: JudgmentParams,
) -> None:
    restaurant_late = delivered(
        merchant_ready_at=30, picked_up_at=31, arrived_customer_at=41, delivered_at=42
    )
    rider_late = delivered(arrived_customer_at=45, delivered_at=46)

    by_restaurant = judge_about(params, "late", restaurant_late)
    by_rider = judge_about(params, "late", rider_late)

    assert (by_restaurant.party, by_restaurant.rule) == (
        "merchant",
        "complaint.late_follows_judgment",
    )
    assert by_rider.party == "rider"


def test_a_late_complaint_without_an_order_cannot_be_checked(params: JudgmentParams) -> None:
    j = judge_about(params, "late", None)
    assert (j.party, j.rule) == ("none", "complaint.late_without_order")


def test_damaged_food_is_the_riders_unless_the_packaging_is_named(
    params: JudgmentParams,
) -> None:
    crushed = judge_about(params, "food_damaged", delivered(), "The bag was crushed.")
    lid = judge_about(params, "food_damaged", delivered(), "The LID came off")
    tagged = judge_about(params, "food_damaged", delivered(), None, tags="late;leaky_lid")
    unsealed = judge_about(params, "food_damaged", delivered(), "arrived unsealed")
    ceiling = judge_about(params, "food_damaged", delivered(), "dropped near the ceiling fan")

    assert (crushed.party, crushed.rule) == ("rider", "complaint.food_damaged")
    assert (lid.party, lid.rule) == ("merchant", "complaint.food_damaged_packaging")
    assert tagged.party == "merchant"
    assert unsealed.party == "merchant"
    assert ceiling.party == "rider"


@pytest.mark.parametrize(
    "category", ["rude", "contact", "wrong_handover", "uniform", "unsafe_riding"]
)
def test_conduct_complaints_are_the_riders(params: JudgmentParams, category: str) -> None:
    j = judge_about(params, category, delivered())
    assert (j.party, j.rule) == ("rider", f"complaint.{category}")
    assert j.explanation.endswith("so it counts against you.")


def test_a_fraud_complaint_is_the_riders_pending_review(params: JudgmentParams) -> None:
    j = judge_about(params, "fraud", delivered())
    assert (j.party, j.rule) == ("rider", "complaint.fraud_review")
    assert j.confidence == params.confidence_review < params.confidence_rule


def test_other_and_unknown_complaints_are_nobodys(params: JudgmentParams) -> None:
    other = judge_about(params, "other", delivered())
    unknown = judge_about(params, "smelly_helmet", delivered())
    assert (other.party, other.rule) == ("none", "complaint.other")
    assert (unknown.party, unknown.rule) == ("none", "complaint.unknown_category")
    assert unknown.confidence == params.confidence_unknown


def test_a_complaint_without_an_order_is_judged_on_its_category_with_less_confidence(
    params: JudgmentParams,
) -> None:
    with_order = judge_about(params, "unsafe_riding", delivered())
    item = complaint("unsafe_riding", order_id=None) | {"rider_id": "R9", "source": "public"}
    alone = judge_complaint(item, None, None, None, params, VERSION)

    assert alone.party == "rider" and alone.rider_id == "R9" and alone.order_id is None
    assert alone.confidence == pytest.approx(
        with_order.confidence * params.confidence_no_order_factor
    )
