"""Tiers: thresholds, hysteresis, minimum volume and the protected new status."""

from __future__ import annotations

import math
from datetime import date

import pytest

from riderperf.metrics.rules import TierRules
from riderperf.metrics.tiers import decide_tier, tier_for_score
from riderperf.policy.parameters import ParameterSet

RULES = TierRules(
    tiers=(("gold", 900.0), ("silver", 700.0), ("bronze", 500.0), ("watch", 0.0)),
    margin=20.0,
    minimum_orders=20,
    new_rider_weeks=4,
)
AS_OF = date(2026, 11, 30)
VETERAN = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("score", "tier"),
    [(1000, "gold"), (900, "gold"), (899.99, "silver"), (500, "bronze"), (0, "watch")],
)
def test_without_a_previous_tier_the_thresholds_alone_decide(score: float, tier: str) -> None:
    assert tier_for_score(score, None, RULES)[0] == tier


@pytest.mark.parametrize(
    ("score", "previous", "tier"),
    [
        (695, "silver", "silver"),  # just under silver's threshold: stays
        (680, "silver", "silver"),  # at threshold - margin: stays
        (679.99, "silver", "bronze"),  # below threshold - margin: down
        (710, "bronze", "bronze"),  # over silver's threshold but not by the margin
        (720, "bronze", "silver"),  # threshold + margin: up
        (930, "bronze", "gold"),  # up as far as the margin allows in one step
        (915, "bronze", "silver"),
        (685, "gold", "silver"),  # down lands where threshold - margin is reached
        (470, "gold", "watch"),
    ],
)
def test_hysteresis_needs_the_margin_to_move_up_or_down(
    score: float, previous: str, tier: str
) -> None:
    assert tier_for_score(score, previous, RULES)[0] == tier


def test_a_rider_who_stays_is_told_why() -> None:
    tier, reason = tier_for_score(695, "silver", RULES)
    assert tier == "silver"
    assert reason == (
        "A score of 695 is within the 20-point margin of silver's thresholds: you stay in silver."
    )


def test_too_few_orders_keeps_the_previous_tier_or_none() -> None:
    kept = decide_tier(300, 19, "gold", VETERAN, AS_OF, RULES)
    assert (kept.status, kept.tier) == ("insufficient_data", "gold")
    assert (
        kept.reason
        == "19 orders accepted in this period, fewer than the 20 a tier needs: gold kept."
    )
    none = decide_tier(300, 0, None, VETERAN, AS_OF, RULES)
    assert (none.status, none.tier) == ("insufficient_data", None)
    unknown = decide_tier(math.nan, 40, "silver", VETERAN, AS_OF, RULES)
    assert (unknown.status, unknown.tier) == ("insufficient_data", "silver")


def test_a_new_rider_is_never_placed_in_the_bottom_tier() -> None:
    joined = date(2026, 11, 10)
    low = decide_tier(100, 200, None, joined, AS_OF, RULES)
    assert (low.status, low.tier) == ("new", None)
    assert low.reason.startswith("New rider until 2026-12-08: not placed in the watch tier")
    kept = decide_tier(100, 200, "bronze", joined, AS_OF, RULES)
    assert (kept.status, kept.tier) == ("new", "bronze")
    was_bottom = decide_tier(100, 200, "watch", joined, AS_OF, RULES)
    assert was_bottom.tier is None


def test_a_new_rider_can_earn_any_tier_above_the_bottom() -> None:
    good = decide_tier(950, 25, None, date(2026, 11, 20), AS_OF, RULES)
    assert (good.status, good.tier) == ("new", "gold")
    few = decide_tier(950, 3, None, date(2026, 11, 20), AS_OF, RULES)
    assert (few.status, few.tier) == ("new", None)


def test_protection_ends_after_the_policy_weeks() -> None:
    last_new = decide_tier(100, 200, None, date(2026, 11, 3), AS_OF, RULES)
    first_ranked = decide_tier(100, 200, None, date(2026, 11, 2), AS_OF, RULES)
    assert (last_new.status, last_new.tier) == ("new", None)
    assert (first_ranked.status, first_ranked.tier) == ("ranked", "watch")


def test_an_unknown_previous_tier_is_treated_as_none() -> None:
    decision = decide_tier(710, 100, "platinum", VETERAN, AS_OF, RULES)
    assert (decision.status, decision.tier) == ("ranked", "silver")


def tier_params(**thresholds: float) -> ParameterSet:
    values: dict[str, object] = {f"tiers.thresholds.{k}": v for k, v in thresholds.items()}
    values |= {
        "tiers.hysteresis_margin": 10,
        "tiers.minimum_orders": 20,
        "tiers.new_rider_weeks": 4,
    }
    return ParameterSet(date(2026, 1, 1), values)


def test_tier_rules_come_from_the_policy_best_first() -> None:
    rules = TierRules.from_params(tier_params(low=0, top=800, mid=400))
    assert rules.tiers == (("top", 800.0), ("mid", 400.0), ("low", 0.0))
    assert rules.bottom == "low"
    with pytest.raises(ValueError, match="bottom tier must start at 0"):
        TierRules.from_params(tier_params(top=800, mid=400))
    with pytest.raises(ValueError, match="share one threshold"):
        TierRules.from_params(tier_params(top=800, mid=800, low=0))
