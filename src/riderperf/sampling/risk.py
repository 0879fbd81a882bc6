"""Decides each rider's risk score for inspection selection from what is known before the
period: rider-responsible complaints, safety incidents, recent violations, being new and
documents about to expire.

Pure: features in, scores out. A score is `1 + strength · Σ_k w_k · f_k` where each f_k is
scaled to be about 1 for a typical risky signal and capped, so no single feature can
swamp the others; 1 is the score of a rider with no signal at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

FEATURES = (
    "complaint_rate",
    "safety_rate",
    "incidents",
    "violations",
    "newcomer",
    "expiring_documents",
)
RATE_FEATURES = ("complaint_rate", "safety_rate")


@dataclass(frozen=True)
class RiderFeatures:
    """What the plan knows of a rider. Rates are NaN when the rider has no scorecard."""

    rider_id: str
    complaint_rate: float = math.nan  # complaints judged on the rider per 100 orders
    safety_rate: float = math.nan  # safety incidents per 1,000 orders
    incidents: int = 0  # gear and safety incidents in the look-back window
    violations: int = 0  # checklist violations in the look-back window
    newcomer: bool = False
    expiring_documents: int = 0  # document types expired or expiring within the horizon

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return {
            "complaint_rate": None if math.isnan(self.complaint_rate) else self.complaint_rate,
            "safety_rate": None if math.isnan(self.safety_rate) else self.safety_rate,
            "incidents": self.incidents,
            "violations": self.violations,
            "newcomer": self.newcomer,
            "expiring_documents": self.expiring_documents,
        }


def scaled_features(riders: Sequence[RiderFeatures], cap: float) -> list[dict[str, float]]:
    """Each feature on a common scale: a rate by how far it exceeds the frame's mean rate
    (twice the mean gives 1; at or below the mean, or no rate, 0), a count as is, being new
    1; everything capped at `cap`."""
    means = {name: _mean_rate(riders, name) for name in RATE_FEATURES}
    scaled = []
    for rider in riders:
        row: dict[str, float] = {}
        for name in RATE_FEATURES:
            value, mean = getattr(rider, name), means[name]
            row[name] = 0.0 if math.isnan(value) or mean <= 0 else value / mean - 1.0
        row["incidents"] = float(rider.incidents)
        row["violations"] = float(rider.violations)
        row["newcomer"] = 1.0 if rider.newcomer else 0.0
        row["expiring_documents"] = float(rider.expiring_documents)
        scaled.append({k: min(max(v, 0.0), cap) for k, v in row.items()})
    return scaled


def risk_scores(
    riders: Sequence[RiderFeatures],
    weights: Mapping[str, float],
    *,
    strength: float,
    cap: float,
) -> list[float]:
    """The risk score of every rider (at least 1)."""
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown risk features {sorted(unknown)}; known: {', '.join(FEATURES)}")
    scores = []
    for row in scaled_features(riders, cap):
        signal = sum(float(weights.get(name, 0.0)) * row[name] for name in FEATURES)
        scores.append(1.0 + strength * signal)
    return scores


def _mean_rate(riders: Sequence[RiderFeatures], name: str) -> float:
    values = [v for r in riders if not math.isnan(v := getattr(r, name))]
    return sum(values) / len(values) if values else 0.0
