"""Decides a rider's tier and status from the score, the volume, the tenure and the last tier.

Rules (policy `tiers.*`):

- Thresholds: a score belongs to the best tier whose threshold it reaches.
- Hysteresis, relative to the previous tier: moving up needs the higher tier's threshold
  plus the margin; moving down needs a score below the current tier's threshold minus the
  margin, and lands in the best tier whose threshold minus the margin the score reaches.
  Between the two the rider stays where they were. With no previous tier, thresholds only.
- Minimum volume: fewer accepted orders in the window than `tiers.minimum_orders` (or no
  score) gives status `insufficient_data` and keeps the previous tier (or none).
- New riders: during their first `tiers.new_rider_weeks` weeks after `joined_on` the
  status is `new` and they are never put in the bottom tier: a new rider whose score
  points there keeps the previous tier if it is not the bottom one, else has no tier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from riderperf.metrics.rules import TierRules


@dataclass(frozen=True)
class TierDecision:
    status: str  # ranked | new | insufficient_data
    tier: str | None
    reason: str  # one sentence a rider can read


def protected_until(joined_on: date, rules: TierRules) -> date:
    """The first day a rider who joined on `joined_on` is no longer new."""
    return joined_on + timedelta(weeks=rules.new_rider_weeks)


def tier_for_score(score: float, previous: str | None, rules: TierRules) -> tuple[str, str]:
    """The tier for `score` given the previous tier, and why, with hysteresis."""
    plain = next(name for name, low in rules.tiers if score >= low)
    if previous is None:
        return plain, f"A score of {score:g} is in {plain} (from {rules.threshold(plain):g})."
    margin = rules.margin
    up = next((n for n, low in rules.tiers if score >= low + margin), rules.bottom)
    if rules.rank(up) < rules.rank(previous):
        low = rules.threshold(up)
        return up, (
            f"A score of {score:g} reaches {up} ({low:g}) plus the {margin:g}-point margin: "
            f"up from {previous}."
        )
    down = next(n for n, low in rules.tiers if score >= low - margin)
    if rules.rank(down) > rules.rank(previous):
        low = rules.threshold(previous)
        return down, (
            f"A score of {score:g} is below {previous} ({low:g}) minus the {margin:g}-point "
            f"margin: down to {down}."
        )
    return previous, (
        f"A score of {score:g} is within the {margin:g}-point margin of {previous}'s "
        f"thresholds: you stay in {previous}."
        if plain != previous
        else f"A score of {score:g} is in {previous} (from {rules.threshold(previous):g})."
    )


def decide_tier(
    score: float,
    orders: int,
    previous: str | None,
    joined_on: date | None,
    as_of: date,
    rules: TierRules,
) -> TierDecision:
    previous = previous if rules.known(previous) else None
    enough = orders >= rules.minimum_orders and not math.isnan(score)
    tier, reason = tier_for_score(score, previous, rules) if enough else (None, "")
    if joined_on is not None and as_of < protected_until(joined_on, rules):
        until = protected_until(joined_on, rules)
        if tier is not None and tier != rules.bottom:
            return TierDecision("new", tier, f"{reason} New rider until {until}.")
        kept = previous if previous != rules.bottom else None
        return TierDecision(
            "new",
            kept,
            f"New rider until {until}: not placed in the {rules.bottom} tier while learning"
            + (f"; {kept} kept." if kept else "."),
        )
    if not enough:
        why = (
            f"{orders} orders accepted in this period, fewer than the {rules.minimum_orders} "
            "a tier needs"
            if orders < rules.minimum_orders
            else "No KPI could be measured"
        )
        kept = f"{previous} kept" if previous else "no tier yet"
        return TierDecision("insufficient_data", previous, f"{why}: {kept}.")
    assert tier is not None
    return TierDecision("ranked", tier, reason)
