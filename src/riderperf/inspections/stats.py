"""Counts what inspections found in a period: pass rates per item and KPI for reports,
each rider's (passed, total) per KPI as found, and the equipment items each rider passed and
had checked per day, which feed the equipment compliance KPI."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from statistics import fmean
from typing import Any, NamedTuple

from sqlalchemy import Integer, and_, case, exists, func, select
from sqlalchemy.orm import Session

from riderperf.clock import as_utc as utc
from riderperf.inspections.checklists import SEVERITIES
from riderperf.inspections.corrective import corrective_actions
from riderperf.inspections.history import inspections_between
from riderperf.inspections.orm import (
    InspectionRecord,
    InspectionResultRecord,
    ViolationRecord,
)
from riderperf.inspections.violations import OVERTURNED, violations_between

# The checklist items (by their `kpi`) that the equipment compliance KPI counts.
EQUIPMENT_KPI = "equipment_compliance"


class EquipmentChecks(NamedTuple):
    """The equipment items of one rider's inspections on one UTC day."""

    rider_id: str
    day: date
    passed: int
    checked: int


def inspection_stats(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """What reports show of the inspections in `[start, end)`.

    Pass rates, scores and the nonconforming share come from regular inspections only:
    a re-inspection is chosen because an item failed, so it would bias them; it is
    counted apart. Corrective actions are counted as opened and closed in the period,
    and as open and overdue at `end`.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    found = inspections_between(session, start, end)
    regular = [i for i in found if i.reinspection_of is None]
    items: dict[str, Counter[str]] = {}
    kpis: dict[str, Counter[str]] = {}
    for inspection in regular:
        for result in inspection.results:
            if result.passed is None:
                continue
            _count(items, result.code, result.passed)
            if result.kpi is not None:
                _count(kpis, result.kpi, result.passed)
    found_violations = violations_between(session, start, end, include_overturned=True)
    violations = [v for v in found_violations if v.status != OVERTURNED]
    overturned = Counter(v.severity for v in found_violations if v.status == OVERTURNED)
    by_severity = Counter(v.severity for v in violations)
    nonconforming = sum(1 for i in regular if i.nonconforming)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "inspections": len(regular),
        "reinspections": len(found) - len(regular),
        "riders_inspected": len({i.rider_id for i in found}),
        "nonconforming": nonconforming,
        "nonconforming_rate": nonconforming / len(regular) if regular else None,
        "mean_score": fmean(i.score for i in regular) if regular else None,
        "items": [_rate("item_code", code, c) for code, c in sorted(items.items())],
        "kpis": [_rate("kpi", kpi, c) for kpi, c in sorted(kpis.items())],
        "violations": {
            "total": len(violations),
            "by_severity": {s: by_severity.get(s, 0) for s in SEVERITIES},
            # Overturned on appeal: found in the period, no longer counted above.
            "overturned": sum(overturned.values()),
            "overturned_by_severity": {s: overturned.get(s, 0) for s in SEVERITIES},
        },
        "corrective_actions": _action_counts(session, start, end),
    }


def compliance_by_rider(
    session: Session, start: datetime, end: datetime
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per rider and KPI, (items passed, items checked) at inspections in `[start, end)`.

    Every inspection counts here, re-inspections included: each is a real check of that
    rider. Only scored items that were checked count (evidence items and items left out
    as not applicable do not). Items are counted as found, those of a violation overturned
    on appeal included; the equipment compliance KPI reads `equipment_checks_by_day`,
    which leaves those out.
    """
    passed = func.sum(case((InspectionResultRecord.passed.is_(True), 1), else_=0), type_=Integer)
    query = (
        select(
            InspectionRecord.rider_id,
            InspectionResultRecord.kpi,
            passed,
            func.count(),
        )
        .join(
            InspectionResultRecord,
            InspectionResultRecord.inspection_id == InspectionRecord.inspection_id,
        )
        .where(
            InspectionRecord.inspected_at >= start.astimezone(UTC),
            InspectionRecord.inspected_at < end.astimezone(UTC),
            InspectionResultRecord.passed.is_not(None),
            InspectionResultRecord.kpi.is_not(None),
        )
        .group_by(InspectionRecord.rider_id, InspectionResultRecord.kpi)
        .order_by(InspectionRecord.rider_id, InspectionResultRecord.kpi)
    )
    result: dict[str, dict[str, tuple[int, int]]] = {}
    for rider_id, kpi, passed_count, total in session.execute(query):
        result.setdefault(rider_id, {})[str(kpi)] = (int(passed_count or 0), int(total))
    return result


def equipment_checks_by_day(
    session: Session, start: datetime, end: datetime
) -> list[EquipmentChecks]:
    """Per rider and UTC day of the inspection, the equipment items (checklist items with
    kpi `equipment_compliance`) passed and checked at inspections in `[start, end)`, by
    rider and day.

    Every inspection counts, re-inspections included, as in `compliance_by_rider`; evidence
    items and items left out as not applicable do not. An item whose violation was
    overturned on appeal is void: a reviewer found the inspection wrong about it, so it
    counts neither as passed nor as checked (the result itself stays as found).
    """
    result = InspectionResultRecord
    overturned = exists().where(
        and_(
            ViolationRecord.inspection_id == result.inspection_id,
            ViolationRecord.item_code == result.item_code,
            ViolationRecord.status == OVERTURNED,
        )
    )
    passed = func.sum(case((result.passed.is_(True), 1), else_=0), type_=Integer)
    query = (
        select(InspectionRecord.rider_id, InspectionRecord.inspected_at, passed, func.count())
        .join(result, result.inspection_id == InspectionRecord.inspection_id)
        .where(
            InspectionRecord.inspected_at >= start.astimezone(UTC),
            InspectionRecord.inspected_at < end.astimezone(UTC),
            result.passed.is_not(None),
            result.kpi == EQUIPMENT_KPI,
            ~overturned,
        )
        .group_by(
            InspectionRecord.inspection_id, InspectionRecord.rider_id, InspectionRecord.inspected_at
        )
    )
    days: dict[tuple[str, date], tuple[int, int]] = {}
    for rider_id, inspected_at, passed_count, checked in session.execute(query):
        key = (str(rider_id), utc(inspected_at).date())
        before = days.get(key, (0, 0))
        days[key] = (before[0] + int(passed_count or 0), before[1] + int(checked))
    return [EquipmentChecks(r, d, p, c) for (r, d), (p, c) in sorted(days.items())]


def _count(table: dict[str, Counter[str]], key: str, passed: bool) -> None:
    counter = table.setdefault(key, Counter())
    counter["checked"] += 1
    counter["passed"] += int(passed)


def _rate(name: str, key: str, counter: Counter[str]) -> dict[str, Any]:
    checked, passed = counter["checked"], counter["passed"]
    return {name: key, "checked": checked, "passed": passed, "pass_rate": passed / checked}


def _action_counts(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    actions = [a for a in corrective_actions(session) if a.opened_at < end]
    open_at_end = [a for a in actions if a.closed_at is None or a.closed_at >= end]
    return {
        "opened": sum(1 for a in actions if a.opened_at >= start),
        "closed": sum(1 for a in actions if a.closed_at and start <= a.closed_at < end),
        "open": len(open_at_end),
        "overdue": sum(1 for a in open_at_end if a.due_on < end.date()),
    }
