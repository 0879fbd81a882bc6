"""Reads recorded inspections back exactly as they were stored (scores are never recomputed
against a newer template)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.clock import as_utc as utc
from riderperf.inspections.checklists import (
    InspectionKpi,
    ItemKind,
    ItemResult,
    Severity,
    score_results,
)
from riderperf.inspections.orm import (
    CorrectiveActionRecord,
    InspectionRecord,
    InspectionResultRecord,
    ViolationRecord,
)

_CHUNK = 500  # ids per IN (...) query, well under every database's bound-parameter limit


class InspectionError(ValueError):
    """An inspection that cannot be recorded or found; the message says why."""


@dataclass(frozen=True)
class Inspection:
    """One recorded inspection with its item results, as stored (never recomputed)."""

    inspection_id: str
    rider_id: str
    zone_id: str | None
    template_id: str
    template_version: int
    inspector: str
    at: datetime
    place_text: str | None
    latitude: float | None
    longitude: float | None
    notes: str
    score: float
    nonconforming: bool
    reinspection_of: str | None
    results: tuple[ItemResult, ...]
    kpi_results: dict[str, tuple[int, int]] = field(default_factory=dict)
    failed_items: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()  # violation ids this inspection opened
    closed_actions: tuple[str, ...] = ()  # corrective action ids this inspection closed

    def summary(self) -> dict[str, Any]:
        return {
            "inspection_id": self.inspection_id,
            "rider_id": self.rider_id,
            "zone_id": self.zone_id,
            "template": f"{self.template_id}@{self.template_version}",
            "inspector": self.inspector,
            "at": self.at.isoformat(),
            "place": {"text": self.place_text, "lat": self.latitude, "lon": self.longitude},
            "notes": self.notes,
            "score": self.score,
            "nonconforming": self.nonconforming,
            "reinspection_of": self.reinspection_of,
            "failed_items": list(self.failed_items),
            "kpi_results": {k: {"passed": p, "total": t} for k, (p, t) in self.kpi_results.items()},
            "results": [_result_summary(r) for r in self.results],
            "violations": list(self.violations),
            "closed_actions": list(self.closed_actions),
        }


def get_inspection(session: Session, inspection_id: str) -> Inspection:
    record = session.get(InspectionRecord, inspection_id)
    if record is None:
        raise InspectionError(f"no inspection {inspection_id!r}")
    return _views(session, [record])[0]


def inspections_between(
    session: Session,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    rider_id: str | None = None,
) -> list[Inspection]:
    """Inspections in `[start, end)` (either bound may be open), oldest first."""
    query = select(InspectionRecord).order_by(
        InspectionRecord.inspected_at, InspectionRecord.inspection_id
    )
    if start is not None:
        query = query.where(InspectionRecord.inspected_at >= start.astimezone(UTC))
    if end is not None:
        query = query.where(InspectionRecord.inspected_at < end.astimezone(UTC))
    if rider_id is not None:
        query = query.where(InspectionRecord.rider_id == rider_id)
    return _views(session, list(session.scalars(query)))


def _views(session: Session, records: list[InspectionRecord]) -> list[Inspection]:
    """Each record with its results, the violations it opened and the actions it closed."""
    results: dict[str, list[ItemResult]] = defaultdict(list)
    violations: dict[str, list[str]] = defaultdict(list)
    closed: dict[str, list[str]] = defaultdict(list)
    ids = [r.inspection_id for r in records]
    for chunk in (ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        for row in session.scalars(
            select(InspectionResultRecord)
            .where(InspectionResultRecord.inspection_id.in_(chunk))
            .order_by(InspectionResultRecord.inspection_id, InspectionResultRecord.position)
        ):
            results[row.inspection_id].append(_item_result(row))
        for found_in, violation_id in session.execute(
            select(ViolationRecord.inspection_id, ViolationRecord.violation_id)
            .where(ViolationRecord.inspection_id.in_(chunk))
            .order_by(ViolationRecord.item_code)
        ):
            violations[found_in].append(violation_id)
        for closed_by, action_id in session.execute(
            select(CorrectiveActionRecord.closed_by_inspection, CorrectiveActionRecord.action_id)
            .where(CorrectiveActionRecord.closed_by_inspection.in_(chunk))
            .order_by(CorrectiveActionRecord.item_code)
        ):
            closed[str(closed_by)].append(action_id)
    return [
        _view(r, results[r.inspection_id], violations[r.inspection_id], closed[r.inspection_id])
        for r in records
    ]


def _item_result(row: InspectionResultRecord) -> ItemResult:
    return ItemResult(
        code=row.item_code,
        kind=cast(ItemKind, row.kind),
        value=row.value,
        passed=row.passed,
        weight=row.weight,
        severity=cast(Severity | None, row.severity),
        kpi=cast(InspectionKpi | None, row.kpi),
        photo_sha256=row.photo_sha256,
    )


def _view(
    record: InspectionRecord, results: list[ItemResult], violations: list[str], closed: list[str]
) -> Inspection:
    score = score_results(results)
    return Inspection(
        inspection_id=record.inspection_id,
        rider_id=record.rider_id,
        zone_id=record.zone_id,
        template_id=record.template_id,
        template_version=record.template_version,
        inspector=record.inspector,
        at=utc(record.inspected_at),
        place_text=record.place_text,
        latitude=record.latitude,
        longitude=record.longitude,
        notes=record.notes,
        score=record.score,
        nonconforming=record.nonconforming,
        reinspection_of=record.reinspection_of,
        results=tuple(results),
        kpi_results=score.kpi_results,
        failed_items=score.failed_items,
        violations=tuple(violations),
        closed_actions=tuple(closed),
    )


def _result_summary(r: ItemResult) -> dict[str, Any]:
    return {
        "item_code": r.code,
        "kind": r.kind,
        "value": r.value,
        "passed": r.passed,
        "weight": r.weight,
        "severity": r.severity,
        "kpi": r.kpi,
        "photo_sha256": r.photo_sha256,
    }
