"""Keeps corrective actions: due dates by severity, closing by a passing re-inspection,
withdrawing after an overturn, open and overdue lists, and the rider's notices when one is
closed or overdue.

Any later inspection of the rider in which an item passes closes every action open on
that item, whether or not it was recorded as a re-inspection of the failing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from riderperf.audit.log import record_event
from riderperf.clock import as_utc as utc
from riderperf.inspections.orm import CorrectiveActionRecord, InspectionRecord
from riderperf.notices.orm import Notice
from riderperf.notices.service import issue_notice
from riderperf.storage.moves import compare_and_set

# An action is open until a passing inspection closes it, or withdrawn when the violations
# behind it were overturned on appeal.
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class CorrectiveAction:
    """What a rider must put right, by when, and the inspection that found it done."""

    action_id: str
    rider_id: str
    item_code: str
    kpi: str
    severity: str
    violation_id: str
    inspection_id: str
    opened_at: datetime
    due_on: date
    status: str
    closed_at: datetime | None
    closed_by_inspection: str | None

    def overdue_on(self, day: date) -> bool:
        """Still open after its due day."""
        return self.status == "open" and day > self.due_on

    def summary(self, today: date | None = None) -> dict[str, object]:
        closed = self.closed_at.isoformat() if self.closed_at else None
        data: dict[str, object] = {
            "action_id": self.action_id,
            "rider_id": self.rider_id,
            "item_code": self.item_code,
            "kpi": self.kpi,
            "severity": self.severity,
            "violation_id": self.violation_id,
            "inspection_id": self.inspection_id,
            "opened_at": self.opened_at.isoformat(),
            "due_on": self.due_on.isoformat(),
            "status": self.status,
            "closed_at": closed,
            "closed_by_inspection": self.closed_by_inspection,
        }
        return data if today is None else data | {"overdue": self.overdue_on(today)}


def reinspection_due(found_at: datetime, severity: str, days: Mapping[str, int]) -> date:
    """The last day (UTC) by which the item must pass a re-inspection."""
    return found_at.astimezone(UTC).date() + timedelta(days=days[severity])


def close_corrected(
    session: Session, inspection: InspectionRecord, passed_codes: Iterable[str]
) -> list[str]:
    """Closes the rider's open actions on items this inspection found passing."""
    codes = set(passed_codes)
    if not codes:
        return []
    at = utc(inspection.inspected_at)
    actions = session.scalars(
        select(CorrectiveActionRecord).where(
            CorrectiveActionRecord.rider_id == inspection.rider_id,
            CorrectiveActionRecord.status == "open",
            CorrectiveActionRecord.item_code.in_(sorted(codes)),
            CorrectiveActionRecord.opened_at < at,
        )
    ).all()
    closed: list[str] = []
    for action in sorted(actions, key=lambda a: a.action_id):
        # Two passing inspections at once both read the action open; one closes it.
        moved = compare_and_set(
            session,
            CorrectiveActionRecord,
            CorrectiveActionRecord.action_id == action.action_id,
            expected={"status": "open"},
            values={
                "status": "closed",
                "closed_at": at,
                "closed_by_inspection": inspection.inspection_id,
            },
        )
        if not moved:
            continue
        for name, value in (
            ("status", "closed"),
            ("closed_at", at),
            ("closed_by_inspection", inspection.inspection_id),
        ):
            set_committed_value(action, name, value)
        details = {
            "item_code": action.item_code,
            "closed_by_inspection": inspection.inspection_id,
            "due_on": action.due_on.isoformat(),
            "late": at.date() > action.due_on,
        }
        inspection_event(
            session,
            inspection,
            "corrective_action.closed",
            "corrective_action",
            action.action_id,
            details,
        )
        _notify(session, action, "corrective_action.closed", {"item": action.item_code}, at)
        closed.append(action.action_id)
    return closed


def withdraw_action(
    session: Session,
    action: CorrectiveActionRecord,
    *,
    by: str,
    at: datetime,
    violation_id: str,
    case_id: str,
) -> bool:
    """Withdraws an open action once every violation under it was overturned on appeal:
    there is nothing left to put right. `closed_at` says when it stopped being open; no
    inspection closed it, and no overdue notice will follow. False when the action was no
    longer open (a passing inspection closed it meanwhile)."""
    moved = compare_and_set(
        session,
        CorrectiveActionRecord,
        CorrectiveActionRecord.action_id == action.action_id,
        expected={"status": "open"},
        values={"status": WITHDRAWN, "closed_at": at},
    )
    if not moved:
        # An inspection closed it since the caller read it open: nothing left to withdraw.
        session.refresh(action)
        return False
    set_committed_value(action, "status", WITHDRAWN)
    set_committed_value(action, "closed_at", at)
    record_event(
        session,
        actor=by,
        action="corrective_action.withdrawn",
        subject_type="corrective_action",
        subject_id=action.action_id,
        at=at,
        rider_id=action.rider_id,
        details={
            "item_code": action.item_code,
            "violation_id": violation_id,
            "case_id": case_id,
            "due_on": action.due_on.isoformat(),
        },
    )
    return True


