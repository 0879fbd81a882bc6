"""The plan a period gets: each zone's lot with the standard's plan and the riders drawn,
with the inclusion probabilities the estimates need (pure data, JSON-ready)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DESIGN = "randomized_systematic_pps"


@dataclass(frozen=True)
class SelectedRider:
    rider_id: str
    inclusion_probability: float
    risk_score: float
    draw_order: int
    features: dict[str, Any]


@dataclass(frozen=True)
class LotPlan:
    """A zone's lot in a plan: the standard's plan and the riders drawn for it."""

    zone_id: str
    lot_size: int
    severity: str
    code_letter: str
    standard_sample_size: int
    sample_size: int
    accept: int
    reject: int
    tighter_accept: int | None
    decidable: bool
    selected: list[SelectedRider] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone_id": self.zone_id,
            "lot_size": self.lot_size,
            "severity": self.severity,
            "code_letter": self.code_letter,
            "standard_sample_size": self.standard_sample_size,
            "sample_size": self.sample_size,
            "accept": self.accept,
            "reject": self.reject,
            "decidable": self.decidable,
            "selected": [
                {
                    "rider_id": s.rider_id,
                    "inclusion_probability": round(s.inclusion_probability, 6),
                    "risk_score": round(s.risk_score, 4),
                }
                for s in self.selected
            ],
        }


@dataclass(frozen=True)
class InspectionPlan:
    plan_id: str
    period: str
    seed: int
    budget: int | None
    policy_version: str
    frame_size: int
    sample_size: int
    lots: list[LotPlan]
    warnings: list[str]
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "period": self.period,
            "seed": self.seed,
            "budget": self.budget,
            "policy_version": self.policy_version,
            "design": DESIGN,
            "frame_size": self.frame_size,
            "sample_size": self.sample_size,
            "standard_sample_size": sum(lot.standard_sample_size for lot in self.lots),
            "warnings": list(self.warnings),
            "created_at": self.created_at.isoformat(),
            "lots": [lot.as_dict() for lot in self.lots],
        }
