"""KPI aggregates of a period per zone, city, fleet or capacity type."""

from __future__ import annotations

from pydantic import BaseModel, Field


class KpiValue(BaseModel):
    value: float | None = Field(None, description="scale × num / den; null without data.")
    num: int
    den: int
    enough: bool = Field(description="den reaches the KPI's minimum volume.")


class KpiGroupRead(BaseModel):
    key: str | None = Field(description="The zone, city, fleet or capacity type.")
    riders: int
    kpis: dict[str, KpiValue]


class KpiAggregates(BaseModel):
    period: str
    policy_version: str
    group_by: str
    groups: list[KpiGroupRead]
