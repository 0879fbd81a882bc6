"""Late deliveries: each party's minutes, who is responsible, and the sentence, on hand-made orders.

The reference order is an e-bike ride of 3 km in clear weather: expected ride 3 / 15 km/h =
12 minutes + 2 minutes handling = 14 minutes, promised 40 minutes after it was placed. The
weather's cost is measured on the typical ride, 3 / 18 km/h = 10 minutes + 2 = 12 minutes.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from riderperf.responsibility.judge import judge_order
from riderperf.responsibility.model import Judgment
from riderperf.responsibility.params import JudgmentParams

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
VERSION = "2026-03"


def at(minutes: float | None) -> datetime | None:
    return None if minutes is None else T0 + timedelta(minutes=minutes)


def order(**minutes: Any) -> dict[str, Any]:
    """A delivered order; timestamps given in minutes after creation (None = missing)."""
    timeline = {
        "accepted_at": 1,
        "arrived_store_at": 8,
        "merchant_ready_at": 7,
        "picked_up_at": 9,
        "arrived_customer_at": 23,
        "delivered_at": 24,
        "promised_at": 40,
    }
    facts = {k: v for k, v in minutes.items() if k not in timeline}
    timeline.update({k: v for k, v in minutes.items() if k in timeline})
    return {
        "order_id": "O1",
        "rider_id": "R1",
        "created_at": T0,
        "status": "delivered",
        "distance_km": 3.0,
        "weather": "clear",
        **{k: at(v) for k, v in timeline.items()},
        **facts,
    }


def judge(params: JudgmentParams, vehicle: str | None = "ebike", **minutes: Any) -> Judgment:
    judged = judge_order(order(**minutes), params, VERSION, vehicle)
    assert judged is not None
    return judged


def test_on_time_order_has_no_judgment(params: JudgmentParams) -> None:
    assert judge_order(order(), params, VERSION, "ebike") is None
    assert judge_order(order(delivered_at=40), params, VERSION, "ebike") is None
    assert judge_order(order(promised_at=None, delivered_at=90), params, VERSION, "ebike") is None


def test_food_ready_after_the_rider_arrived_is_the_restaurants_delay(
    params: JudgmentParams,
) -> None:
    # Ready 12 minutes after the rider arrived; everything after shifts by the wait.
    j = judge(
        params,
        promised_at=30,
        merchant_ready_at=20,
        picked_up_at=21,
        arrived_customer_at=35,
        delivered_at=36,
    )

    assert (j.event, j.party, j.rule) == ("late", "merchant", "late.merchant_wait")
    assert j.late_minutes == pytest.approx(6.0)
    assert j.minutes_rider == 0.0
    assert j.minutes_merchant == pytest.approx(6.0)  # 8 minutes beyond allowance, 6 late
    assert j.explanation == (
        "Your order was 6 minutes late: the restaurant had the food ready 12 minutes after "
        "you arrived, so the delay is the restaurant's, not yours."
    )
    assert j.policy_version == VERSION and j.day == date(2026, 3, 2)


def test_missing_ready_time_counts_the_counter_wait_as_the_restaurants(
    params: JudgmentParams,
) -> None:
    full = judge(
        params,
        promised_at=30,
        merchant_ready_at=20,
        picked_up_at=21,
        arrived_customer_at=35,
        delivered_at=36,
    )
    j = judge(
        params,
        promised_at=30,
        merchant_ready_at=None,
        picked_up_at=21,
        arrived_customer_at=35,
        delivered_at=36,
    )

    assert (j.party, j.rule) == ("merchant", "late.merchant_wait_unrecorded")
    assert j.minutes_rider == 0.0
    assert j.confidence < full.confidence
    assert "did not record when the food was ready" in j.explanation


def test_slow_dispatch_is_the_platforms_delay(params: JudgmentParams) -> None:
    j = judge(
        params,
        accepted_at=20,
        arrived_store_at=27,
        merchant_ready_at=7,
        picked_up_at=28,
        arrived_customer_at=42,
        delivered_at=43,
    )

    assert (j.party, j.rule) == ("platform", "late.platform_dispatch")
    assert "no rider was assigned until 20 minutes after it was placed" in j.explanation


def test_long_wait_at_the_door_is_the_customers(params: JudgmentParams) -> None:
    j = judge(params, delivered_at=45)

    assert (j.party, j.rule) == ("customer", "late.customer_door")
    # 22 minutes at the door, 19 beyond the allowance: all 5 late minutes are the customer's.
    assert j.minutes_customer == pytest.approx(5.0) == j.late_minutes
    assert "you waited 22 minutes at the customer's door" in j.explanation


def test_speeds_come_from_the_policy(params: JudgmentParams) -> None:
    # The numbers the hand calculations of this module rest on.
    assert (params.speed_kmh["ebike"], params.typical_speed_kmh["ebike"]) == (15.0, 18.0)
    assert (params.handling_allowance, params.weather_factor["storm"]) == (2.0, 2.0)
    assert params.rider_tolerance == 3.0


def test_a_ride_slowed_by_a_storm_is_force_majeure_not_the_rider(params: JudgmentParams) -> None:
    # Expected 14 minutes; the storm allows twice that, 28: a 27-minute ride is not the rider's.
    # The storm cost a typical ride 12 × (2 − 1) = 12 minutes, and the ride took 27 − 12 = 15
    # beyond the typical one: 12 minutes of force majeure. (The food was ready as the rider
    # arrived, so no share of the way to the restaurant is the storm's.)
    j = judge(
        params,
        weather="storm",
        merchant_ready_at=8,
        promised_at=30,
        arrived_customer_at=36,
        delivered_at=37,
    )

    assert (j.party, j.rule) == ("force_majeure", "late.weather")
    assert j.minutes_rider == 0.0
    assert j.minutes_force_majeure == pytest.approx(7.0) == j.late_minutes
    assert j.explanation == (
        "Your order was 7 minutes late: the storm slowed the delivery by about 12 minutes, so "
        "the delay is put down to the weather, not to you."
    )


def test_the_weather_is_measured_on_a_typical_ride_not_on_the_lenient_expectation(
    params: JudgmentParams,
) -> None:
    # Food ready as the rider arrived; a 41-minute storm ride. The rider is allowed 14 × 2 =
    # 28 minutes: 13 extra. The storm cost a typical ride 12 minutes (not 14 × (2 − 1) = 14,
    # which would outweigh the rider's 13): the rider is responsible.
    j = judge(
        params,
        weather="storm",
        merchant_ready_at=8,
        arrived_customer_at=50,
        delivered_at=51,
    )

    assert (j.party, j.rule) == ("rider", "late.rider_travel")
    # 11 minutes late, shared 13 : 12 between rider and weather.
    assert j.minutes_rider == pytest.approx(11 * 13 / 25)
    assert j.minutes_force_majeure == pytest.approx(11 * 12 / 25)
    assert j.confidence == pytest.approx(13 / 25)
    assert "took 13 minutes longer than expected" in j.explanation


def test_between_the_typical_and_the_expected_ride_the_minutes_are_nobodys(
    params: JudgmentParams,
) -> None:
    # A 28-minute storm ride: exactly the 14 × 2 the rider is allowed, so rider 0; the storm
    # cost a typical ride 12; the other 28 − 12 − 12 = 4 minutes are the benefit of the doubt.
    j = judge(
        params,
        weather="storm",
        merchant_ready_at=8,
        promised_at=5,
        arrived_customer_at=37,
        delivered_at=38,
    )

    assert j.party == "force_majeure"
    assert j.late_minutes == pytest.approx(33.0)
    assert j.minutes() == {
        "platform": 0.0,
        "merchant": 0.0,
        "force_majeure": pytest.approx(12.0),
        "customer": 0.0,
        "rider": 0.0,
    }


def test_the_weather_allowance_is_capped_by_the_time_the_ride_really_took(
    params: JudgmentParams,
) -> None:
    # A storm, but the ride took 16 minutes, 4 beyond the typical 12: only 4 minutes of
    # weather delay are real (not the 12 a storm costs a typical ride). The restaurant's 8
    # minutes decide; the 8 late minutes are shared 8 : 4.
    j = judge(
        params,
        weather="storm",
        promised_at=30,
        merchant_ready_at=20,
        picked_up_at=21,
        arrived_customer_at=37,
        delivered_at=38,
    )

    assert j.party == "merchant"
    assert j.minutes_force_majeure == pytest.approx(8 * 4 / 12)
    assert j.minutes_merchant == pytest.approx(8 * 8 / 12)


def test_a_ride_far_slower_than_expected_is_the_riders(params: JudgmentParams) -> None:
    j = judge(params, arrived_customer_at=39, delivered_at=41)

    assert (j.party, j.rule) == ("rider", "late.rider_travel")
    assert j.minutes_rider == pytest.approx(1.0)  # 16 extra minutes, but only 1 minute late
    assert "took 16 minutes longer than expected" in j.explanation
    assert j.explanation.endswith("so the delay is yours.")


def test_an_ebike_is_never_expected_faster_than_15_kmh(params: JudgmentParams) -> None:
    assert params.speed_kmh["ebike"] <= 15
    # 3 km in 12 minutes (15 km/h) plus 2 handling: not a minute of the ride is the rider's,
    # though a motorbike would be expected to do it in 9.2 minutes.
    ebike = judge(params, arrived_customer_at=9 + 14, delivered_at=45)
    motorbike = judge(params, vehicle="motorbike", arrived_customer_at=9 + 14, delivered_at=45)
    assert ebike.minutes_rider == 0.0
    assert motorbike.minutes_rider > 0.0


def test_a_rider_within_the_tolerance_is_not_responsible(params: JudgmentParams) -> None:
    # 2.5 minutes slower than expected: within the 3-minute tolerance, nobody else is late.
    j = judge(params, promised_at=20, arrived_customer_at=25.5, delivered_at=26.5)

    assert (j.party, j.rule) == ("none", "late.rider_within_tolerance")
    assert j.minutes_rider > 0
    assert "within the tolerance of 3 minutes" in j.explanation


def test_lateness_passes_to_the_next_party_when_the_rider_is_within_tolerance(
    params: JudgmentParams,
) -> None:
    # Rider 2.5 minutes slow (within tolerance), restaurant 1.5 minutes beyond its allowance.
    j = judge(
        params,
        promised_at=20,
        merchant_ready_at=13.5,
        picked_up_at=14.5,
        arrived_customer_at=31,
        delivered_at=32,
    )
    assert j.party == "merchant"
    assert j.minutes_rider > 0


def test_a_tie_never_falls_on_the_rider(params: JudgmentParams) -> None:
    # No distance to ride, so 2 minutes expected. Restaurant: 9 − 4 = 5; rider: 7 − 2 = 5.
    j = judge(
        params,
        distance_km=0.0,
        promised_at=20,
        merchant_ready_at=17,
        picked_up_at=18,
        arrived_customer_at=25,
        delivered_at=26,
    )
    assert j.party == "merchant"
    assert j.minutes_merchant == j.minutes_rider


def test_picking_up_ready_food_long_after_arriving_is_the_riders(params: JudgmentParams) -> None:
    j = judge(params, picked_up_at=25, arrived_customer_at=39, delivered_at=40.5)

    assert (j.party, j.rule) == ("rider", "late.rider_pickup")
    assert "picked it up 12 minutes later than the time allowed" in j.explanation


def test_the_recorded_minutes_share_out_the_lateness(params: JudgmentParams) -> None:
    j = judge(
        params,
        accepted_at=10,
        arrived_store_at=17,
        merchant_ready_at=30,
        picked_up_at=31,
        arrived_customer_at=45,
        delivered_at=46,
    )
    minutes = j.minutes()
    assert j.late_minutes is not None
    assert sum(minutes.values()) == pytest.approx(j.late_minutes)
    assert minutes["merchant"] / minutes["platform"] == pytest.approx((13 - 4) / (10 - 3))
    assert j.party == "merchant"
    assert j.confidence == pytest.approx(9 / 16)


def test_a_missing_arrival_at_the_customer_gives_the_ride_the_door_allowance(
    params: JudgmentParams,
) -> None:
    # Delivered 17 minutes after pick-up, no arrival tap: 14 expected + 3 at the door.
    j = judge(params, promised_at=20, arrived_customer_at=None, delivered_at=26)
    assert j.minutes_rider == 0.0
    assert j.party == "none"
    assert j.confidence < params.confidence_rule


def test_unknown_vehicle_is_held_to_the_slowest_speed(params: JudgmentParams) -> None:
    on_foot = judge(params, vehicle="foot", arrived_customer_at=60, delivered_at=61)
    unknown = judge(params, vehicle=None, arrived_customer_at=60, delivered_at=61)
    assert unknown.minutes_rider == on_foot.minutes_rider
    assert unknown.confidence < on_foot.confidence


def test_unknown_weather_counts_as_clear(params: JudgmentParams) -> None:
    hail = judge(params, weather="hail", arrived_customer_at=39, delivered_at=41)
    clear = judge(params, arrived_customer_at=39, delivered_at=41)
    assert (hail.party, hail.minutes_force_majeure) == (clear.party, 0.0)


def test_nothing_beyond_the_allowances_is_nobodys(params: JudgmentParams) -> None:
    j = judge(params, promised_at=20)
    assert (j.party, j.rule) == ("none", "late.unexplained")
    assert j.explanation.startswith("Your order was 4 minutes late, but nobody")


def test_allowances_come_from_the_policy(params: JudgmentParams) -> None:
    strict = dataclasses.replace(params, door_allowance=0.0)
    j = judge(strict, promised_at=20, delivered_at=25)
    assert j.party == "customer"
    assert j.minutes_customer == pytest.approx(2.0)
