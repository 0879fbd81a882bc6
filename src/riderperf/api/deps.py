"""Request dependencies: the database session, the clock, who is calling, CSRF, and roles.

Permissions are dependencies on the route (`Depends(require_roles(...))`); each one carries
the roles it allows in `.roles`, so the authorization matrix test can read what every route
declares. Handlers that change data call `session.commit()` themselves before answering.
Dependencies are `async def`: FastAPI runs them on the event loop instead of handing each
one to a worker thread. Each hand-over costs 0.1–0.25 ms of CPU on a busy worker, a
scorecard read's whole budget is under 1 ms, and a sync dependency costs one (a sync
generator two). The bearer token is read on the loop itself (`loop_reads`); the cookie's
session and the hourly token stamp are handed to a worker thread (`run_in_threadpool`).
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from riderperf.api.errors import ApiError
from riderperf.config import Settings
from riderperf.storage.db import Reads
from riderperf.users.identity import (
    SESSION_HOURS,
    WebSession,
    find_web_session,
    stamp_token_use,
    token_use,
    token_user,
)
from riderperf.users.orm import User
from riderperf.users.permissions import roles_for
from riderperf.users.service import ROLES

COOKIE_NAME = "riderperf_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_T = TypeVar("_T")


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, rolled back on error and closed at the end.

    Opening a session does no I/O (its first statement checks a connection out of the
    pool), so it happens on the event loop. Closing one that holds a connection rolls back
    what was not committed and returns the connection, in a worker thread; a session that
    holds none (never used, committed, or released by `read_and_release`) closes at once.
    """
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def read_and_release(session: Session, read: Callable[[Session], _T]) -> _T:
    """`read(session)`, then the session's connection back to the pool in the same worker
    thread: an `async def` route's one hand-over for its reads (`run_in_threadpool`), after
    which closing the request's session costs nothing."""
    try:
        return read(session)
    finally:
        session.close()


async def get_now(request: Request) -> datetime:
    """The app's clock read once per request (tests inject a fixed clock)."""
    now: datetime = request.app.state.clock()
    return now


SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]


@dataclass(frozen=True)
class AuthContext:
    """Who is calling and how: `via` is "cookie", "token" or None (anonymous)."""

    user: User | None
    via: str | None = None
    csrf_token: str | None = None


async def auth_context(request: Request, session: SessionDep, now: NowDep) -> AuthContext:
    """Reads the bearer token, else the session cookie; a bad bearer token is a 401 (it
    never falls back to the cookie, so a machine learns its token is wrong). The token or
    cookie is looked up in the database on every request, so a revoked token or an ended
    session is refused from the next request on, in every worker."""
    header = request.headers.get("authorization", "")
    context = AuthContext(None)
    if header:
        token = bearer_token(header)
        if token is None:
            raise ApiError(401, "Authorization must be `Bearer <api token>`", headers=_CHALLENGE)
        use = loop_reads(request).read(partial(token_use, token=token, at=now))
        if use is None:
            raise ApiError(401, "the API token is unknown or revoked", headers=_CHALLENGE)
        if use.stamp_due:  # hourly: a write, which may wait for a lock, in a worker thread
            await run_in_threadpool(_stamp, request.app.state.engine, token, now)
        context = AuthContext(use.user, "token")
    elif cookie := request.cookies.get(COOKIE_NAME):
        found = await run_in_threadpool(cookie_user, session, cookie, at=now)
        if found is not None:
            context = AuthContext(found[0], "cookie", found[1])
    request.state.user = context.user
    request.state.csrf_token = context.csrf_token
    return context


def loop_reads(request: Request) -> Reads:
    """The reads the event loop makes itself (`storage.db.Reads`): the bearer token, and
    the scorecard reads. Each is a read by primary key, which takes the database less time
    than handing it to a worker thread takes (a worker runs one request's Python at a time
    anyway); they never write and never wait for a lock, and on PostgreSQL one that takes
    longer than `storage.db.READ_TIMEOUT_MS` is cancelled."""
    reads: Reads = request.app.state.reads
    return reads


def _stamp(engine: Engine, token: str, now: datetime) -> None:
    with engine.begin() as connection:
        stamp_token_use(connection, token, at=now)


def cookie_user(session: Session, cookie: str, *, at: datetime) -> tuple[User, str] | None:
    """The active user behind a session cookie and the session's CSRF token."""
    record = find_web_session(session, cookie, at=at)
    found = None if record is None else session.get(User, record.username)
    if record is None or found is None or not found.active:
        return None
    return found, record.csrf_token


def signed_in_user(session: Session, request: Request, *, at: datetime) -> User | None:
    """Who the request's credentials name, read without raising or writing: the bearer
    token's user, else the session cookie's; None when neither is valid."""
    header = request.headers.get("authorization", "")
    if header:
        token = bearer_token(header)
        return None if token is None else token_user(session.connection(), token)
    cookie = request.cookies.get(COOKIE_NAME)
    found = None if not cookie else cookie_user(session, cookie, at=at)
    return None if found is None else found[0]


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for any other form."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


_CHALLENGE = {"WWW-Authenticate": "Bearer"}
AuthDep = Annotated[AuthContext, Depends(auth_context)]


async def optional_user(auth: AuthDep) -> User | None:
    return auth.user


async def current_user(auth: AuthDep) -> User:
    if auth.user is None:
        raise ApiError(
            401,
            "sign in first (session cookie) or send `Authorization: Bearer <api token>`",
            headers=_CHALLENGE,
        )
    return auth.user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


async def csrf_check(request: Request, auth: AuthDep) -> None:
    """Cookie-authenticated unsafe requests must echo the session's CSRF token in the
    `X-CSRF-Token` header or a `csrf_token` form field (double submit); bearer-token
    requests carry no ambient credential and skip the check."""
    if request.method in SAFE_METHODS or auth.via != "cookie" or auth.csrf_token is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent and _is_form(request):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, auth.csrf_token):
        raise ApiError(
            403,
            f"missing or wrong CSRF token: send the {CSRF_HEADER} header (or the "
            f"{CSRF_FIELD} form field) with the token of your session",
            code="csrf_failed",
        )


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def require_roles(*roles: str) -> Callable[..., Any]:
    """A dependency admitting signed-in users holding one of `roles` (403 otherwise, 401
    when anonymous); unsafe methods also pass the CSRF check. Returns the user."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; roles are {', '.join(ROLES)}")

    async def allowed(request: Request, auth: AuthDep) -> User:
        # `current_user` and `csrf_check` called, not declared as dependencies: FastAPI
        # spends tens of microseconds on each dependency of each request.
        user = await current_user(auth)
        await csrf_check(request, auth)
        if user.role not in roles:
            raise ApiError(
                403, f"your role {user.role} may not do this; it needs one of: {', '.join(roles)}"
            )
        return user

    allowed.roles = frozenset(roles)  # type: ignore[attr-defined]
    allowed.__name__ = "require_" + "_or_".join(roles)
    return allowed


def require(permission: str) -> Callable[..., Any]:
    """`require_roles` with the roles the policy (`riderperf.users.permissions`) gives
    `permission`: the API's routes name a permission, never a list of roles."""
    return require_roles(*(role for role in ROLES if role in roles_for(permission)))


def public() -> None:
    """Marks a route anyone may call, signed in or not (login, the OpenAPI description)."""


public.roles = None  # type: ignore[attr-defined]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, request: Request, web: WebSession) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure when served over https."""
    response.set_cookie(
        COOKIE_NAME,
        web.token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
