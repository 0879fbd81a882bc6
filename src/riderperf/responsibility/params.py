"""The responsibility policy in force on a date, checked and typed: allowances, speeds, rules.

Read from the `responsibility.*` parameters of a policy (policy/default/responsibility.yaml);
every number here has its reference there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from riderperf.common.canonical import RESPONSIBILITY_PARTIES
from riderperf.policy.parameters import ParameterSet, PolicyError

NS = "responsibility"
# Decisions a cancellation reason may map to beside a party.
WAITING_FACTS = "waiting_facts"
ACCIDENT_INCIDENT = "accident_incident"
CANCEL_DECISIONS = (*RESPONSIBILITY_PARTIES, WAITING_FACTS, ACCIDENT_INCIDENT)
# Decisions a complaint category may map to beside a party.
LATE_FACTS = "late_facts"
DAMAGE_EVIDENCE = "damage_evidence"
RIDER_REVIEW = "rider_review"
COMPLAINT_DECISIONS = (*RESPONSIBILITY_PARTIES, LATE_FACTS, DAMAGE_EVIDENCE, RIDER_REVIEW)
_WORD = re.compile(r"[a-z]+( [a-z]+)*")
_CODE = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class JudgmentParams:
    """Everything the judgment needs from the policy, as plain typed values."""

    dispatch_allowance: float
    food_wait_allowance: float
    door_allowance: float
    handling_allowance: float
    pickup_allowance: float
    store_leg_allowance: float
    attribution_floor: float
    rider_tolerance: float
    speed_kmh: Mapping[str, float]  # the lenient expectation: the rider's allowance
    typical_speed_kmh: Mapping[str, float]  # what riders typically achieve: the weather's cost
    weather_factor: Mapping[str, float]
    cancel_reasons: Mapping[str, str]
    complaint_categories: Mapping[str, str]
    packaging_words: tuple[str, ...]
    confidence_rule: float
    confidence_fallback_factor: float
    confidence_unknown: float
    confidence_review: float
    confidence_no_order_factor: float

    @property
    def slowest_speed(self) -> float:
        """The speed used for an unknown vehicle: the slowest, never a faster expectation."""
        return min(self.speed_kmh.values())

    def speed_for(self, vehicle: str | None) -> float:
        return self.speed_kmh.get(vehicle or "", self.slowest_speed)

    @property
    def slowest_typical_speed(self) -> float:
        """The typical speed used for an unknown vehicle: the slowest, so the weather's cost
        is never understated."""
        return min(self.typical_speed_kmh.values())

    def typical_speed_for(self, vehicle: str | None) -> float:
        return self.typical_speed_kmh.get(vehicle or "", self.slowest_typical_speed)

    def factor_for(self, weather: str | None) -> float:
        return self.weather_factor.get(weather or "", 1.0)

    @property
    def packaging_pattern(self) -> str:
        """A regular expression (same text for Python `re` and DuckDB's RE2) matching any
        packaging word at the start of a word of lower-cased text."""
        return r"\b(" + "|".join(self.packaging_words) + ")"

    @classmethod
    def from_parameters(cls, ps: ParameterSet) -> JudgmentParams:
        """Reads the `responsibility.*` parameters; raises PolicyError naming each bad one."""
        problems: list[str] = []

        def number(key: str, low: float = 0.0, high: float = float("inf")) -> float:
            value = ps.get(f"{NS}.{key}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"{NS}.{key}: a number is needed, not {value!r}")
                return low
            if not low <= value <= high:
                problems.append(f"{NS}.{key}: {value} is outside {low}…{high}")
            return float(value)

        def table(key: str, allowed: tuple[str, ...]) -> dict[str, str]:
            value = ps.get(f"{NS}.{key}")
            if not isinstance(value, dict) or not value:
                problems.append(f"{NS}.{key}: a mapping of code: decision is needed")
                return {}
            for code, decision in value.items():
                if not isinstance(code, str) or not _CODE.fullmatch(code):
                    problems.append(f"{NS}.{key}: {code!r} is not a lower-case code")
                if decision not in allowed:
                    problems.append(
                        f"{NS}.{key}.{code}: {decision!r} is not one of {', '.join(allowed)}"
                    )
            return {str(k): str(v) for k, v in value.items()}

        speeds = {k: number(f"speed_kmh.{k}", 1e-3) for k in ps.group(f"{NS}.speed_kmh")}
        try:
            typical_keys = ps.group(f"{NS}.typical_speed_kmh")
        except KeyError:
            # A policy version published before typical speeds existed measured the weather
            # on the expected ride: judging with it still gives the judgments it gave.
            typical = dict(speeds)
        else:
            typical = {k: number(f"typical_speed_kmh.{k}", 1e-3) for k in typical_keys}
            problems.extend(_typical_speed_problems(speeds, typical))
        factors = {k: number(f"weather_factor.{k}", 1.0) for k in ps.group(f"{NS}.weather_factor")}
        words = ps.get(f"{NS}.complaint.packaging_words")
        if not isinstance(words, list) or not all(
            isinstance(w, str) and _WORD.fullmatch(w) for w in words
        ):
            problems.append(
                f"{NS}.complaint.packaging_words: a list of lower-case words (a–z, single "
                f"spaces) is needed, not {words!r}"
            )
            words = []
        params = cls(
            dispatch_allowance=number("allowance.dispatch_minutes"),
            food_wait_allowance=number("allowance.food_wait_minutes"),
            door_allowance=number("allowance.door_minutes"),
            handling_allowance=number("allowance.handling_minutes"),
            pickup_allowance=number("allowance.pickup_minutes"),
            store_leg_allowance=number("allowance.store_leg_minutes"),
            attribution_floor=number("tolerance.attribution_floor_minutes", 1e-6),
            rider_tolerance=number("tolerance.rider_minutes"),
            speed_kmh=speeds,
            typical_speed_kmh=typical,
            weather_factor=factors,
            cancel_reasons=table("cancellation.reasons", CANCEL_DECISIONS),
            complaint_categories=table("complaint.categories", COMPLAINT_DECISIONS),
            packaging_words=tuple(words),
            confidence_rule=number("confidence.rule", 0.0, 1.0),
            confidence_fallback_factor=number("confidence.fallback_factor", 0.0, 1.0),
            confidence_unknown=number("confidence.unknown", 0.0, 1.0),
            confidence_review=number("confidence.review", 0.0, 1.0),
            confidence_no_order_factor=number("confidence.no_order_factor", 0.0, 1.0),
        )
        if problems:
            raise PolicyError(problems)
        return params


def _typical_speed_problems(
    expected: Mapping[str, float], typical: Mapping[str, float]
) -> list[str]:
    """Every vehicle needs both speeds, and the expectation a rider is held to may never be
    faster than what riders typically achieve (the gap between them is the rider's benefit
    of the doubt)."""
    problems = [
        f"{NS}.typical_speed_kmh.{k}: missing; every vehicle of {NS}.speed_kmh needs a "
        "typical speed too"
        for k in expected
        if k not in typical
    ]
    problems += [
        f"{NS}.typical_speed_kmh.{k}: not a vehicle of {NS}.speed_kmh; add its expected "
        "speed there or remove it"
        for k in typical
        if k not in expected
    ]
    problems += [
        f"{NS}.typical_speed_kmh.{k}: {typical[k]:g} km/h is slower than the expected "
        f"{expected[k]:g} km/h of {NS}.speed_kmh.{k}; a rider may not be held to a speed "
        "faster than riders typically achieve"
        for k in expected
        if k in typical and typical[k] < expected[k]
    ]
    return problems
