"""The data of a supervision report: every number a report shows, before any rendering.

`ReportData` is pure data gathered once (see `data.gather_report`); the HTML, the PDF and
the JSON are all rendered from it, so the three always show the same numbers. Missing
values are None (never NaN), so `report_dict` is JSON as it stands.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Scope = Literal["city", "zone", "fleet"]
SCOPES: tuple[Scope, ...] = ("city", "zone", "fleet")
ReportFormat = Literal["html", "pdf", "json"]
FORMATS: tuple[ReportFormat, ...] = ("html", "pdf", "json")
NO_TIER = "none"  # the tier column of riders without a tier (as `evaluate` counts them)
NO_DATA = "no data for this period"
DEFAULT_TREND_PERIODS = 8  # periods of the same kind the trends show by default


@dataclass(frozen=True)
class RiderRow:
    """A published scorecard reduced to what a report reads."""

    rider_id: str
    unit: str  # the rider's home city, zone or fleet (by the report's scope)
    status: str
    score: float | None
    tier: str | None
    previous_tier: str | None
    kpis: dict[str, tuple[float, float]]  # KPI name → (num, den)


@dataclass(frozen=True)
class KpiFigure:
    name: str
    label: str
    unit: str  # the registry's display unit: share, stars, per 100 orders, per 1,000 orders
    direction: str  # higher | lower is better
    value: float | None  # pooled: scale × Σ num / Σ den over the riders
    num: float
    den: float
    previous: float | None = None
    change: float | None = None
    better: bool | None = None  # None when unchanged or not comparable


@dataclass(frozen=True)
class Headline:
    riders: int
    statuses: dict[str, int]
    score_mean: float | None
    score_median: float | None
    kpis: list[KpiFigure]
    previous_period: str
    previous_evaluation: str | None  # None: the previous period was never evaluated
    previous_riders: int | None = None
    previous_score_median: float | None = None
    comparison: str = ""  # one sentence saying what the changes are measured against


@dataclass(frozen=True)
class ScoreDistribution:
    bin_edges: list[float]
    counts: list[int]
    quantiles: dict[str, float]  # p10 … p90, as `evaluate` reports them
    thresholds: list[tuple[str, float]]  # (tier, lowest score), best tier first
    scored: int


@dataclass(frozen=True)
class UnitRow:
    unit: str
    riders: int
    score_median: float | None
    tiers: dict[str, int]
    kpis: dict[str, float | None]


@dataclass(frozen=True)
class TierSummary:
    order: list[str]  # best tier first, then NO_TIER
    counts: dict[str, int]
    movements: dict[str, dict[str, int]]  # previous tier → tier → riders
    up: int
    down: int
    same: int
    entered: int  # no previous tier → a tier
    by_unit: list[UnitRow]


@dataclass(frozen=True)
class PartyLate:
    party: str
    orders: int  # late orders for which this party is responsible
    minutes: float  # late minutes owed by this party over all late orders


@dataclass(frozen=True)
class PlaceLate:
    place: str  # the order's zone, or the rider's unit
    delivered: int
    late: int
    minutes: dict[str, float]  # party → late minutes owed


@dataclass(frozen=True)
class LateOrders:
    delivered: int  # delivered orders with a promised time
    late: int
    late_rate: float | None
    by_party: list[PartyLate]
    by_zone: list[PlaceLate]  # by the zone the order was in
    by_unit: list[PlaceLate]  # by the rider's unit
    by_hour: list[int]  # late orders by the UTC hour the order was placed, 0–23


@dataclass(frozen=True)
class Count:
    """One row of a ranked list: what, how often (and of those, how many on the rider)."""

    key: str
    detail: str
    count: int
    against_rider: int | None = None


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class SourceSection:
    """A section fed by another package (appeals, inspections, decisions)."""

    title: str
    available: bool
    note: str  # why there is no data, or where the figures come from
    figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    raw: Any = None  # the source's own numbers, for JSON


@dataclass(frozen=True)
class Violations:
    rules: list[Count]  # judgment rules that fired against riders (key = rule, detail = event)
    incidents: list[Count]  # incident kinds (detail = severity)
    complaints: list[Count]  # complaint categories (against_rider = judged on the rider)
    inspections: SourceSection


@dataclass(frozen=True)
class AttentionRow:
    rider_id: str
    unit: str
    status: str
    score: float | None
    tier: str | None
    previous_tier: str | None
    reasons: list[str]


@dataclass(frozen=True)
class Attention:
    rows: list[AttentionRow]
    counts: dict[str, int]  # reason kind → riders
    notes: list[str]  # sources that could not be read


@dataclass(frozen=True)
class TrendPoint:
    period: str
    evaluated: bool
    riders: int | None = None
    score_median: float | None = None
    on_time_rate: float | None = None


@dataclass(frozen=True)
class ReportMeta:
    period: str
    kind: str
    start: date
    last_day: date
    scope: Scope
    scope_id: str | None
    units: list[str]
    policy_version: str
    evaluation_id: str
    generated_at: str
    riderperf_version: str

    @property
    def scope_label(self) -> str:
        if self.scope_id:
            return f"{self.scope} {self.scope_id}"
        return f"every {self.scope}" if len(self.units) != 1 else f"{self.scope} {self.units[0]}"


@dataclass(frozen=True)
class ReportData:
    meta: ReportMeta
    headline: Headline
    scores: ScoreDistribution
    tiers: TierSummary
    late: LateOrders
    judgments: dict[str, dict[str, int]]  # event → party → judgments
    violations: Violations
    attention: Attention
    trends: list[TrendPoint]
    appeals: SourceSection
    inspections: SourceSection
    decisions: SourceSection


def report_dict(data: ReportData) -> dict[str, Any]:
    """The report as JSON-ready data (dates as ISO text); the shape of `--format json`."""
    return _plain(asdict(data))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value
