"""Decides where an offence lands on the penalty ladder, and how an overturn is repaired.

Pure functions of the offences found, the rider's history and the policy's ladder numbers:
no database, no clock. The ladder (docs/decisions.md):

1. Forgiveness: a forgivable offence by a rider with no active points and no offence in
   the forgiveness window gets a notice instead of points.
2. Otherwise the offence's points go on the ledger and expire after the policy's window.
3. The measure follows the new active total: the highest measure whose points threshold
   the total reaches (warning, retraining, reduced priority, suspension, deactivation).
4. Repeat offences climb: with a sanction already in effect in the look-back window, the
   measure is at least the rung above it, capped by the policy (never deactivation by
   repetition alone unless the cap says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

STATUSES = ("proposed", "in_effect", "rejected", "overturned", "partially_overturned")
RESTRICTING_KINDS = frozenset({"reduced_priority", "suspension", "deactivation"})
# The ladder from the mildest rung; a "measure" is a rung above plain points.
LADDER = (
    "notice",
    "warning",
    "points",
    "retraining",
    "reduced_priority",
    "suspension",
    "deactivation",
)
MEASURES = ("warning", "retraining", "reduced_priority", "suspension", "deactivation")
PENALTY_KINDS = LADDER
REWARD_KINDS = ("tier_bonus", "priority_weight", "badge", "newcomer_boost")
REPAIR_KINDS = ("points_restored", "restriction_lifted", "compensation")
KINDS = PENALTY_KINDS + REWARD_KINDS + REPAIR_KINDS
OFFENCES = (
    "low_score",
    "late_deliveries",
    "rider_cancellations",
    "complaints",
    "safety_incident",
    "inspection_violation",
    "document_expired",
    "fraud",
)
# Measures an overturn lifts with a `restriction_lifted` decision.
LIFTABLE_KINDS = frozenset({"retraining"}) | RESTRICTING_KINDS
# A partial overturn replaces a measure by the next milder one; a replacement that
# restricts work is proposed like any other restriction.
PARTIAL_REPLACEMENT = {
    "warning": "notice",
    "retraining": "warning",
    "reduced_priority": "warning",
    "suspension": "warning",
    "deactivation": "suspension",
}


def rung(kind: str) -> int:
    return LADDER.index(kind)


@dataclass(frozen=True)
class Ladder:
    """The ladder's numbers, from `decisions.ladder.*` and `decisions.appeal_window_days`."""

    points_expiry_days: int
    lookback_days: int
    forgiveness_days: int
    measure_at: tuple[tuple[str, int], ...]  # (measure, active points), mildest first
    repeat_cap: str
    suspension_days: int
    reduced_priority_weight: float
    reduced_priority_days: int
    appeal_window_days: int


@dataclass(frozen=True)
class History:
    """What the ladder needs to know of the rider before this period."""

    active_points: int = 0
    last_offence_on: date | None = None  # last day of the latest period with an offence
    sanctions: tuple[str, ...] = ()  # measures in effect decided in the look-back window
    # Restrictions still awaiting a person or still in effect: not proposed again.
    open_restrictions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Offence:
    """One offence found by a ladder rule, with its points and the notice's numbers."""

    rule_id: str
    offence: str
    points: int
    forgivable: bool
    reason_params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LadderOutcome:
    forgiven: tuple[Offence, ...]  # each gets a notice, no points
    scored: tuple[tuple[Offence, int], ...]  # each offence and the active total after it
    measure: str | None  # the escalation, if any
    measure_rule: Offence | None  # the offence the measure is attributed to
    why: str  # "points", "repeat" or "" without a measure
    clean_history: bool
    prior_sanction: str | None

    @property
    def total_points(self) -> int:
        return self.scored[-1][1] if self.scored else 0


def is_clean(history: History, period_start: date, ladder: Ladder) -> bool:
    """No active points and no offence within the forgiveness window before the period."""
    if history.active_points > 0:
        return False
    if history.last_offence_on is None:
        return True
    return (period_start - history.last_offence_on).days > ladder.forgiveness_days


def measure_for_points(total: int, ladder: Ladder) -> str | None:
    """The highest measure whose threshold `total` reaches, or None."""
    reached = [kind for kind, at in ladder.measure_at if total >= at]
    return reached[-1] if reached else None


def measure_for_repeat(sanctions: tuple[str, ...], ladder: Ladder) -> str | None:
    """The rung above the highest sanction in the look-back window, capped by the policy."""
    prior = [s for s in sanctions if s in MEASURES]
    if not prior:
        return None
    highest = max(prior, key=rung)
    above = MEASURES[min(MEASURES.index(highest) + 1, len(MEASURES) - 1)]
    return above if rung(above) <= rung(ladder.repeat_cap) else ladder.repeat_cap


def climb_ladder(
    offences: list[Offence], history: History, period_start: date, ladder: Ladder
) -> LadderOutcome:
    """Forgiveness, points and the one measure of a rider's ladder offences in a period."""
    clean = is_clean(history, period_start, ladder)
    forgiven = tuple(o for o in offences if o.forgivable and clean)
    scored: list[tuple[Offence, int]] = []
    total = history.active_points
    for offence in offences:
        if offence not in forgiven:
            total += offence.points
            scored.append((offence, total))
    prior = max(history.sanctions, key=rung) if history.sanctions else None
    if not scored:
        return LadderOutcome(forgiven, (), None, None, "", clean, prior)
    by_points = measure_for_points(total, ladder)
    by_repeat = measure_for_repeat(history.sanctions, ladder)
    candidates = [(m, why) for m, why in ((by_points, "points"), (by_repeat, "repeat")) if m]
    if not candidates:
        return LadderOutcome(forgiven, tuple(scored), None, None, "", clean, prior)
    measure, why = max(candidates, key=lambda c: rung(c[0]))
    # The measure answers the worst offence of the period (first in policy order on a tie).
    worst = max((o for o, _ in scored), key=lambda o: o.points)
    return LadderOutcome(forgiven, tuple(scored), measure, worst, why, clean, prior)


def restored_points(points: int, partial: bool, share: float) -> int:
    """Points given back by an overturn: all of them, or `share` of them rounded up
    (a partial overturn rounds in the rider's favour)."""
    if not partial:
        return points
    return min(points, math.ceil(points * share))


def partial_replacement(kind: str) -> str | None:
    """The milder measure that replaces `kind` after a partial overturn (None: nothing)."""
    return PARTIAL_REPLACEMENT.get(kind)


@dataclass(frozen=True)
class DecisionDraft:
    """A decision before it is stored: what, for whom, why, with which numbers and dates."""

    rider_id: str
    kind: str
    rule_id: str
    offence: str | None
    reason_params: dict[str, Any]
    inputs: dict[str, Any]
    points: int = 0  # change of the rider's points ledger
    effective_from: datetime | None = None
    effective_until: datetime | None = None
    appeal_deadline: date | None = None

    @property
    def restricting(self) -> bool:
        return self.kind in RESTRICTING_KINDS

    @property
    def status(self) -> str:
        """A restriction waits for a person; everything else takes effect at once."""
        return "proposed" if self.restricting else "in_effect"
