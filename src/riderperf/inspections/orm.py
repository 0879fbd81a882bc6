"""Stores checklist templates, inspections with their item results, violations and
corrective actions (migration 0009 creates the tables and the template triggers, 0011 the
overturn columns of violations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    event,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from riderperf.storage.models import Base

# What archiving may not touch: everything but status, archived_at and archived_by.
FROZEN_TEMPLATE_COLUMNS = (
    "template_id",
    "version",
    "name",
    "content",
    "fingerprint",
    "created_at",
    "created_by",
    "published_at",
    "published_by",
)

_ARCHIVING = ("status", "archived_at", "archived_by")


class TemplateImmutable(ValueError):
    """Something tried to change or delete a published or archived checklist template."""


class ChecklistTemplateRecord(Base):
    """One version of a checklist template, draft → published → archived.

    Triggers (migration 0009) refuse any change to a published or archived row except
    archiving it, and refuse deleting it: an inspection always finds the exact checklist
    it was recorded against.
    """

    __tablename__ = "checklist_templates"

    template_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(200))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_by: Mapped[str | None] = mapped_column(String(200))


class InspectionRecord(Base):
    """One inspection of one rider, frozen to the template version it was recorded with."""

    __tablename__ = "inspections"
    __table_args__ = (
        ForeignKeyConstraint(
            ["template_id", "template_version"],
            ["checklist_templates.template_id", "checklist_templates.version"],
        ),
    )

    inspection_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(String(64), index=True)
    zone_id: Mapped[str | None] = mapped_column(String(64))
    template_id: Mapped[str] = mapped_column(String(48))
    template_version: Mapped[int] = mapped_column(Integer)
    inspector: Mapped[str] = mapped_column(String(200))
    inspected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    place_text: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    nonconforming: Mapped[bool] = mapped_column(Boolean)
    reinspection_of: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("inspections.inspection_id")
    )


class InspectionResultRecord(Base):
    """One item as found; kind, weight, severity and KPI are copied from the frozen template."""

    __tablename__ = "inspection_results"

    inspection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspections.inspection_id"), primary_key=True
    )
    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)  # the item's place in its template
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[Any] = mapped_column(JSON)
    passed: Mapped[bool | None] = mapped_column(Boolean)  # None: evidence items (photo, note)
    weight: Mapped[float] = mapped_column(Float)
    severity: Mapped[str | None] = mapped_column(String(20))
    kpi: Mapped[str | None] = mapped_column(String(40))
    photo_sha256: Mapped[str | None] = mapped_column(String(64))


class CorrectiveActionRecord(Base):
    """What a rider must put right by `due_on`; closed by a passing re-inspection."""

    __tablename__ = "corrective_actions"

    action_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rider_id: Mapped[str] = mapped_column(String(64), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    kpi: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    violation_id: Mapped[str] = mapped_column(String(36))  # the violation that opened it
    inspection_id: Mapped[str] = mapped_column(String(36), ForeignKey("inspections.inspection_id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_inspection: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("inspections.inspection_id")
    )


class ViolationRecord(Base):
    """A failed scored item: the fact decisions and judgments consume, unless overturned."""

    __tablename__ = "violations"

    violation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("inspections.inspection_id"), index=True
    )
    rider_id: Mapped[str] = mapped_column(String(64), index=True)
    item_code: Mapped[str] = mapped_column(String(64))
    kpi: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    action_id: Mapped[str] = mapped_column(String(36), ForeignKey("corrective_actions.action_id"))
    # open, or overturned on appeal (migration 0011): kept, never deleted, so the record
    # of what the inspector found and of what the reviewer decided both stay.
    status: Mapped[str] = mapped_column(
        String(20), default="open", server_default="open", index=True
    )
    overturned_by: Mapped[str | None] = mapped_column(String(200))
    overturned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overturned_case_id: Mapped[str | None] = mapped_column(String(36))


@event.listens_for(ChecklistTemplateRecord, "before_update")
def _refuse_changing_a_published_template(
    _mapper: Mapper[ChecklistTemplateRecord],
    _connection: Connection,
    target: ChecklistTemplateRecord,
) -> None:
    """The code-side twin of the database triggers, with a message that names the template."""
    state = inspect(target)
    old_status = state.attrs.status.history.deleted
    before = old_status[0] if old_status else target.status
    if before == "draft":
        return
    touched = [
        c for c in (*FROZEN_TEMPLATE_COLUMNS, *_ARCHIVING) if state.attrs[c].history.has_changes()
    ]
    if not touched:
        return  # marked dirty without a net change
    changed = [c for c in touched if c in FROZEN_TEMPLATE_COLUMNS]
    if changed or (before, target.status) != ("published", "archived"):
        raise TemplateImmutable(
            f"checklist template {target.template_id}@{target.version} is {before}: "
            f"it cannot be changed ({', '.join(changed) or 'status ' + target.status}); "
            "publish a new version instead"
        )


@event.listens_for(ChecklistTemplateRecord, "before_delete")
def _refuse_deleting_a_published_template(
    _mapper: Mapper[ChecklistTemplateRecord],
    _connection: Connection,
    target: ChecklistTemplateRecord,
) -> None:
    if target.status != "draft":
        raise TemplateImmutable(
            f"checklist template {target.template_id}@{target.version} is {target.status}: "
            "it cannot be deleted; inspections recorded against it need it"
        )
