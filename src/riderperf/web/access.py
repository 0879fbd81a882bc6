"""Decides who may open a page or post a form, on top of the API's sessions, CSRF tokens and
scopes: an anonymous visitor is sent to the login page, a form without the session's CSRF
token is refused with a message on the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData, UploadFile

from riderperf.api.deps import AuthContext, AuthDep, csrf_check
from riderperf.api.errors import ApiError
from riderperf.users.orm import User
from riderperf.users.permissions import allows, roles_for
from riderperf.web.i18n import N_
from riderperf.web.pages import forbidden, login_redirect, redirect

MAX_PARTS = 50


@dataclass(frozen=True)
class PageForm:
    """A posted form, read once, with the outcome of the CSRF check."""

    data: FormData
    csrf_error: str | None

    def text(self, name: str) -> str:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else ""

    def files(self, name: str) -> list[UploadFile]:
        """The uploaded files of a field; an empty file input sends one nameless part."""
        return [
            item
            for item in self.data.getlist(name)
            if isinstance(item, UploadFile) and item.filename
        ]


async def read_page_form(request: Request, auth: AuthDep) -> PageForm:
    """Reads the form and checks its CSRF token with the API's own check (which reads the
    same, cached form). No page form has more than a handful of fields or files."""
    data = await request.form(max_files=MAX_PARTS, max_fields=MAX_PARTS)
    try:
        await csrf_check(request, auth)
    except ApiError as refused:
        return PageForm(data, refused.message)
    return PageForm(data, None)


FormDep = Annotated[PageForm, Depends(read_page_form)]


def staff_user(request: Request, auth: AuthContext, permission: str) -> User | Response:
    """The signed-in staff member holding `permission` (see `riderperf.users.permissions`,
    the policy the API follows too); an anonymous visitor goes to the login page, a rider to
    their portal, and staff without the permission are told no (403)."""
    if auth.user is None:
        return login_redirect(request)
    if not allows(auth.user.role, "open_dashboard"):
        return redirect("/portal")
    return permitted(request, auth.user, permission)


def permitted(request: Request, user: User, permission: str) -> User | Response:
    """The user when their role holds `permission`, else the "not allowed" page (403)."""
    if not allows(user.role, permission):
        return forbidden(request, user, needs_of(permission))
    return user


def needs_of(permission: str) -> str:
    return " or ".join(sorted(roles_for(permission)))


def rider_user(request: Request, auth: AuthContext) -> User | Response:
    """The signed-in rider; staff go to the dashboard."""
    if auth.user is None:
        return login_redirect(request)
    if not allows(auth.user.role, "open_portal") or not auth.user.rider_id:
        return redirect("/dashboard")
    return auth.user


CSRF_REFUSED = N_(
    "The form was refused because its security token is missing or out of date. "
    "Reload the page and send it again."
)
