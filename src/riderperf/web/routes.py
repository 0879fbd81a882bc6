"""The web pages' router: signing in and out, the start page, and the dashboard and portal
routers (the API's `create_app` includes `router` when this package is installed)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request, Response

from riderperf.api.deps import (
    COOKIE_NAME,
    CSRF_FIELD,
    AuthDep,
    NowDep,
    SessionDep,
    clear_session_cookie,
    client_address,
    set_session_cookie,
)
from riderperf.users.identity import LoginFailed, LoginThrottled, login, logout
from riderperf.users.orm import User
from riderperf.users.permissions import allows
from riderperf.web import dashboard_routes, inspector_routes, portal_routes, review_routes
from riderperf.web.access import CSRF_REFUSED, FormDep, PageForm
from riderperf.web.pages import redirect, render, translator_of

LOGIN_CSRF_COOKIE = "riderperf_login_csrf"
LOGIN_FORM_SECONDS = 2 * 3600
router = APIRouter(include_in_schema=False)
router.include_router(dashboard_routes.router)
router.include_router(review_routes.router)
router.include_router(portal_routes.router)
router.include_router(inspector_routes.router)


def home_of(role: str) -> str:
    return "/dashboard" if allows(role, "open_dashboard") else "/portal"


def safe_next(target: str, role: str) -> str:
    """Where to go after signing in: a local page the role may open, never another site."""
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    if not local or target.startswith("/login"):
        return home_of(role)
    if target.startswith("/portal") != (not allows(role, "open_dashboard")):
        return home_of(role)
    return target


@router.get("/")
def start_page(auth: AuthDep) -> Response:
    if auth.user is None:
        return redirect("/login")
    return redirect(home_of(auth.user.role))


@router.get("/login")
def login_page(request: Request, auth: AuthDep) -> Response:
    if auth.user is not None:
        return redirect(home_of(auth.user.role))
    context = {"next": request.query_params.get("next", ""), "username": ""}
    return login_form_page(request, context)


def login_form_page(
    request: Request, context: dict[str, str], *, status_code: int = 200, error: str | None = None
) -> Response:
    """The sign-in form with a fresh CSRF token, also set in a cookie only this form's
    address receives: before signing in there is no session to hold the token, so the form
    is checked by double submit (a page elsewhere can post the form but not read the token)."""
    token = secrets.token_urlsafe(32)
    request.state.csrf_token = token
    page = render(
        request, "login.html.j2", context, user=None, status_code=status_code, error=error
    )
    page.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_FORM_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return page


def login_csrf_ok(request: Request, form: PageForm) -> bool:
    sent, kept = form.text(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(sent) and bool(kept) and hmac.compare_digest(sent, kept)


@router.post("/login")
def login_form(request: Request, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    username, password = form.text("username"), form.text("password")
    context = {"next": form.text("next"), "username": username}
    words = translator_of(request, None)
    if form.csrf_error or not login_csrf_ok(request, form):
        error = words.gettext(CSRF_REFUSED)
        return login_form_page(request, context, status_code=403, error=error)
    try:
        web = login(session, username, password, at=now, client=client_address(request))
    except LoginThrottled as exc:
        message = words.gettext(
            "Too many failed attempts. Wait {seconds} seconds and try again.",
            seconds=words.number(exc.retry_after),
        )
        throttled = login_form_page(request, context, status_code=429, error=message)
        throttled.headers["Retry-After"] = str(exc.retry_after)
        return throttled
    except LoginFailed:
        session.commit()  # the failure counts towards the limit
        message = words.gettext("Wrong user name or password.")
        return login_form_page(request, context, status_code=401, error=message)
    session.commit()
    role = session.get_one(User, web.username).role
    answer = redirect(safe_next(form.text("next"), role))
    set_session_cookie(answer, request, web)
    answer.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return answer


@router.post("/logout")
def logout_form(request: Request, form: FormDep, session: SessionDep, auth: AuthDep) -> Response:
    if form.csrf_error and auth.user is not None:
        return render(
            request,
            "message.html.j2",
            {"title": "Sign out", "message": CSRF_REFUSED},
            user=auth.user,
            status_code=403,
        )
    if token := request.cookies.get(COOKIE_NAME):
        logout(session, token)
        session.commit()
    answer = redirect("/login")
    clear_session_cookie(answer)
    return answer
