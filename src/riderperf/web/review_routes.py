"""The dashboard's work queues and their forms: approving or rejecting a proposed restriction
(operations managers and admins), and taking up, deciding and closing appeal cases
(reviewers, operations managers and admins). The server checks the role on every post."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from riderperf.api.deps import AuthDep, NowDep, SessionDep, SettingsDep
from riderperf.api.scope import can_see_rider
from riderperf.cases.model import OUTCOMES, CaseError
from riderperf.cases.service import move_case
from riderperf.decisions.approval import approve_decision, reject_decision
from riderperf.decisions.orm import Decision
from riderperf.decisions.records import DecisionError
from riderperf.users.orm import User
from riderperf.users.permissions import allows
from riderperf.users.service import PermissionDenied
from riderperf.web.access import CSRF_REFUSED, FormDep, staff_user
from riderperf.web.evidence import evidence_file
from riderperf.web.pages import not_found, redirect, render
from riderperf.web.views.cases import case_page, find_visible_case
from riderperf.web.views.queues import appeal_queue, approval_queue
from riderperf.workflows.appeals import decide_appeal

router = APIRouter(prefix="/dashboard")
UNDECIDED = ("submitted", "triage")


def refusal_status(refused: Exception) -> int:
    """403 for a missing role, 409 for a state that does not allow the move (someone else
    reviewed or decided it first: the message says who and when)."""
    return 403 if isinstance(refused, PermissionDenied) else 409


def _approvals(
    request: Request,
    user: User,
    session: SessionDep,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "proposals": approval_queue(session, user),
        "can_approve": allows(user.role, "approve_decisions"),
    }
    return render(
        request,
        "dashboard/approvals.html.j2",
        context,
        user=user,
        error=error,
        status_code=status_code,
    )


@router.get("/approvals")
def approvals_page(request: Request, auth: AuthDep, session: SessionDep) -> Response:
    user = staff_user(request, auth, "read_decisions")
    if isinstance(user, Response):
        return user
    return _approvals(request, user, session)


@router.post("/approvals/{decision_id}/{verdict}")
def review_proposal(
    decision_id: str,
    verdict: str,
    request: Request,
    form: FormDep,
    auth: AuthDep,
    session: SessionDep,
    now: NowDep,
) -> Response:
    user = staff_user(request, auth, "approve_decisions")
    if isinstance(user, Response):
        return user
    decision = session.get(Decision, decision_id)
    if (
        verdict not in ("approve", "reject")
        or decision is None
        or not can_see_rider(session, user, decision.rider_id)
    ):
        return not_found(request, user, f"proposal {decision_id}")
    if form.csrf_error:
        return _approvals(request, user, session, CSRF_REFUSED, 403)
    reason = form.text("reason")
    if not reason:
        return _approvals(request, user, session, "Give a reason: the rider is shown it.", 422)
    version = int(form.text("version")) if form.text("version").isdigit() else None
    review = approve_decision if verdict == "approve" else reject_decision
    try:
        review(
            session, decision_id, by=user.username, reason=reason, at=now, expected_version=version
        )
    except (DecisionError, PermissionDenied) as refused:
        session.rollback()
        return _approvals(request, user, session, str(refused), refusal_status(refused))
    session.commit()
    return redirect("/dashboard/approvals", done="approved" if verdict == "approve" else "rejected")


@router.get("/appeals")
def appeals_page(request: Request, auth: AuthDep, session: SessionDep, now: NowDep) -> Response:
    user = staff_user(request, auth, "read_cases")
    if isinstance(user, Response):
        return user
    everything = request.query_params.get("all") == "1"
    context = {
        "queue": appeal_queue(session, user, now, include_finished=everything),
        "everything": everything,
    }
    return render(request, "dashboard/appeals.html.j2", context, user=user)


def _case(
    request: Request,
    user: User,
    session: SessionDep,
    now: NowDep,
    case_id: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    case = find_visible_case(session, user, case_id)
    if case is None:
        return not_found(request, user, f"case {case_id}")
    context = {
        "c": case_page(session, user, case, now),
        "outcomes": OUTCOMES,
        "can_review": allows(user.role, "decide_cases"),
    }
    return render(
        request, "dashboard/case.html.j2", context, user=user, error=error, status_code=status_code
    )


@router.get("/cases/{case_id}")
def case_detail_page(
    case_id: str, request: Request, auth: AuthDep, session: SessionDep, now: NowDep
) -> Response:
    user = staff_user(request, auth, "read_cases")
    if isinstance(user, Response):
        return user
    return _case(request, user, session, now, case_id)


@router.get("/cases/{case_id}/evidence/{sha256}")
def evidence_download(
    case_id: str,
    sha256: str,
    request: Request,
    auth: AuthDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    user = staff_user(request, auth, "download_evidence")
    if isinstance(user, Response):
        return user
    if find_visible_case(session, user, case_id) is None:
        return not_found(request, user, f"case {case_id}")
    return evidence_file(request, user, session, settings.home, case_id, sha256)


@router.post("/cases/{case_id}/{action}")
def act_on_case(
    case_id: str,
    action: str,
    request: Request,
    form: FormDep,
    auth: AuthDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    user = staff_user(request, auth, "decide_cases")
    if isinstance(user, Response):
        return user
    case = find_visible_case(session, user, case_id)
    if case is None or action not in ("take-up", "decide", "close"):
        return not_found(request, user, f"case {case_id}")
    if form.csrf_error:
        return _case(request, user, session, now, case_id, CSRF_REFUSED, 403)
    version = int(form.text("version")) if form.text("version").isdigit() else None
    outcome, reason = form.text("outcome"), form.text("reason")
    if action == "decide" and (outcome not in OUTCOMES or not reason):
        return _case(
            request,
            user,
            session,
            now,
            case_id,
            "Choose an outcome and give a reason the rider can read.",
            422,
        )
    skipped = False
    try:
        if action == "decide":
            decided = decide_appeal(
                session,
                settings,
                case_id,
                outcome=outcome,
                by=user.username,
                reason=reason,
                at=now,
                expected_version=version,
                take_up=case.status in UNDECIDED,
                guard=request.app.state.warehouse.writing,
            )
            skipped = decided.reevaluation == "skipped"
        else:
            to_state = "closed" if action == "close" else "under_review"
            move_case(
                session, case_id, to_state, by=user.username, at=now, expected_version=version
            )
            session.commit()
    except (CaseError, DecisionError, PermissionDenied) as refused:
        session.rollback()
        return _case(request, user, session, now, case_id, str(refused), refusal_status(refused))
    done = {"take-up": "taken_up", "decide": "decided", "close": "closed"}[action]
    if skipped:
        done = "decided_later"
    return redirect(f"/dashboard/cases/{case_id}", done=done)
