"""Appeal cases: their SLA clocks, evidence and timeline, and the moves reviewers make."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from riderperf.api.schemas.common import UtcDatetime


class SlaRead(BaseModel):
    first_response: str = Field(description="on_track, at_risk, breached or met.")
    resolution: str
    first_response_due: UtcDatetime
    resolution_due: UtcDatetime
    paused: bool = Field(description="Waiting on the rider: the resolution clock stands still.")


class CaseRead(BaseModel):
    case_id: str
    rider_id: str
    subject_type: str
    subject_id: str
    rule_id: str | None = None
    status: str
    version: int
    statement: str
    policy_version: str
    outcome: str | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    sla: SlaRead
    submitted_at: UtcDatetime | None = None
    triage_at: UtcDatetime | None = None
    under_review_at: UtcDatetime | None = None
    waiting_on_rider_at: UtcDatetime | None = None
    decided_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    first_response_at: UtcDatetime | None = None
    respond_by: UtcDatetime | None = None


class EvidenceRead(BaseModel):
    filename: str
    sha256: str
    size_bytes: int
    content_type: str
    added_at: UtcDatetime
    by: str


class TimelineEvent(BaseModel):
    at: UtcDatetime
    actor: str
    action: str
    details: dict[str, Any]


class CaseDetail(CaseRead):
    evidence: list[EvidenceRead]
    timeline: list[TimelineEvent] = Field(description="From the audit log, oldest first.")


class CasePage(BaseModel):
    items: list[CaseRead]
    total: int
    limit: int
    offset: int


class CaseMove(BaseModel):
    to: Literal["triage", "under_review", "waiting_on_rider", "closed"]
    note: str | None = Field(None, max_length=4000, description="The question to the rider.")
    expected_version: int | None = Field(None, description="Refuse (409) if the case changed.")


class CaseDecide(BaseModel):
    outcome: Literal["upheld", "overturned", "partially_overturned"]
    reason: str = Field(min_length=1, max_length=4000)
    expected_version: int | None = None


class ReevaluationRead(BaseModel):
    status: Literal["done", "not_needed", "skipped"]
    message: str | None = None
    periods: list[dict[str, Any]] = []
    compensations: list[str] = []


class CaseDecisionRead(BaseModel):
    case_id: str
    subject_type: str
    subject_id: str
    rider_id: str
    outcome: str
    decided_by: str
    decided_at: UtcDatetime
    version: int
    compensating_decisions: list[str]
    reevaluation: ReevaluationRead
