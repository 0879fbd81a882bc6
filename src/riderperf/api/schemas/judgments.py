"""Judged events of a rider: who was responsible, the minutes, the rule and the sentence."""

from __future__ import annotations

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime


class JudgmentRead(BaseModel):
    event_id: str
    event: str = Field(description="late, cancelled or complaint.")
    order_id: str | None = None
    occurred_at: UtcDatetime
    party: str = Field(description="Who was responsible: rider, merchant, customer, …")
    late_minutes: float | None = None
    minutes: dict[str, float] = Field(description="Late minutes owed to each party.")
    rule: str
    policy_version: str
    confidence: float | None = None
    explanation: str = Field(description="The plain sentence a rider reads.")
    overturned: bool = Field(False, description="Overturned on appeal (party as settled).")


class JudgmentList(BaseModel):
    rider_id: str
    period: str
    items: list[JudgmentRead]
