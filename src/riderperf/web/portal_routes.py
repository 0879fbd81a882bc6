"""The rider portal: my score and why, my decisions and notices, my appeals, and the appeal
form. A rider only ever reaches their own records: no page takes a rider id."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from riderperf.api.deps import AuthDep, EngineDep, NowDep, SessionDep, SettingsDep
from riderperf.api.errors import ApiError
from riderperf.api.limits import APPEAL_BODY_LIMIT
from riderperf.cases.model import CaseError
from riderperf.cases.orm import Case
from riderperf.cases.service import (
    appeal_terms_in_force,
    decision_appeal_subject,
    submit_appeal,
)
from riderperf.cases.terms import AppealSubject, AppealTerms, judgment_subject
from riderperf.decisions.records import DecisionNotFound
from riderperf.evaluation.overrides import find_judgment
from riderperf.users.orm import User
from riderperf.web.access import CSRF_REFUSED, FormDep, rider_user
from riderperf.web.evidence import evidence_file
from riderperf.web.i18n import N_, Translator, translator_for
from riderperf.web.pages import message_page, redirect, render
from riderperf.web.uploads import UploadRefused, saved_uploads
from riderperf.web.views.cases import evidence_of
from riderperf.web.views.common import rider_rows
from riderperf.web.views.portal import RiderPortal, build_portal, case_line

router = APIRouter(prefix="/portal")
PAGES = {
    "": "portal/score.html.j2",
    "/decisions": "portal/decisions.html.j2",
    "/notices": "portal/notices.html.j2",
    "/cases": "portal/cases.html.j2",
}
NOT_YOURS = N_("There is no such appeal among yours.")


def words_of(session: Session, user: User) -> Translator:
    """The rider's language from the riders table (English when unknown)."""
    row = rider_rows(session, user, [str(user.rider_id)]).get(str(user.rider_id), {})
    return translator_for(row.get("language"))


def _portal(
    request: Request,
    user: User,
    session: Session,
    engine: EngineDep,
    now: NowDep,
    words: Translator,
) -> RiderPortal:
    rider_id = str(user.rider_id)
    try:
        with request.app.state.warehouse.reading() as warehouse:
            return build_portal(session, engine, rider_id, words, now, warehouse)
    except ApiError:  # the warehouse is being rewritten: show everything but the judgments
        return build_portal(session, engine, rider_id, words, now, None)


