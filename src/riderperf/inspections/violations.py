"""Turns failed items into violations, each under a corrective action, lists them, and
overturns one on appeal.

Each failed scored item is a violation (what was found never changes). A violation opens a
corrective action due a number of days later set by the template per severity, unless
the rider already has one open for the same item: a repeat failure joins that action,
whose due date stands (corrective.py closes actions). An appeal may overturn a violation:
it is marked, never deleted, no longer counted by `violations_between`, and its action is
withdrawn when no other standing violation keeps it open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.audit.log import record_event
from riderperf.clock import as_utc as utc
from riderperf.inspections.checklists import ItemResult
from riderperf.inspections.corrective import (
    inspection_event,
    open_action_for,
    reinspection_due,
    withdraw_action,
)
from riderperf.inspections.orm import (
    CorrectiveActionRecord,
    InspectionRecord,
    ViolationRecord,
)
from riderperf.storage.moves import compare_and_set

OPEN, OVERTURNED = "open", "overturned"


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
    status: str = OPEN  # or overturned on appeal


class ViolationError(ValueError):
    """A violation that cannot be overturned: unknown, or overturned already."""


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
                status=OPEN,
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


def violations_between(
    session: Session, start: datetime, end: datetime, *, include_overturned: bool = False
) -> list[ViolationFact]:
    """Violations found in `[start, end)`, oldest first (then by rider and item).

    Overturned violations are left out unless asked for: a reviewer found the inspection
    wrong, so decisions and reports must not count them against the rider.
    """
    query = select(ViolationRecord).where(
        ViolationRecord.found_at >= start.astimezone(UTC),
        ViolationRecord.found_at < end.astimezone(UTC),
    )
    if not include_overturned:
        query = query.where(ViolationRecord.status != OVERTURNED)
    query = query.order_by(
        ViolationRecord.found_at, ViolationRecord.rider_id, ViolationRecord.item_code
    )
    return [_fact(v) for v in session.scalars(query)]


def violations_for(session: Session, rider_id: str) -> list[ViolationFact]:
    """Every violation of the rider, overturned ones included (see `status`), oldest first."""
    query = (
        select(ViolationRecord)
        .where(ViolationRecord.rider_id == rider_id)
        .order_by(ViolationRecord.found_at, ViolationRecord.rider_id, ViolationRecord.item_code)
    )
    return [_fact(v) for v in session.scalars(query)]


def find_violation(session: Session, violation_id: str) -> ViolationFact | None:
    record = session.get(ViolationRecord, violation_id)
    return None if record is None else _fact(record)


def overturn_violation(
    session: Session, violation_id: str, *, by: str, case_id: str, reason: str, at: datetime
) -> list[str]:
    """Marks the violation overturned by `by` in case `case_id` (never deletes it), writes
    `violation.overturned`, and withdraws its corrective action when it is still open and no
    other standing violation (a repeat failure that joined it) keeps it open.

    Returns the ids of the actions withdrawn. The caller checks who may overturn.
    """
    record = session.get(ViolationRecord, violation_id)
    if record is None:
        raise ViolationError(f"no violation {violation_id!r}")
    at = at.astimezone(UTC)
    written = {
        "status": OVERTURNED,
        "overturned_by": by,
        "overturned_at": at,
        "overturned_case_id": case_id,
    }
    if record.status == OVERTURNED or not compare_and_set(
        session,
        ViolationRecord,
        ViolationRecord.violation_id == violation_id,
        expected={"status": record.status},
        values=written,
    ):
        session.refresh(record)
        raise ViolationError(
            f"violation {violation_id} was already overturned in case {record.overturned_case_id}"
        )
    for name, value in written.items():
        set_committed_value(record, name, value)
    action = session.get(CorrectiveActionRecord, record.action_id)
    still_open = action is not None and action.status == "open"
    # A repeat failure of the same item joined this action; while one stands, so does it.
    standing = sorted(
        session.scalars(
            select(ViolationRecord.violation_id).where(
                ViolationRecord.action_id == record.action_id,
                ViolationRecord.status != OVERTURNED,
            )
        )
    )
    withdraw = still_open and not standing
    record_event(
        session,
        actor=by,
        action="violation.overturned",
        subject_type="violation",
        subject_id=violation_id,
        at=at,
        rider_id=record.rider_id,
        details={
            "inspection_id": record.inspection_id,
            "item_code": record.item_code,
            "severity": record.severity,
            "case_id": case_id,
            "reason": reason,
            "action_id": record.action_id,
            "action_withdrawn": withdraw,
            "action_kept_open_by": standing if still_open else [],
        },
    )
    if action is None or not withdraw:
        return []
    if not withdraw_action(
        session, action, by=by, at=at, violation_id=violation_id, case_id=case_id
    ):
        return []
    return [action.action_id]


def _fact(v: ViolationRecord) -> ViolationFact:
    return ViolationFact(
        violation_id=v.violation_id,
        rider_id=v.rider_id,
        inspection_id=v.inspection_id,
        item_code=v.item_code,
        kpi=v.kpi,
        severity=v.severity,
        found_at=utc(v.found_at),
        status=v.status,
    )
