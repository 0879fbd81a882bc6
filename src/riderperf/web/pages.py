"""Renders the server-side pages: one Jinja2 environment, the layout's shared context, and
the answers a page gives when something is wrong (a message on the page, never a trace)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from riderperf.users.orm import User
from riderperf.users.permissions import allows
from riderperf.web.i18n import N_, Translator, negotiate, translator_for

TEMPLATE_DIR = Path(__file__).with_name("templates")

# Outcomes of a form, shown after the redirect; a code keeps user text out of the URL.
# Only the rider's message is translated: staff pages are in English.
DONE_MESSAGES = {
    "approved": "The decision was approved and is now in effect.",
    "rejected": "The proposal was rejected; the rider has been told.",
    "taken_up": "The case is now under review.",
    "decided": "The case was decided; the rider has been told.",
    "decided_later": "The case was decided; the scores could not be re-evaluated now because "
    "the warehouse is busy: run `riderperf evaluate` for the period later.",
    "closed": "The case was closed.",
    "appealed": N_("Your appeal was sent. A person will review it."),
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

environment.filters["shown"] = lambda value: (
    orjson.dumps(value).decode() if isinstance(value, dict | list) else value
)


def translator_of(request: Request, user: User | None, language: str | None = None) -> Translator:
    """A rider reads pages in their language; staff read English; before signing in the
    browser's Accept-Language decides."""
    if language is not None:
        return translator_for(language)
    if user is None:
        return translator_for(negotiate(request.headers.get("accept-language")))
    return translator_for("en")


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: User | None,
    status_code: int = 200,
    translator: Translator | None = None,
    error: str | None = None,
) -> HTMLResponse:
    """The page, with the layout's context: who is signed in, the CSRF token every form
    posts back, the words of the page's language and any message to show."""
    words = translator or translator_of(request, user)
    done = request.query_params.get("done")
    shared: dict[str, Any] = {
        "request": request,
        "user": user,
        "staff": user is not None and allows(user.role, "open_dashboard"),
        "can_read_cases": user is not None and allows(user.role, "read_cases"),
        "can_inspect": user is not None and allows(user.role, "record_inspections"),
        "csrf_token": getattr(request.state, "csrf_token", "") or "",
        "t": words,
        "_": words.gettext,
        "ngettext": words.ngettext,
        "lang": words.tag,
        "dir": words.direction,
        "done": words.gettext(DONE_MESSAGES[done]) if done in DONE_MESSAGES else None,
        "error": error,
        "path": request.url.path,
    }
    html = environment.get_template(template).render({**shared, **context})
    return HTMLResponse(html, status_code=status_code)


def message_page(
    request: Request,
    user: User | None,
    *,
    title: str,
    message: str,
    status_code: int,
    translator: Translator | None = None,
) -> HTMLResponse:
    """A page that only says what went wrong (not found, not allowed) and where to go."""
    context = {"title": title, "message": message}
    return render(
        request,
        "message.html.j2",
        context,
        user=user,
        status_code=status_code,
        translator=translator,
    )


def not_found(request: Request, user: User | None, what: str) -> HTMLResponse:
    """The same answer whether the thing does not exist or is outside the user's scope, so a
    fleet manager cannot learn which rider ids exist elsewhere."""
    return message_page(
        request,
        user,
        title="Not found",
        message=f"There is no {what} here, or it is outside what you may see.",
        status_code=404,
    )


def forbidden(request: Request, user: User | None, needs: str) -> HTMLResponse:
    return message_page(
        request,
        user,
        title="Not allowed",
        message=f"This needs the role {needs}; you are signed in as {user.role if user else '-'}.",
        status_code=403,
    )


def redirect(url: str, **query: str) -> RedirectResponse:
    """A 303 redirect after a form (the browser then GETs the page)."""
    target = f"{url}?{urlencode(query)}" if query else url
    return RedirectResponse(target, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    """Back to the login page, remembering where the user wanted to go."""
    return redirect("/login", next=request.url.path)
