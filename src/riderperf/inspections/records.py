"""Records inspections against a frozen template version and reads them back as outcomes.

Recording checks who inspects (inspector or admin), that the rider is known, every
answer against its item's kind, and keeps photos content-addressed; then it stores one
result per item, opens violations for failed items and closes corrective actions the
inspection finds put right, all in the caller's transaction with audit events, and
tells the rider the outcome in a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.audit.log import record_event
from riderperf.clock import as_utc as utc
from riderperf.inspections.checklists import (
    ChecklistError,
    ItemResult,
    judge_results,
    score_results,
)
from riderperf.inspections.corrective import close_corrected, open_action_items
from riderperf.inspections.history import (
    Inspection,
    InspectionError,
    get_inspection,
    inspections_between,
)
from riderperf.inspections.orm import (
    CorrectiveActionRecord,
    InspectionRecord,
    InspectionResultRecord,
    ViolationRecord,
)
from riderperf.inspections.photos import keep_photo, photo_sha256
from riderperf.inspections.template_store import (
    DEFAULT_TEMPLATE_ID,
    TemplateError,
    TemplateVersion,
    get_template,
)
from riderperf.inspections.violations import open_violations
from riderperf.notices.service import issue_notice
from riderperf.storage.models import Rider
from riderperf.users.service import INSPECTORS, require_role

Place = tuple[float, float] | str | None


@dataclass(frozen=True)
class InspectionOutcome:
    """What sampling plans (lot results) and reports need of one inspection."""

    inspection_id: str
    rider_id: str
    zone_id: str | None
    at: datetime
    nonconforming: bool  # at least one failed item of severity major or critical
    failed_items: list[str]
    kpi_results: dict[str, tuple[int, int]]  # kpi -> (passed, total)
    reinspection_of: str | None = None


def record_inspection(
    session: Session,
    *,
    rider_id: str,
    inspector: str,
    at: datetime,
    results: Mapping[str, Any],
    template_id: str | None = None,
    template_version: int | None = None,
    place: Place = None,
    photos: Mapping[str, Path] | None = None,
    notes: str = "",
    photo_store: Path | None = None,
    reinspection_of: str | None = None,
    zone_id: str | None = None,
) -> Inspection:
    """Records one inspection; raises ChecklistError listing every wrong answer or photo,
    PermissionDenied for a user who may not inspect, InspectionError or TemplateError else.

    Without `template_id` the template is the re-inspected one's, else `rider-standard`;
    without `template_version`, its published version. A version given explicitly must
    have been in force at `at`. A re-inspection only needs the items the rider has open
    corrective actions on. `zone_id` defaults to the rider's registered zone.
    """
    if at.tzinfo is None:
        raise InspectionError(f"inspection time {at.isoformat()} has no timezone")
    at = at.astimezone(UTC)
    require_role(session, inspector, INSPECTORS)
    rider = session.get(Rider, rider_id)
    if rider is None:
        raise InspectionError(f"rider {rider_id!r} is not in the rider registry; import them first")
    place_text, latitude, longitude = _place(place)
    original = _reinspected(session, reinspection_of, rider_id, at)
    if template_id is None:
        template_id = original.template_id if original else DEFAULT_TEMPLATE_ID
    version = _template(session, template_id, template_version, at)
    checklist = version.checklist
    waived = frozenset(checklist.codes) - open_action_items(session, rider_id) if original else None
    hashes = _hash_photos(photos or {}, photo_store)
    judged = judge_results(checklist, results, hashes, waived=waived or frozenset())
    for code, path in (photos or {}).items():
        keep_photo(Path(path), photo_store or Path(), hashes[code])
    score = score_results(judged)
    record = InspectionRecord(
        inspection_id=str(uuid4()),
        rider_id=rider_id,
        zone_id=zone_id if zone_id is not None else rider.zone_id,
        template_id=version.template_id,
        template_version=version.version,
        inspector=inspector,
        inspected_at=at,
        place_text=place_text,
        latitude=latitude,
        longitude=longitude,
        notes=notes.strip(),
        score=score.score,
        nonconforming=score.nonconforming,
        reinspection_of=original.inspection_id if original else None,
    )
    session.add(record)
    session.flush()
    positions = {code: index for index, code in enumerate(checklist.codes)}
    session.add_all(_result_record(record.inspection_id, positions[r.code], r) for r in judged)
    session.flush()
    record_event(
        session,
        actor=inspector,
        action="inspection.recorded",
        subject_type="inspection",
        subject_id=record.inspection_id,
        at=at,
        rider_id=rider_id,
        details={
            "template": version.ref,
            "score": score.score,
            "failed_items": list(score.failed_items),
            "nonconforming": score.nonconforming,
            "reinspection_of": record.reinspection_of,
            "photos": dict(sorted(hashes.items())),
        },
    )
    close_corrected(session, record, [r.code for r in judged if r.passed])
    failed = [r for r in judged if r.passed is False]
    open_violations(session, record, failed, checklist.reinspection_days)
    session.flush()
    _notify_rider(session, record, failed)
    return get_inspection(session, record.inspection_id)


def _notify_rider(session: Session, record: InspectionRecord, failed: list[ItemResult]) -> None:
    """Tells the rider, in their language, each item to put right and by when, or that
    they passed. One notice per failed item, so that each says exactly what to fix."""
    if not failed:
        score_pct = round(record.score * 100, 1)
        _notify(session, record, "inspection.passed", {"score_pct": score_pct})
        return
    # A repeat failure joins the action already open, so its original due date is the one to meet.
    due = session.execute(
        select(ViolationRecord.item_code, ViolationRecord.severity, CorrectiveActionRecord.due_on)
        .join(CorrectiveActionRecord, CorrectiveActionRecord.action_id == ViolationRecord.action_id)
        .where(ViolationRecord.inspection_id == record.inspection_id)
    )
    found = {code: (severity, due_on) for code, severity, due_on in due}
    for result in failed:
        if result.code in found:  # only scored items fail, and each opened a violation
            severity, due_on = found[result.code]
            params = {"item": result.code, "severity": severity, "due_on": due_on}
            _notify(session, record, "inspection.failed", params)


def _notify(
    session: Session, record: InspectionRecord, kind: str, params: Mapping[str, Any]
) -> None:
    issue_notice(
        session,
        rider_id=record.rider_id,
        kind=kind,
        params=params,
        at=utc(record.inspected_at),
        subject_type="inspection",
        subject_id=record.inspection_id,
    )


def inspection_outcomes(
    session: Session, start: datetime, end: datetime, *, include_reinspections: bool = False
) -> list[InspectionOutcome]:
    """One outcome per inspection in `[start, end)`, oldest first.

    Re-inspections are left out unless asked for: they are chosen because an item
    failed, so counting them would bias any estimate drawn from random samples.
    """
    return [
        InspectionOutcome(
            inspection_id=i.inspection_id,
            rider_id=i.rider_id,
            zone_id=i.zone_id,
            at=i.at,
            nonconforming=i.nonconforming,
            failed_items=list(i.failed_items),
            kpi_results=dict(i.kpi_results),
            reinspection_of=i.reinspection_of,
        )
        for i in inspections_between(session, start, end)
        if include_reinspections or i.reinspection_of is None
    ]


def _reinspected(
    session: Session, inspection_id: str | None, rider_id: str, at: datetime
) -> InspectionRecord | None:
    if inspection_id is None:
        return None
    original = session.get(InspectionRecord, inspection_id)
    if original is None:
        raise InspectionError(f"reinspection_of: no inspection {inspection_id!r}")
    if original.rider_id != rider_id:
        raise InspectionError(
            f"reinspection_of: inspection {inspection_id} is of rider {original.rider_id}, "
            f"not {rider_id}"
        )
    if utc(original.inspected_at) >= at:
        raise InspectionError(
            f"reinspection_of: inspection {inspection_id} was at "
            f"{utc(original.inspected_at).isoformat()}; a re-inspection comes after it"
        )
    return original


def _template(
    session: Session, template_id: str, version: int | None, at: datetime
) -> TemplateVersion:
    found = get_template(session, template_id, version)
    if version is None and found.status != "published":
        raise TemplateError(f"template {template_id} has no published version; publish one first")
    if not found.in_force_at(at):
        raise TemplateError(
            f"template {found.ref} is {found.status} and was not in force at {at.isoformat()}; "
            f"record against the published version of {template_id}"
        )
    return found


def _hash_photos(photos: Mapping[str, Path], store: Path | None) -> dict[str, str]:
    if photos and store is None:
        raise InspectionError("photos were given but no photo store folder to keep them in")
    hashes: dict[str, str] = {}
    problems: list[str] = []
    for code, path in photos.items():
        try:
            hashes[code] = photo_sha256(Path(path))
        except ValueError as exc:
            problems.append(f"photos: {code}: {exc}")
    if problems:
        raise ChecklistError(problems)
    return hashes


def _place(place: Place) -> tuple[str | None, float | None, float | None]:
    if place is None:
        return None, None, None
    if isinstance(place, str):
        return place.strip() or None, None, None
    latitude, longitude = (float(v) for v in place)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InspectionError(
            f"place ({latitude}, {longitude}): latitude is -90 to 90, longitude -180 to 180"
        )
    return None, latitude, longitude


def _result_record(inspection_id: str, position: int, r: ItemResult) -> InspectionResultRecord:
    return InspectionResultRecord(
        inspection_id=inspection_id,
        item_code=r.code,
        position=position,
        kind=r.kind,
        value=r.value,
        passed=r.passed,
        weight=r.weight,
        severity=r.severity,
        kpi=r.kpi,
        photo_sha256=r.photo_sha256,
    )
