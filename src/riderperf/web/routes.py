"""The web pages' router: signing in and out, the start page, and the dashboard and portal
routers (the API's `create_app` includes `router` when this package is installed)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from riderperf.api.deps import (
    COOKIE_NAME,
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
from riderperf.web.access import CSRF_REFUSED, FormDep
from riderperf.web.pages import redirect, render, translator_of

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
    return render(request, "login.html.j2", context, user=None)


@router.post("/login")
def login_form(request: Request, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    username, password = form.text("username"), form.text("password")
    context = {"next": form.text("next"), "username": username}
    words = translator_of(request, None)
    if form.csrf_error:
        error = words.gettext(CSRF_REFUSED)
        return render(request, "login.html.j2", context, user=None, status_code=403, error=error)
    try:
        web = login(session, username, password, at=now, client=client_address(request))
    except LoginThrottled as exc:
        message = words.gettext(
            "Too many failed attempts. Wait {seconds} seconds and try again.",
            seconds=words.number(exc.retry_after),
        )
        throttled = render(
            request, "login.html.j2", context, user=None, status_code=429, error=message
        )
        throttled.headers["Retry-After"] = str(exc.retry_after)
        return throttled
    except LoginFailed:
        session.commit()  # the failure counts towards the limit
        message = words.gettext("Wrong user name or password.")
        return render(request, "login.html.j2", context, user=None, status_code=401, error=message)
    session.commit()
    role = session.get_one(User, web.username).role
    answer = redirect(safe_next(form.text("next"), role))
    set_session_cookie(answer, request, web)
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