def _page(
    request: Request,
    auth: AuthDep,
    session: SessionDep,
    engine: EngineDep,
    now: NowDep,
    template: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    """A portal page; `kept` is what the rider typed into a refused appeal form (its
    subject and statement), shown again in that form."""
    user = rider_user(request, auth)
    if isinstance(user, Response):
        return user
    words = words_of(session, user)
    portal = _portal(request, user, session, engine, now, words)
    return render(
        request,
        template,
        {"p": portal, "kept": kept},
        user=user,
        translator=words,
        error=error,
        status_code=status_code,
    )


@router.get("")
def score_page(
    request: Request, auth: AuthDep, session: SessionDep, engine: EngineDep, now: NowDep
) -> Response:
    return _page(request, auth, session, engine, now, PAGES[""])


@router.get("/decisions")
def decisions_page(
    request: Request, auth: AuthDep, session: SessionDep, engine: EngineDep, now: NowDep
) -> Response:
    return _page(request, auth, session, engine, now, PAGES["/decisions"])


@router.get("/notices")
def notices_page(
    request: Request, auth: AuthDep, session: SessionDep, engine: EngineDep, now: NowDep
) -> Response:
    return _page(request, auth, session, engine, now, PAGES["/notices"])


@router.get("/cases")
def cases_page(
    request: Request, auth: AuthDep, session: SessionDep, engine: EngineDep, now: NowDep
) -> Response:
    return _page(request, auth, session, engine, now, PAGES["/cases"])


def _own_case(session: Session, user: User, case_id: str) -> Case | None:
    case = session.get(Case, case_id)
    return case if case is not None and case.rider_id == user.rider_id else None


@router.get("/cases/{case_id}")
def case_page(
    case_id: str, request: Request, auth: AuthDep, session: SessionDep, now: NowDep
) -> Response:
    user = rider_user(request, auth)
    if isinstance(user, Response):
        return user
    words = words_of(session, user)
    case = _own_case(session, user, case_id)
    if case is None:
        return message_page(
            request,
            user,
            title=words.gettext("Not found"),
            message=words.gettext(NOT_YOURS),
            status_code=404,
            translator=words,
        )
    context = {
        "case": case,
        "line": case_line(words, case, now),
        "evidence": evidence_of(session, case_id),
    }
    return render(request, "portal/case.html.j2", context, user=user, translator=words)


@router.get("/cases/{case_id}/evidence/{sha256}")
def own_evidence(
    case_id: str,
    sha256: str,
    request: Request,
    auth: AuthDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    user = rider_user(request, auth)
    if isinstance(user, Response):
        return user
    if _own_case(session, user, case_id) is None:
        words = words_of(session, user)
        return message_page(
            request,
            user,
            title=words.gettext("Not found"),
            message=words.gettext(NOT_YOURS),
            status_code=404,
            translator=words,
        )
    return evidence_file(request, user, session, settings.home, case_id, sha256)


@router.post("/appeals", max_body_size=APPEAL_BODY_LIMIT)
def send_appeal(
    request: Request,
    form: FormDep,
    auth: AuthDep,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    user = rider_user(request, auth)
    if isinstance(user, Response):
        return user
    words = words_of(session, user)
    back = "/portal/decisions" if form.text("subject_type") == "decision" else "/portal"
    template = PAGES["/decisions" if back.endswith("decisions") else ""]

    kept = {"subject_id": form.text("subject_id"), "statement": form.text("statement")}

    def refuse(message: str, status_code: int) -> Response:
        return _page(
            request,
            auth,
            session,
            engine,
            now,
            template,
            error=message,
            status_code=status_code,
            kept=kept,
        )

    if form.csrf_error:
        return refuse(words.gettext(CSRF_REFUSED), 403)
    statement = form.text("statement")
    if not statement:
        return refuse(words.gettext("Write in your own words why the decision is wrong."), 422)
    try:
        terms = appeal_terms_in_force(engine, now)
        subject = _subject(
            request, session, form.text("subject_type"), form.text("subject_id"), terms
        )
        if subject.rider_id != user.rider_id:  # the same answer as for an id that is not there
            raise _missing(form.text("subject_id"))
        with saved_uploads(form.files("evidence"), terms.max_file_bytes, terms.max_files) as files:
            case = submit_appeal(
                session,
                subject,
                rider_id=str(user.rider_id),
                statement=statement,
                terms=terms,
                at=now,
                home=settings.home,
                evidence=files,
            )
    except UploadRefused as refused:
        session.rollback()
        return refuse(words.gettext(refused.message, **refused.values), 413)
    except (CaseError, ApiError) as refused:
        session.rollback()
        # The service's own words (English) say exactly why; the heading says it was refused.
        reason = refused.message if isinstance(refused, ApiError) else str(refused)
        return refuse(words.gettext("Your appeal could not be sent: {reason}", reason=reason), 409)
    session.commit()
    return redirect(f"/portal/cases/{case.case_id}", done="appealed")


def _subject(
    request: Request, session: Session, kind: str, subject_id: str, terms: AppealTerms
) -> AppealSubject:
    """The appealed decision, or the judged event read from the warehouse."""
    missing = _missing(subject_id)
    if kind == "decision":
        try:
            return decision_appeal_subject(session, subject_id)
        except DecisionNotFound:
            raise missing from None
    if kind != "judgment":
        raise missing
    with request.app.state.warehouse.reading() as warehouse:
        ref = None if warehouse is None else find_judgment(warehouse, subject_id)
    if ref is None:
        raise missing
    return judgment_subject(ref, terms)


def _missing(subject_id: str) -> CaseError:
    return CaseError(f"no decision or judged event {subject_id!r} of yours")