def open_action_items(session: Session, rider_id: str) -> set[str]:
    """Item codes the rider has an open corrective action on."""
    return set(
        session.scalars(
            select(CorrectiveActionRecord.item_code).where(
                CorrectiveActionRecord.rider_id == rider_id,
                CorrectiveActionRecord.status == "open",
            )
        )
    )


def corrective_actions(
    session: Session, *, rider_id: str | None = None, status: str | None = None
) -> list[CorrectiveAction]:
    """Corrective actions, soonest due first."""
    query = select(CorrectiveActionRecord).order_by(
        CorrectiveActionRecord.due_on, CorrectiveActionRecord.action_id
    )
    if rider_id is not None:
        query = query.where(CorrectiveActionRecord.rider_id == rider_id)
    if status is not None:
        query = query.where(CorrectiveActionRecord.status == status)
    return [_action(a) for a in session.scalars(query)]


def overdue_actions(session: Session, on: date) -> list[CorrectiveAction]:
    """Actions still open after their due day, as of `on`."""
    query = (
        select(CorrectiveActionRecord)
        .where(CorrectiveActionRecord.status == "open", CorrectiveActionRecord.due_on < on)
        .order_by(CorrectiveActionRecord.due_on, CorrectiveActionRecord.action_id)
    )
    return [_action(a) for a in session.scalars(query)]


def notify_overdue(session: Session, on: date, at: datetime) -> int:
    """Tells each rider with an action overdue as of `on` that it is, once per action;
    returns how many notices were issued.

    The notices themselves remember who was told: an action that already has an overdue
    notice is skipped, so running this every day repeats nothing.
    """
    already_told = (
        select(Notice.notice_id)
        .where(
            Notice.kind == "corrective_action.overdue",
            Notice.subject_type == "corrective_action",
            Notice.subject_id == CorrectiveActionRecord.action_id,
        )
        .exists()
    )
    query = (
        select(CorrectiveActionRecord)
        .where(
            CorrectiveActionRecord.status == "open",
            CorrectiveActionRecord.due_on < on,
            ~already_told,
        )
        .order_by(CorrectiveActionRecord.due_on, CorrectiveActionRecord.action_id)
    )
    untold = list(session.scalars(query))
    for action in untold:
        params = {"item": action.item_code, "due_on": action.due_on}
        _notify(session, action, "corrective_action.overdue", params, at)
    return len(untold)


def open_action_for(
    session: Session, rider_id: str, item_code: str, before: datetime
) -> CorrectiveActionRecord | None:
    """The rider's oldest action still open on `item_code`, opened at or before `before`."""
    return session.scalars(
        select(CorrectiveActionRecord)
        .where(
            CorrectiveActionRecord.rider_id == rider_id,
            CorrectiveActionRecord.item_code == item_code,
            CorrectiveActionRecord.status == "open",
            CorrectiveActionRecord.opened_at <= before,
        )
        .order_by(CorrectiveActionRecord.opened_at)
        .limit(1)
    ).first()


def inspection_event(
    session: Session,
    inspection: InspectionRecord,
    action: str,
    subject_type: str,
    subject_id: str,
    details: Mapping[str, object],
) -> None:
    """Audit event of a change caused by `inspection`, by its inspector at its time."""
    record_event(
        session,
        actor=inspection.inspector,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        at=utc(inspection.inspected_at),
        rider_id=inspection.rider_id,
        details=details,
    )


def _notify(
    session: Session,
    action: CorrectiveActionRecord,
    kind: str,
    params: Mapping[str, object],
    at: datetime,
) -> None:
    issue_notice(
        session,
        rider_id=action.rider_id,
        kind=kind,
        params=params,
        at=at,
        subject_type="corrective_action",
        subject_id=action.action_id,
    )


def _action(a: CorrectiveActionRecord) -> CorrectiveAction:
    return CorrectiveAction(
        action_id=a.action_id,
        rider_id=a.rider_id,
        item_code=a.item_code,
        kpi=a.kpi,
        severity=a.severity,
        violation_id=a.violation_id,
        inspection_id=a.inspection_id,
        opened_at=utc(a.opened_at),
        due_on=a.due_on,
        status=a.status,
        closed_at=utc(a.closed_at) if a.closed_at else None,
        closed_by_inspection=a.closed_by_inspection,
    )
