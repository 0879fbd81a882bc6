"""Reads and checks the decision rules of a policy: conditions, ladder, rewards, repair.

A rule is the group `decisions.rules.<rule_id>` of `decisions.yaml`: `when` (a
rule-engine expression over the rider's facts and the `decisions.thresholds.*` names),
`action` (`ladder` or a fixed decision kind), and per action `offence`, `points`,
`forgivable`, `badge`, `days`. Conditions are compiled with a typed context, so an
unknown name or a type error is a policy problem naming the rule, found before any rider
is judged. Never `eval`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from riderperf.decisions.conditions import compile_condition, typed_context
from riderperf.decisions.facts import RiderFacts, engine_type_of, fact_types
from riderperf.decisions.model import MEASURES, OFFENCES, REWARD_KINDS, Ladder
from riderperf.policy.parameters import ParameterSet, PolicyError

if TYPE_CHECKING:
    import rule_engine

PREFIX = "decisions"
FIXED_ACTIONS = ("notice", *MEASURES)
ACTIONS = ("ladder", *FIXED_ACTIONS, *REWARD_KINDS)
# Fields that only some actions use; elsewhere they would be silently ignored.
_FIELD_FITS = {
    "points": ("ladder",),
    "forgivable": ("ladder",),
    "badge": ("badge",),
    "days": ("suspension", "reduced_priority"),
}
RULE_FIELDS = {"when", "action", "offence", "points", "forgivable", "badge", "days"}


@dataclass(frozen=True)
class Rule:
    rule_id: str
    when: str
    action: str
    offence: str | None = None
    points: int = 0
    forgivable: bool = False
    badge: str | None = None
    days: int | None = None
    compiled: Any = field(default=None, compare=False, repr=False)

    def fires(self, context: Mapping[str, Any]) -> bool:
        return bool(self.compiled.matches(context))


@dataclass(frozen=True)
class Rewards:
    tier_bonus_pct: dict[str, float]
    priority_weight: dict[str, float]
    newcomer_boost_weight: float


@dataclass(frozen=True)
class RuleBook:
    """Everything decide needs from a policy on one date, checked and compiled."""

    policy_date: date
    rules: tuple[Rule, ...]
    ladder: Ladder
    rewards: Rewards
    thresholds: dict[str, Any]
    safety_kinds: tuple[str, ...]
    lending_items: tuple[str, ...]
    partial_restore_share: float
    score_threshold: float  # lowest score of the tier above the bottom tier
    new_rider_weeks: int  # tiers.new_rider_weeks: how long the protected new status lasts

    def context(self, facts: RiderFacts) -> dict[str, Any]:
        return facts.as_dict() | self.thresholds


def load_rulebook(params: ParameterSet) -> RuleBook:
    """The rule book of `params`; PolicyError listing every problem."""
    book, problems = read_rulebook(params)
    if problems or book is None:
        raise PolicyError(problems or [f"{PREFIX}: the policy has no decision rules"])
    return book


def read_rulebook(params: ParameterSet) -> tuple[RuleBook | None, list[str]]:
    """The rule book (None when there are no rules at all) and every problem found."""
    problems: list[str] = []
    if not any(path.startswith(f"{PREFIX}.rules.") for path in params.values):
        return None, [f"{PREFIX}.rules: the policy has no decision rules (decisions.yaml)"]
    get = _Getter(params, problems)
    thresholds = _thresholds(params, problems)
    context = typed_context({k: engine_type_of(v) for k, v in thresholds.items()})
    rules = tuple(
        rule
        for rule_id, spec in _rule_specs(params).items()
        if (rule := _rule(rule_id, spec, context, problems)) is not None
    )
    measure_at = tuple((m, get.integer(f"ladder.measure_at.{m}")) for m in MEASURES)
    if any(a >= b for (_, a), (_, b) in pairwise(measure_at)):
        problems.append(f"{PREFIX}.ladder.measure_at: thresholds must rise from warning up")
    cap = str(get.value("ladder.repeat_cap"))
    if cap not in MEASURES:
        problems.append(f"{PREFIX}.ladder.repeat_cap: {cap!r} is not one of {', '.join(MEASURES)}")
    ladder = Ladder(
        points_expiry_days=get.integer("ladder.points_expiry_days"),
        lookback_days=get.integer("ladder.lookback_days"),
        forgiveness_days=get.integer("ladder.forgiveness_days"),
        measure_at=measure_at,
        repeat_cap=cap,
        suspension_days=get.integer("ladder.suspension_days"),
        reduced_priority_weight=get.number("ladder.reduced_priority_weight"),
        reduced_priority_days=get.integer("ladder.reduced_priority_days"),
        appeal_window_days=get.integer("appeal_window_days"),
    )
    tiers = _tier_thresholds(params, problems)
    rewards = Rewards(
        tier_bonus_pct=_per_tier(params, "rewards.tier_bonus_pct", tiers, problems),
        priority_weight=_per_tier(params, "rewards.priority_weight", tiers, problems),
        newcomer_boost_weight=get.number("rewards.newcomer_boost_weight"),
    )
    for where, weight in _weights(rewards):
        if weight < 1:
            problems.append(
                f"{PREFIX}.{where}: {weight:g} is below 1; a lower priority restricts work and "
                "is only ever proposed by the ladder (ladder.reduced_priority_weight)"
            )
    above_bottom = sorted(v for v in tiers.values() if v > 0)
    book = RuleBook(
        policy_date=params.when,
        rules=rules,
        ladder=ladder,
        rewards=rewards,
        thresholds=thresholds,
        safety_kinds=tuple(get.texts("facts.safety_incident_kinds")),
        lending_items=tuple(get.texts("facts.account_lending_items")),
        partial_restore_share=get.number("repair.partial_restore_share"),
        score_threshold=above_bottom[0] if above_bottom else 0.0,
        new_rider_weeks=_new_rider_weeks(params, problems),
    )
    return book, problems


class _Getter:
    """Reads `decisions.<path>` values, noting a problem instead of raising."""

    def __init__(self, params: ParameterSet, problems: list[str]) -> None:
        self.params, self.problems = params, problems

    def value(self, path: str) -> Any:
        try:
            return self.params.get(f"{PREFIX}.{path}")
        except KeyError:
            self.problems.append(f"{PREFIX}.{path}: missing from the policy")
            return None

    def number(self, path: str) -> float:
        value = self.value(path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            if value is not None:
                self.problems.append(f"{PREFIX}.{path}: {value!r} is not a number")
            return 0.0
        return float(value)

    def integer(self, path: str) -> int:
        value = self.value(path)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            if value is not None:
                self.problems.append(f"{PREFIX}.{path}: {value!r} is not a whole number >= 0")
            return 0
        return value

    def texts(self, path: str) -> list[str]:
        value = self.value(path)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            if value is not None:
                self.problems.append(f"{PREFIX}.{path}: a list of names is needed")
            return []
        return value


def _thresholds(params: ParameterSet, problems: list[str]) -> dict[str, Any]:
    try:
        found = params.group(f"{PREFIX}.thresholds")
    except KeyError:
        return {}
    known = fact_types()
    for name, value in found.items():
        where = f"{PREFIX}.thresholds.{name}"
        if name in known:
            problems.append(f"{where}: the name is taken by a rider fact; rename the threshold")
        elif engine_type_of(value) is None:
            problems.append(f"{where}: rules can use numbers, text or true/false, not {value!r}")
    return {k: v for k, v in found.items() if k not in known and engine_type_of(v) is not None}


def _rule_specs(params: ParameterSet) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for path, value in params.group(f"{PREFIX}.rules").items():
        rule_id, _, name = path.partition(".")
        specs.setdefault(rule_id, {})[name] = value
    # A published version stores parameters sorted by path: sorting here too gives the
    # same rule order whether the policy comes from its folder or from the database.
    return dict(sorted(specs.items()))


def _rule(
    rule_id: str, spec: dict[str, Any], context: rule_engine.Context, problems: list[str]
) -> Rule | None:
    where = f"{PREFIX}.rules.{rule_id}"
    before = len(problems)
    for name in sorted(set(spec) - RULE_FIELDS):
        problems.append(
            f"{where}.{name}: unknown field (allowed: {', '.join(sorted(RULE_FIELDS))})"
        )
    action = spec.get("action")
    if action not in ACTIONS:
        problems.append(f"{where}.action: {action!r} is not one of {', '.join(ACTIONS)}")
    penalty = action == "ladder" or action in FIXED_ACTIONS
    offence = spec.get("offence")
    if penalty and offence not in OFFENCES:
        problems.append(f"{where}.offence: {offence!r} is not one of {', '.join(OFFENCES)}")
    if not penalty and offence is not None:
        problems.append(f"{where}.offence: a reward names no offence")
    points = spec.get("points", 0)
    if action == "ladder" and (
        isinstance(points, bool) or not isinstance(points, int) or points < 1
    ):
        problems.append(f"{where}.points: a ladder rule needs whole points >= 1, not {points!r}")
    if not isinstance(spec.get("forgivable", False), bool):
        problems.append(f"{where}.forgivable: write true or false")
    if action == "badge" and not str(spec.get("badge") or "").strip():
        problems.append(f"{where}.badge: a badge rule names its badge")
    days = spec.get("days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        problems.append(f"{where}.days: whole days >= 1, not {days!r}")
    for name, fits in _FIELD_FITS.items():
        if name in spec and action in ACTIONS and action not in fits:
            problems.append(f"{where}.{name}: only a rule with action {' or '.join(fits)} has it")
    compiled = compile_condition(where, spec.get("when"), context, problems)
    if len(problems) > before:
        return None
    return Rule(
        rule_id=rule_id,
        when=str(spec["when"]),
        action=str(action),
        offence=offence,
        points=int(points) if action == "ladder" else 0,
        forgivable=bool(spec.get("forgivable", False)),
        badge=spec.get("badge"),
        days=days,
        compiled=compiled,
    )


def _tier_thresholds(params: ParameterSet, problems: list[str]) -> dict[str, float]:
    try:
        return {k: float(v) for k, v in params.group("tiers.thresholds").items()}
    except KeyError:
        problems.append("tiers.thresholds: decisions need the tiers of the policy")
        return {}


def _per_tier(
    params: ParameterSet, group: str, tiers: Mapping[str, float], problems: list[str]
) -> dict[str, float]:
    try:
        found = params.group(f"{PREFIX}.{group}")
    except KeyError:
        problems.append(f"{PREFIX}.{group}: missing from the policy")
        return {}
    for tier in sorted(set(tiers) - set(found)):
        problems.append(f"{PREFIX}.{group}.{tier}: every tier needs a value")
    for name in sorted(set(found) - set(tiers)):
        problems.append(f"{PREFIX}.{group}.{name}: no tier of that name in tiers.thresholds")
    return {k: float(v) for k, v in found.items() if isinstance(v, int | float)}


def _weights(rewards: Rewards) -> list[tuple[str, float]]:
    found = [(f"rewards.priority_weight.{t}", w) for t, w in rewards.priority_weight.items()]
    return [*found, ("rewards.newcomer_boost_weight", rewards.newcomer_boost_weight)]


def _new_rider_weeks(params: ParameterSet, problems: list[str]) -> int:
    try:
        return int(params.get("tiers.new_rider_weeks"))
    except (KeyError, TypeError, ValueError):
        problems.append("tiers.new_rider_weeks: decisions need the new riders' protected weeks")
        return 0
