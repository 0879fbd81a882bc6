"""The priority-dispatch feed: each rider's current dispatch weight."""

from __future__ import annotations

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime


class PriorityWeight(BaseModel):
    rider_id: str
    weight: float = Field(description="Multiplier on the rider's dispatch priority; 0 = none.")


class PriorityFeed(BaseModel):
    at: UtcDatetime
    default_weight: float = Field(1.0, description="The weight of every rider not listed.")
    items: list[PriorityWeight]
