"""App database tables of decisions and the points ledger.

The database itself refuses a restricting decision (reduced priority, suspension,
deactivation) that is in effect, or later overturned, without a named approver and an
approval time: the CHECK constraint holds even against a hand-written UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from riderperf.decisions.model import KINDS, RESTRICTING_KINDS, STATUSES
from riderperf.storage.models import Base


def _listed(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


# Kept equal to migration 0006 (a test compares them).
RESTRICTION_APPROVED = (
    f"kind NOT IN ({_listed(RESTRICTING_KINDS)}) OR status IN ('proposed', 'rejected') "
    "OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)"
)
KNOWN_STATUS = f"status IN ({_listed(STATUSES)})"
KNOWN_KIND = f"kind IN ({_listed(KINDS)})"


class Decision(Base):
    """One reward, penalty or repair for one rider, with the rule, policy and inputs behind it."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(RESTRICTION_APPROVED, name="ck_decisions_restriction_approved"),
        CheckConstraint(KNOWN_STATUS, name="ck_decisions_status"),
        CheckConstraint(KNOWN_KIND, name="ck_decisions_kind"),
        Index("ix_decisions_period_version", "period", "policy_version"),
        UniqueConstraint("decision_key", name="uq_decisions_decision_key"),
    )

    decision_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_key: Mapped[str] = mapped_column(String(400))
    rider_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), index=True)
    # Bumped by every change of status: the compare-and-set of records.move_decision.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    rule_id: Mapped[str] = mapped_column(String(120), index=True)
    policy_version: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(40))
    period_end: Mapped[date] = mapped_column(Date)  # exclusive, as in evaluations
    offence: Mapped[str | None] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    appeal_deadline: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    effective_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejected_by: Mapped[str | None] = mapped_column(String(100))
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overturned_by: Mapped[str | None] = mapped_column(String(100))
    overturned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    compensates: Mapped[str | None] = mapped_column(
        String(40), ForeignKey("decisions.decision_id"), index=True
    )
    case_id: Mapped[str | None] = mapped_column(String(64))

    @property
    def restricting(self) -> bool:
        return self.kind in RESTRICTING_KINDS


class LedgerEntry(Base):
    """Points added (or given back, negative) on a rider's ledger, active until `expires_on`."""

    __tablename__ = "points_ledger"
    __table_args__ = (
        Index("ix_points_ledger_rider_expiry", "rider_id", "expires_on"),
        UniqueConstraint("decision_id", name="uq_points_ledger_decision_id"),
    )

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[str] = mapped_column(String(40), ForeignKey("decisions.decision_id"))
    rider_id: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
