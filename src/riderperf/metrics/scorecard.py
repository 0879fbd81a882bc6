"""The scorecard of one rider for one period: KPIs, score, contributions, tier, what to improve.

Pure data. `Scorecard.as_dict()` is JSON-ready (NaN becomes null) and is the shape of
`riderperf scorecard --json`. Values are in each KPI's display unit (shares 0–1, stars,
per 100 or per 1,000 orders); `contribution` is in score points and the contributions
of a scorecard add up to its score exactly (both are rounded to 0.01).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

STATUSES = ("ranked", "new", "insufficient_data")


@dataclass(frozen=True)
class KpiScore:
    """One KPI of a scorecard, from the counts to the points it earns."""

    name: str
    num: float
    den: float
    rate: float  # the rider's own value; NaN without data
    peer_rate: float  # the peer group's value the rate is shrunk toward
    shrunk: float  # the value the score uses
    normalised: float  # 0 at the floor, 1 at the target or better
    weight: float  # weight in the score after leaving out KPIs not measured for the rider
    contribution: float  # 1000 × weight × normalised, rounded to 0.01


@dataclass(frozen=True)
class Improvement:
    """A change that would raise the score: reach `target` on `kpi` to gain `gain` points."""

    kpi: str
    gain: float
    current: float
    target: float
    sentence: str


@dataclass(frozen=True)
class Scorecard:
    rider_id: str
    period: str
    policy_version: str
    policy_date: str  # the date whose policy values were used
    capacity_type: str
    city: str
    status: str  # ranked | new | insufficient_data
    score: float  # NaN when no KPI has data anywhere
    tier: str | None
    previous_tier: str | None
    tier_reason: str
    orders: int  # orders accepted in the window: the volume the tier rules look at
    kpis: dict[str, KpiScore] = field(default_factory=dict)
    improvements: list[Improvement] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        # Built field by field (dataclasses.asdict deep-copies): publishing 20,000
        # scorecards spends most of its time here.
        card = _shallow(self, _CARD_FIELDS)
        card["kpis"] = {name: _shallow(kpi, _KPI_FIELDS) for name, kpi in self.kpis.items()}
        card["improvements"] = [_shallow(i, _IMPROVEMENT_FIELDS) for i in self.improvements]
        return card


_CARD_FIELDS = tuple(f.name for f in fields(Scorecard) if f.name not in ("kpis", "improvements"))
_KPI_FIELDS = tuple(f.name for f in fields(KpiScore))
_IMPROVEMENT_FIELDS = tuple(f.name for f in fields(Improvement))


def _shallow(item: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes, NaN as None (NaN is the only value not equal to itself)."""
    values = vars(item)
    out = {name: values[name] for name in names}
    for name, value in out.items():
        if value != value:
            out[name] = None
    return out
