"""Reads the sampling parameters (policy file inspections.yaml) in force on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.policy import default_policy_folder
from riderperf.policy.loader import load_policy
from riderperf.policy.orm import PolicyVersionRecord
from riderperf.policy.parameters import ParameterSet, Policy
from riderperf.sampling.frame import FrameSettings
from riderperf.sampling.iso2859 import aql_index, normalise_level

PREFIX = "inspections.sampling"
BUNDLED = "bundled default"


@dataclass(frozen=True)
class SamplingParams:
    level: str
    aql: float
    reduced_inspection_allowed: bool
    steady_lot_change_max: float
    random_share: float
    risk_strength: float
    risk_cap: float
    risk_weights: dict[str, float]
    frame: FrameSettings

    @staticmethod
    def from_parameters(values: ParameterSet) -> SamplingParams:
        group = values.group(PREFIX)
        aql = float(group["aql"])
        aql_index(aql)  # refuses an AQL the tables do not have
        return SamplingParams(
            level=normalise_level(str(group["inspection_level"])),
            aql=aql,
            reduced_inspection_allowed=bool(group["reduced_inspection_allowed"]),
            steady_lot_change_max=float(group["steady_lot_change_max"]),
            random_share=float(group["random_share"]),
            risk_strength=float(group["risk.strength"]),
            risk_cap=float(group["risk.cap"]),
            risk_weights={
                k.removeprefix("risk.weights."): float(v)
                for k, v in group.items()
                if k.startswith("risk.weights.")
            },
            frame=FrameSettings(
                lookback_days=int(group["lookback_days"]),
                newcomer_days=int(group["newcomer_days"]),
                document_horizon_days=int(group["document_horizon_days"]),
                incident_kinds=tuple(str(k) for k in group["incident_kinds"]),
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "aql": self.aql,
            "reduced_inspection_allowed": self.reduced_inspection_allowed,
            "steady_lot_change_max": self.steady_lot_change_max,
            "random_share": self.random_share,
            "risk_strength": self.risk_strength,
            "risk_cap": self.risk_cap,
            "risk_weights": dict(self.risk_weights),
            "lookback_days": self.frame.lookback_days,
            "newcomer_days": self.frame.newcomer_days,
            "document_horizon_days": self.frame.document_horizon_days,
            "incident_kinds": list(self.frame.incident_kinds),
        }


def params_in_force(session: Session, day: date) -> tuple[SamplingParams, str, list[str]]:
    """The sampling parameters of the policy version in force on `day`, its id, warnings.

    Read through the caller's session (a second connection could wait on the caller's own
    write lock under SQLite). A version published before inspections.yaml existed has no
    sampling parameters: the bundled ones are used and the plan says so.
    """
    record = session.scalars(
        select(PolicyVersionRecord)
        .where(PolicyVersionRecord.effective_from <= day)
        .order_by(
            PolicyVersionRecord.effective_from.desc(),
            PolicyVersionRecord.published_at.desc(),
            PolicyVersionRecord.version.desc(),
        )
        .limit(1)
    ).first()
    if record is not None:
        policy = Policy.from_content(record.content)
        if any(path.startswith(PREFIX + ".") for path in policy.parameters):
            return SamplingParams.from_parameters(policy.at(day)), record.version, []
        warning = (
            f"policy version {record.version} has no {PREFIX} parameters; the bundled "
            "defaults were used (publish a version that includes inspections.yaml)"
        )
        return SamplingParams.from_parameters(_bundled().at(day)), record.version, [warning]
    return SamplingParams.from_parameters(_bundled().at(day)), BUNDLED, []


@lru_cache(maxsize=1)
def _bundled() -> Policy:
    return load_policy(default_policy_folder())
