"""On-site inspections over HTTP: checklist templates, the weekly sampling plan, recording an
inspection with photos (inspectors and admins, as themselves), reading inspections and
corrective actions within the caller's scope, and a period's sampling estimates."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from sqlalchemy import select
from sqlalchemy.orm import Session

from riderperf.api.deps import NowDep, SessionDep, require
from riderperf.api.errors import ApiError, errors, not_found
from riderperf.api.limits import INSPECTION_BODY_LIMIT, PHOTO_MAX_BYTES, PHOTO_MAX_FILES
from riderperf.api.params import (
    ID_PATTERN,
    PERIOD_PATTERN,
    TEXT_PATTERN,
    Limit,
    Offset,
    OptionalId,
    period_of,
)
from riderperf.api.routers import inspection_plans
from riderperf.api.schemas.inspections import (
    ChecklistTemplateDetail,
    ChecklistTemplateRead,
    CorrectiveActionPage,
    CorrectiveActionRead,
    InspectionDetail,
    InspectionPage,
    InspectionRead,
)
from riderperf.api.scope import can_see_rider, visible_rider_ids
from riderperf.api.uploads import save_upload
from riderperf.clock import midnight
from riderperf.inspections.checklists import ChecklistError
from riderperf.inspections.corrective import CorrectiveAction, corrective_actions, overdue_actions
from riderperf.inspections.history import (
    Inspection,
    InspectionError,
    get_inspection,
    inspections_between,
)
from riderperf.inspections.orm import ViolationRecord
from riderperf.inspections.photos import photo_folder
from riderperf.inspections.records import record_inspection
from riderperf.inspections.template_store import (
    TemplateError,
    UnknownTemplate,
    get_template,
    list_templates,
    parse_template_ref,
)
from riderperf.inspections.templates import ensure_default_template
from riderperf.storage.models import Rider
from riderperf.users.orm import User

router = APIRouter(tags=["inspections"])
Reader = Annotated[User, Depends(require("read_inspections"))]
Staff = Annotated[User, Depends(require("plan_inspections"))]
Manager = Annotated[User, Depends(require("create_inspection_plans"))]
Inspector = Annotated[User, Depends(require("record_inspections"))]
TemplateIdPath = Annotated[
    str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="A template id.")
]
InspectionIdPath = Annotated[str, PathParam(pattern=ID_PATTERN, description="An inspection id.")]
OptionalPeriod = Annotated[str | None, Query(pattern=PERIOD_PATTERN)]
router.include_router(inspection_plans.router)


@router.get(
    "/inspection-templates",
    operation_id="listChecklistTemplates",
    response_model=list[ChecklistTemplateRead],
    responses=errors(401, 403, 422),
)
def list_templates_route(
    session: SessionDep, _user: Reader, template_id: OptionalId = None
) -> list[ChecklistTemplateRead]:
    """Every stored checklist template version, by id then newest version first."""
    return [ChecklistTemplateRead.of(v) for v in list_templates(session, template_id)]


@router.get(
    "/inspection-templates/{template_id}",
    operation_id="getChecklistTemplate",
    response_model=ChecklistTemplateDetail,
    responses=errors(401, 403, 404, 422),
)
def get_template_route(
    template_id: TemplateIdPath,
    session: SessionDep,
    _user: Reader,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> ChecklistTemplateDetail:
    """A template version with its items (without `version`: the published one)."""
    try:
        found = get_template(session, template_id, version)
    except UnknownTemplate:
        raise not_found(f"checklist template {template_id}") from None
    return ChecklistTemplateDetail.of(found)


@router.post(
    "/inspections",
    operation_id="recordInspection",
    status_code=201,
    max_body_size=INSPECTION_BODY_LIMIT,
    response_model=InspectionDetail,
    responses=errors(401, 403, 404, 413, 422),
)
def record_route(
    request: Request,
    session: SessionDep,
    user: Inspector,
    now: NowDep,
    rider_id: Annotated[str, Form(pattern=ID_PATTERN, description="The rider inspected.")],
    results: Annotated[
        str,
        Form(
            max_length=100_000,
            description='JSON object of answers by item code, e.g. {"helmet": "worn_fastened"}.',
        ),
    ],
    template: Annotated[str | None, Form(pattern=r"^[a-z0-9][a-z0-9-]{0,63}(@v?\d{1,6})?$")] = None,
    place: Annotated[str | None, Form(max_length=500, pattern=TEXT_PATTERN)] = None,
    notes: Annotated[str, Form(max_length=10_000, pattern=TEXT_PATTERN)] = "",
    reinspection_of: Annotated[str | None, Form(pattern=ID_PATTERN)] = None,
    photos: Annotated[list[UploadFile], File(description="Photos, one per item.")] = [],  # noqa: B006
    photo_items: Annotated[
        list[str], Form(description="The item code of each photo, in the same order.")
    ] = [],  # noqa: B006
) -> InspectionDetail:
    """Records an inspection by the calling inspector, now: answers are checked against the
    template (422 lists every problem, nothing is stored), failed items open violations and
    corrective actions with their re-inspection due dates."""
    answers = _answers(results)
    if len(photos) != len(photo_items):
        raise ApiError(422, f"{len(photos)} photos but {len(photo_items)} photo_items; one each")
    if len(photos) > PHOTO_MAX_FILES:
        raise ApiError(413, f"{len(photos)} photos; at most {PHOTO_MAX_FILES}")
    if session.get(Rider, rider_id) is None:
        raise not_found(f"rider {rider_id}")
    template_id, version = parse_template_ref(template) if template else (None, None)
    settings = request.app.state.settings
    try:
        if template_id is None:
            ensure_default_template(session, now)
        with tempfile.TemporaryDirectory(prefix="inspection-") as folder:
            paths = _saved_photos(photos, photo_items, Path(folder))
            found = record_inspection(
                session,
                rider_id=rider_id,
                inspector=user.username,
                at=now,
                results=answers,
                template_id=template_id,
                template_version=version,
                place=place,
                photos=paths,
                notes=notes,
                photo_store=photo_folder(settings),
                reinspection_of=reinspection_of,
            )
    except ChecklistError as exc:
        raise ApiError(422, "the inspection has wrong answers", details=exc.problems) from exc
    except UnknownTemplate as exc:
        raise ApiError(404, str(exc)) from exc
    except (InspectionError, TemplateError) as exc:
        raise ApiError(422, str(exc)) from exc
    session.commit()
    return InspectionDetail.of(found, inspection_actions(session, found), now)


@router.get(
    "/inspections",
    operation_id="listInspections",
    response_model=InspectionPage,
    responses=errors(401, 403, 422),
)
def list_inspections_route(
    session: SessionDep,
    user: Reader,
    rider_id: OptionalId = None,
    period: OptionalPeriod = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> InspectionPage:
    """Inspections the caller may see, newest first (a rider: their own; a fleet manager:
    their fleet's)."""
    start = end = None
    if period is not None:
        chosen = period_of(period)
        start, end = midnight(chosen.start), midnight(chosen.end)
    found = inspections_between(session, start, end, rider_id=rider_id)
    visible = visible_rider_ids(session, user)
    kept = [i for i in reversed(found) if visible is None or i.rider_id in visible]
    items = [InspectionRead.of(i) for i in kept[offset : offset + limit]]
    return InspectionPage(items=items, total=len(kept), limit=limit, offset=offset)


@router.get(
    "/inspections/{inspection_id}",
    operation_id="getInspection",
    response_model=InspectionDetail,
    responses=errors(401, 403, 404, 422),
)
def get_inspection_route(
    inspection_id: InspectionIdPath, session: SessionDep, user: Reader, now: NowDep
) -> InspectionDetail:
    """An inspection with each item's result and the corrective actions it opened."""
    try:
        found = get_inspection(session, inspection_id)
    except InspectionError:
        raise not_found(f"inspection {inspection_id}") from None
    if not can_see_rider(session, user, found.rider_id):
        raise not_found(f"inspection {inspection_id}")
    return InspectionDetail.of(found, inspection_actions(session, found), now)


@router.get(
    "/corrective-actions",
    operation_id="listCorrectiveActions",
    response_model=CorrectiveActionPage,
    responses=errors(401, 403, 422),
)
def list_actions_route(
    session: SessionDep,
    user: Reader,
    now: NowDep,
    rider_id: OptionalId = None,
    status: Annotated[str | None, Query(pattern=r"^(open|closed|withdrawn)$")] = None,
    overdue: Annotated[bool, Query(description="Only actions open past their due day.")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CorrectiveActionPage:
    """Corrective actions the caller may see, soonest due first."""
    today = now.astimezone(UTC).date()
    if overdue:
        found = [a for a in overdue_actions(session, today) if rider_id in (None, a.rider_id)]
        found = [a for a in found if status in (None, a.status)]
    else:
        found = corrective_actions(session, rider_id=rider_id, status=status)
    visible = visible_rider_ids(session, user)
    kept = [a for a in found if visible is None or a.rider_id in visible]
    items = [CorrectiveActionRead.of(a, now) for a in kept[offset : offset + limit]]
    return CorrectiveActionPage(items=items, total=len(kept), limit=limit, offset=offset)


def inspection_actions(session: Session, inspection: Inspection) -> list[CorrectiveAction]:
    """The corrective actions the inspection's violations opened or joined (a repeat failure
    joins the action already open, whose due date stands)."""
    ids = set(
        session.scalars(
            select(ViolationRecord.action_id).where(
                ViolationRecord.inspection_id == inspection.inspection_id
            )
        )
    )
    return [
        a for a in corrective_actions(session, rider_id=inspection.rider_id) if a.action_id in ids
    ]


def _answers(text: str) -> dict[str, Any]:
    try:
        answers = json.loads(text)
    except ValueError as exc:
        raise ApiError(422, f"results: not JSON ({exc}); send an object of answers") from exc
    if not isinstance(answers, dict):
        raise ApiError(422, 'results: send a JSON object such as {"helmet": "worn_fastened"}')
    return answers


def _saved_photos(photos: list[UploadFile], items: list[str], folder: Path) -> dict[str, Path]:
    saved: dict[str, Path] = {}
    for index, (upload, code) in enumerate(zip(photos, items, strict=True)):
        if code in saved:
            raise ApiError(422, f"photo_items: {code!r} has two photos; send one per item")
        own = folder / str(index)
        own.mkdir()
        saved[code] = save_upload(upload, own, max_bytes=PHOTO_MAX_BYTES)
    return saved
