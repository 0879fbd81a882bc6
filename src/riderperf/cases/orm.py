"""App database tables of appeal cases and their evidence files.

The status column is written by `riderperf.cases.transition.transition` only (and set to
the initial state when a case is opened). The subject is kept as two strings, not a
foreign key, because a case may be about a decision or a warehouse judgment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from riderperf.cases.model import CaseTiming, pauses_from_json
from riderperf.cases.sla import SlaHours
from riderperf.cases.terms import as_utc
from riderperf.storage.models import Base


class Case(Base):
    """An appeal: what is appealed, by whom, where it stands, its clocks and its outcome."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", name="uq_cases_subject"),)

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(120))
    subject_details: Mapped[dict[str, Any]] = mapped_column(JSON)
    statement: Mapped[str] = mapped_column(Text)  # the rider's own words
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(64))
    # The SLA terms in force when the case was submitted; they never change afterwards.
    first_response_hours: Mapped[float] = mapped_column(Float)
    resolution_hours: Mapped[float] = mapped_column(Float)
    at_risk_fraction: Mapped[float] = mapped_column(Float)
    respond_by_hours: Mapped[float] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    triage_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    under_review_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    waiting_on_rider_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pauses: Mapped[list[list[str | None]]] = mapped_column(JSON)  # [[start, end|null], …]
    respond_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(30))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def timing(self) -> CaseTiming:
        return CaseTiming(
            submitted_at=as_utc(self.submitted_at),
            first_response_at=_utc(self.first_response_at),
            decided_at=_utc(self.decided_at),
            pauses=pauses_from_json(self.pauses),
        )

    @property
    def sla_hours(self) -> SlaHours:
        return SlaHours(self.first_response_hours, self.resolution_hours, self.at_risk_fraction)


class CaseEvidence(Base):
    """A file attached to a case; the bytes live once in the content-addressed evidence store."""

    __tablename__ = "case_evidence"
    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_case_evidence_file"),)

    evidence_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.case_id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by: Mapped[str] = mapped_column(String(64))


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)
