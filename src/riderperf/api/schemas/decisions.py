"""Decisions (rewards, penalties, repairs) and the review of a proposed restriction."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime


class DecisionRead(BaseModel):
    decision_id: str
    rider_id: str
    kind: str
    status: str
    version: int = Field(description="Bumped by every change of status; see `expected_version`.")
    rule_id: str | None = None
    policy_version: str
    period: str | None = None
    offence: str | None = None
    reason_params: dict[str, Any]
    inputs: dict[str, Any]
    created_at: UtcDatetime | None = None
    appeal_deadline: date | None = None
    effective_from: UtcDatetime | None = None
    effective_until: UtcDatetime | None = None
    approved_by: str | None = None
    approved_at: UtcDatetime | None = None
    rejected_by: str | None = None
    rejected_at: UtcDatetime | None = None
    overturned_by: str | None = None
    overturned_at: UtcDatetime | None = None
    decision_reason: str | None = None
    compensates: str | None = None
    case_id: str | None = None


class DecisionPage(BaseModel):
    items: list[DecisionRead]
    total: int
    limit: int
    offset: int


class DecisionReview(BaseModel):
    """Approving or rejecting a restriction needs a reason the rider can be shown."""

    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(
        None, description="Refuse (409) if the decision changed since this version."
    )
