"""Turns failed items into violations, each under a corrective action, and lists them.

Each failed scored item is a violation (a fact, never changed). A violation opens a
corrective action due a number of days later set by the template per severity, unless
the rider already has one open for the same item: a repeat failure joins that action,
whose due date stands (corrective.py closes actions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.inspections.checklists import ItemResult
from riderperf.inspections.corrective import inspection_event, open_action_for, reinspection_due
from riderperf.inspections.orm import (
    CorrectiveActionRecord,
    InspectionRecord,
    ViolationRecord,
    utc,
)


@dataclass(frozen=True)
class ViolationFact:
    """A failed checklist item, as decisions and judgments consume it."""

    violation_id: str
    rider_id: str
    inspection_id: str
    item_code: str
    kpi: str
    severity: str
    found_at: datetime


def open_violations(
    session: Session,
    inspection: InspectionRecord,
    failed: Iterable[ItemResult],
    reinspection_days: Mapping[str, int],
) -> list[str]:
    """Stores a violation per failed scored item and opens (or joins) its corrective action."""
    found_at = utc(inspection.inspected_at)
    opened: list[str] = []
    for result in failed:
        if result.severity is None or result.kpi is None:
            continue  # only scored items fail, and those always have both
        action = open_action_for(session, inspection.rider_id, result.code, found_at)
        violation_id = str(uuid4())
        new_action = action is None
        if action is None:
            action = CorrectiveActionRecord(
                action_id=str(uuid4()),
                rider_id=inspection.rider_id,
                item_code=result.code,
                kpi=result.kpi,
                severity=result.severity,
                violation_id=violation_id,
                inspection_id=inspection.inspection_id,
                opened_at=found_at,
                due_on=reinspection_due(found_at, result.severity, reinspection_days),
                status="open",
            )
            session.add(action)
            session.flush()
        session.add(
            ViolationRecord(
                violation_id=violation_id,
                inspection_id=inspection.inspection_id,
                rider_id=inspection.rider_id,
                item_code=result.code,
                kpi=result.kpi,
                severity=result.severity,
                found_at=found_at,
                action_id=action.action_id,
            )
        )
        session.flush()
        details = {
            "inspection_id": inspection.inspection_id,
            "item_code": result.code,
            "severity": result.severity,
            "kpi": result.kpi,
            "action_id": action.action_id,
            "due_on": action.due_on.isoformat(),
            "repeat": not new_action,
        }
        inspection_event(
            session, inspection, "violation.opened", "violation", violation_id, details
        )
        if new_action:
            opened_details = details | {"violation_id": violation_id}
            inspection_event(
                session,
                inspection,
                "corrective_action.opened",
                "corrective_action",
                action.action_id,
                opened_details,
            )
        opened.append(violation_id)
    return opened


def violations_between(session: Session, start: datetime, end: datetime) -> list[ViolationFact]:
    """Violations found in `[start, end)`, oldest first (then by rider and item)."""
    query = (
        select(ViolationRecord)
        .where(
            ViolationRecord.found_at >= start.astimezone(UTC),
            ViolationRecord.found_at < end.astimezone(UTC),
        )
        .order_by(ViolationRecord.found_at, ViolationRecord.rider_id, ViolationRecord.item_code)
    )
    return [_fact(v) for v in session.scalars(query)]


def violations_for(session: Session, rider_id: str) -> list[ViolationFact]:
    query = (
        select(ViolationRecord)
        .where(ViolationRecord.rider_id == rider_id)
        .order_by(ViolationRecord.found_at, ViolationRecord.rider_id, ViolationRecord.item_code)
    )
    return [_fact(v) for v in session.scalars(query)]


def _fact(v: ViolationRecord) -> ViolationFact:
    return ViolationFact(
        violation_id=v.violation_id,
        rider_id=v.rider_id,
        inspection_id=v.inspection_id,
        item_code=v.item_code,
        kpi=v.kpi,
        severity=v.severity,
        found_at=utc(v.found_at),
    )
