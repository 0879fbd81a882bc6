"""Reads the scoring and tier rules out of the policy values in force (`scoring.*`, `tiers.*`).

Parameters used (values are in the KPI's display unit: shares 0–1, stars, per 100 or per
1,000 orders):

- `scoring.rolling_window_days`: length of the rolling window.
- `scoring.kpis.<kpi>.target`, `.floor`: the value that earns all of a KPI's points and
  the value that earns none (which end is better follows the KPI's direction).
- `scoring.kpis.<kpi>.prior_strength`: k, in the KPI's denominator units, of the
  shrinkage `(num + k × peer rate) / (den + k)`.
- `scoring.weights.<capacity_type>.<kpi>`: weights, summing to 1 per capacity type.
- `scoring.most_points_one_kpi_costs`: the most points one KPI can cost a rider (a version
  without it has no such cap, so its evaluations are reproduced as they were).
- `tiers.thresholds.<tier>`: lowest score of each tier; the tier at 0 is the bottom tier.
- `tiers.hysteresis_margin`, `tiers.minimum_orders`, `tiers.new_rider_weeks`.

A policy scores the KPIs it gives parameters for. One without any `scoring.kpis.<kpi>`
parameter for a KPI (a version published before that KPI was scored, such as one
without equipment compliance) does not score it, so its evaluations can still be
reproduced; weighing such a KPI is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from riderperf.metrics.registry import AVAILABLE_KPIS, KPI_BY_NAME, Kpi
from riderperf.policy.parameters import ParameterSet

MOST_POINTS_ONE_KPI_COSTS = "scoring.most_points_one_kpi_costs"
SCORE_POINTS = 1000.0


@dataclass(frozen=True)
class KpiRule:
    kpi: Kpi
    target: float
    floor: float
    prior_strength: float

    def __post_init__(self) -> None:
        name = self.kpi.name
        if self.prior_strength < 0:
            raise ValueError(f"scoring.kpis.{name}.prior_strength must not be negative")
        better = (
            self.target > self.floor
            if self.kpi.direction == "higher"
            else (self.target < self.floor)
        )
        if not better:
            side = "above" if self.kpi.direction == "higher" else "below"
            raise ValueError(
                f"scoring.kpis.{name}: the target ({self.target}) must be {side} the floor "
                f"({self.floor}), since {self.kpi.direction} is better"
            )


@dataclass(frozen=True)
class ScoringRules:
    rules: dict[str, KpiRule]  # scored KPIs, registry order
    weights: dict[str, dict[str, float]]  # capacity type → KPI → weight
    rolling_window_days: int
    most_points_one_kpi_costs: float | None = None  # None: no cap

    @classmethod
    def from_params(cls, params: ParameterSet) -> ScoringRules:
        rules = {
            kpi.name: KpiRule(
                kpi,
                target=_number(params, f"scoring.kpis.{kpi.name}.target"),
                floor=_number(params, f"scoring.kpis.{kpi.name}.floor"),
                prior_strength=_number(params, f"scoring.kpis.{kpi.name}.prior_strength"),
            )
            for kpi in AVAILABLE_KPIS
            if _sets(params, f"scoring.kpis.{kpi.name}")
        }
        weights: dict[str, dict[str, float]] = {}
        for path, value in params.group("scoring.weights").items():
            capacity, _, name = path.partition(".")
            if name not in KPI_BY_NAME:
                raise ValueError(f"scoring.weights.{path}: {name!r} is not a KPI")
            kpi = KPI_BY_NAME[name]
            if not kpi.available:
                raise ValueError(
                    f"scoring.weights.{path}: {name} cannot be scored yet "
                    f"(waiting for {kpi.waiting_for})"
                )
            if name not in rules:
                raise ValueError(
                    f"scoring.weights.{path}: {name} has a weight but no target, floor or "
                    f"prior strength; add scoring.kpis.{name} or remove the weight"
                )
            weights.setdefault(capacity, {})[name] = float(value)
        ordered = {c: {k: w.get(k, 0.0) for k in rules} for c, w in weights.items()}
        days = int(params.get("scoring.rolling_window_days"))
        cap = (
            _number(params, MOST_POINTS_ONE_KPI_COSTS)
            if MOST_POINTS_ONE_KPI_COSTS in params.values
            else None
        )
        if cap is not None and not 0 <= cap <= 1000:
            raise ValueError(f"{MOST_POINTS_ONE_KPI_COSTS} must be between 0 and 1000, not {cap}")
        return cls(rules, ordered, days, cap)

    def weights_for(self, capacity_type: str) -> dict[str, float]:
        try:
            return self.weights[capacity_type]
        except KeyError:
            raise ValueError(
                f"the policy has no scoring.weights.{capacity_type}: every capacity type "
                "needs its weights"
            ) from None


@dataclass(frozen=True)
class TierRules:
    tiers: tuple[tuple[str, float], ...]  # (name, lowest score), best tier first
    margin: float
    minimum_orders: int
    new_rider_weeks: int

    @property
    def bottom(self) -> str:
        return self.tiers[-1][0]

    def threshold(self, tier: str) -> float:
        return self._thresholds[tier]

    def rank(self, tier: str) -> int:
        """0 for the best tier, rising toward the bottom."""
        return self._ranks[tier]

    def known(self, tier: str | None) -> bool:
        return tier in self._ranks

    # Kept once per rules: an evaluation asks them for every rider.
    @cached_property
    def _thresholds(self) -> dict[str, float]:
        return dict(self.tiers)

    @cached_property
    def _ranks(self) -> dict[str, int]:
        return {name: i for i, (name, _) in enumerate(self.tiers)}

    @classmethod
    def from_params(cls, params: ParameterSet) -> TierRules:
        found = params.group("tiers.thresholds")
        tiers = tuple(sorted(((name, float(v)) for name, v in found.items()), key=lambda t: -t[1]))
        if len({t for _, t in tiers}) != len(tiers):
            raise ValueError("tiers.thresholds: two tiers share one threshold")
        if tiers[-1][1] != 0:
            raise ValueError(
                "tiers.thresholds: the bottom tier must start at 0 so every score has a tier"
            )
        margin = _number(params, "tiers.hysteresis_margin")
        if margin < 0:
            raise ValueError("tiers.hysteresis_margin must not be negative")
        return cls(
            tiers=tiers,
            margin=margin,
            minimum_orders=int(params.get("tiers.minimum_orders")),
            new_rider_weeks=int(params.get("tiers.new_rider_weeks")),
        )


def scoring_problems(params: ParameterSet) -> list[str]:
    """What the scoring and tier values in force on one date get wrong together: the most
    one KPI may cost must leave a perfect score at or above the lowest tier above the bottom
    (`tiers.yaml`: one KPI alone never takes a rider below bronze)."""
    if MOST_POINTS_ONE_KPI_COSTS not in params.values or not _sets(params, "tiers.thresholds"):
        return []
    thresholds = params.group("tiers.thresholds")
    cap = _number(params, MOST_POINTS_ONE_KPI_COSTS)
    above_bottom = sorted((float(v), name) for name, v in thresholds.items() if float(v) > 0)
    if not above_bottom:
        return []
    lowest, tier = above_bottom[0]
    if SCORE_POINTS - cap >= lowest:
        return []
    return [
        f"{MOST_POINTS_ONE_KPI_COSTS} is {cap:g}: one KPI alone could take a rider to "
        f"{SCORE_POINTS - cap:g} points, below {tier} ({lowest:g}); set it to at most "
        f"{SCORE_POINTS - lowest:g} or lower tiers.thresholds.{tier}"
    ]


def _sets(params: ParameterSet, prefix: str) -> bool:
    """Whether the policy has any parameter under `prefix`."""
    start = prefix + "."
    return any(path.startswith(start) for path in params.values)


def _number(params: ParameterSet | Mapping[str, Any], path: str) -> float:
    value = params.get(path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{path} must be a number, not {value!r}")
    return float(value)
