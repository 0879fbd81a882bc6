"""Published scorecards: score, tier, every KPI's contribution and the explanation."""

from __future__ import annotations

from pydantic import BaseModel, Field


class KpiContribution(BaseModel):
    name: str
    num: float | None = None
    den: float | None = None
    rate: float | None = Field(None, description="The rider's own value; null without data.")
    peer_rate: float | None = None
    shrunk: float | None = Field(None, description="The value the score uses.")
    normalised: float | None = None
    weight: float | None = None
    contribution: float | None = Field(None, description="Score points this KPI earns.")


class ImprovementRead(BaseModel):
    kpi: str
    gain: float
    current: float | None = None
    target: float | None = None
    sentence: str


class ScorecardSummary(BaseModel):
    rider_id: str
    period: str
    evaluation_id: str
    policy_version: str
    status: str
    score: float | None = None
    tier: str | None = None
    previous_tier: str | None = None


class ScorecardRead(ScorecardSummary):
    policy_date: str | None = None
    capacity_type: str | None = None
    city: str | None = None
    orders: int | None = None
    explanation: str | None = Field(None, description="Why this tier, in plain words.")
    kpis: list[KpiContribution]
    improvements: list[ImprovementRead]


class ScorecardPage(BaseModel):
    period: str
    evaluation_id: str | None = None
    items: list[ScorecardSummary]
    total: int
    limit: int
    offset: int
