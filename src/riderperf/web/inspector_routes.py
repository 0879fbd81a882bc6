"""The inspector's pages, made for a phone: this week's plan, a checklist form per rider, and
the result with the re-inspection due dates. Only inspectors and admins may open them; the
recorded inspector is the signed-in user. The pages follow the browser's language."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from riderperf.api.deps import AuthDep, NowDep, SessionDep, SettingsDep
from riderperf.api.limits import INSPECTION_BODY_LIMIT
from riderperf.inspections.checklists import ChecklistError
from riderperf.inspections.history import InspectionError, get_inspection
from riderperf.inspections.photos import photo_folder
from riderperf.inspections.records import record_inspection
from riderperf.inspections.template_store import TemplateError
from riderperf.inspections.templates import ensure_default_template
from riderperf.users.orm import User
from riderperf.users.permissions import allows
from riderperf.users.service import PermissionDenied
from riderperf.web.access import CSRF_REFUSED, FormDep, needs_of
from riderperf.web.i18n import Translator, negotiate, translator_for
from riderperf.web.pages import forbidden, login_redirect, not_found, redirect, render
from riderperf.web.views.inspector import (
    PostedAnswers,
    current_period,
    find_rider,
    form_items,
    plain_id,
    planned_riders,
    read_answers,
    result_view,
)

router = APIRouter(prefix="/inspector")


def inspector_user(request: Request, auth: AuthDep) -> User | Response:
    """The signed-in inspector or admin; anyone else is sent to sign in, or told no."""
    if auth.user is None:
        return login_redirect(request)
    if auth.user.role == "rider":
        return redirect("/portal")
    if not allows(auth.user.role, "record_inspections"):
        return forbidden(request, auth.user, needs_of("record_inspections"))
    return auth.user


def words_of(request: Request) -> Translator:
    """Inspectors read the pages in their phone's language (Accept-Language)."""
    return translator_for(negotiate(request.headers.get("accept-language")))


@router.get("")
def plan_page(request: Request, auth: AuthDep, session: SessionDep, now: NowDep) -> Response:
    user = inspector_user(request, auth)
    if isinstance(user, Response):
        return user
    period = current_period(now)
    context = {"period": period, "riders": planned_riders(session, period)}
    words = words_of(request)
    return render(request, "inspector/plan.html.j2", context, user=user, translator=words)


@router.get("/go")
def go_to_rider(request: Request, auth: AuthDep) -> Response:
    """The plan page's "another rider" box: straight to that rider's checklist."""
    user = inspector_user(request, auth)
    if isinstance(user, Response):
        return user
    rider = request.query_params.get("rider", "").strip()[:100]
    return (
        redirect(f"/inspector/riders/{quote(rider, safe='')}") if rider else redirect("/inspector")
    )


@router.get("/riders/{rider_id}")
def form_page(
    rider_id: str, request: Request, auth: AuthDep, session: SessionDep, now: NowDep
) -> Response:
    user = inspector_user(request, auth)
    if isinstance(user, Response):
        return user
    return _form(request, user, session, now, rider_id, PostedAnswers())


def _form(
    request: Request,
    user: User,
    session: SessionDep,
    now: NowDep,
    rider_id: str,
    posted: PostedAnswers,
    error: str | None = None,
    status_code: int = 200,
    problems: tuple[str, ...] = (),
) -> Response:
    rider = find_rider(session, rider_id)
    if rider is None:
        return not_found(request, user, f"rider {rider_id}")
    version = ensure_default_template(session, now)
    session.commit()  # the bundled checklist, published once
    context = {
        "rider": rider,
        "template": version,
        "items": form_items(version.checklist),
        "posted": posted,
        "problems": problems,
    }
    return render(
        request,
        "inspector/form.html.j2",
        context,
        user=user,
        translator=words_of(request),
        error=error,
        status_code=status_code,
    )


@router.post("/riders/{rider_id}", max_body_size=INSPECTION_BODY_LIMIT)
def record_page(
    rider_id: str,
    request: Request,
    form: FormDep,
    auth: AuthDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    user = inspector_user(request, auth)
    if isinstance(user, Response):
        return user
    if find_rider(session, rider_id) is None:
        return not_found(request, user, f"rider {rider_id}")
    words = words_of(request)
    version = ensure_default_template(session, now)
    posted = read_answers(version.checklist, form, words)
    if form.csrf_error:  # nothing is stored; what was typed is shown again
        refused = words.gettext(CSRF_REFUSED)
        return _form(request, user, session, now, rider_id, posted, refused, 403)
    problems = list(posted.problems)
    if not problems:
        try:
            with tempfile.TemporaryDirectory(prefix="inspection-") as folder:
                photos = {}
                for code, upload in posted.photos.items():
                    target = Path(folder) / code
                    target.write_bytes(upload.file.read())
                    photos[code] = target
                found = record_inspection(
                    session,
                    rider_id=rider_id,
                    inspector=user.username,
                    at=now,
                    results=posted.results,
                    template_id=version.template_id,
                    template_version=version.version,
                    place=posted.place or None,
                    photos=photos,
                    notes=posted.notes,
                    photo_store=photo_folder(settings),
                )
        except ChecklistError as exc:
            problems = exc.problems
        except (InspectionError, TemplateError, PermissionDenied) as exc:
            problems = [str(exc)]
    if problems:
        session.rollback()
        heading = words.gettext("The inspection was not recorded. Put these right and send again:")
        return _form(request, user, session, now, rider_id, posted, heading, 422, tuple(problems))
    session.commit()
    return redirect(f"/inspector/inspections/{found.inspection_id}")


@router.get("/inspections/{inspection_id}")
def result_page(
    inspection_id: str, request: Request, auth: AuthDep, session: SessionDep, now: NowDep
) -> Response:
    user = inspector_user(request, auth)
    if isinstance(user, Response):
        return user
    try:
        if not plain_id(inspection_id):
            raise InspectionError(inspection_id)
        found = get_inspection(session, inspection_id)
    except InspectionError:
        return not_found(request, user, f"inspection {inspection_id}")
    context = result_view(session, found, now)
    words = words_of(request)
    return render(request, "inspector/result.html.j2", context, user=user, translator=words)
