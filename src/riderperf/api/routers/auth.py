"""Signing in and out, and who the caller is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from riderperf.api.deps import (
    COOKIE_NAME,
    NowDep,
    SessionDep,
    clear_session_cookie,
    client_address,
    public,
    require,
    set_session_cookie,
)
from riderperf.api.errors import ApiError, errors
from riderperf.api.schemas.auth import LoginCreate, SessionRead, UserRead
from riderperf.users.identity import LoginFailed, LoginThrottled, login, logout
from riderperf.users.orm import User

router = APIRouter(prefix="/auth", tags=["auth"])
SignedIn = Annotated[User, Depends(require("use_account"))]


@router.post(
    "/login",
    operation_id="login",
    response_model=SessionRead,
    dependencies=[Depends(public)],
    responses=errors(401, 422, 429),
    openapi_extra={"security": []},
)
def login_route(
    body: LoginCreate, request: Request, response: Response, session: SessionDep, now: NowDep
) -> SessionRead:
    """Sign in with a password: sets the `riderperf_session` cookie (HttpOnly, SameSite=Lax)
    and answers the CSRF token unsafe requests must echo in `X-CSRF-Token`. Five failures
    for a username (twenty from one address) within 15 minutes answer 429."""
    try:
        web = login(session, body.username, body.password, at=now, client=client_address(request))
    except LoginThrottled as exc:
        raise ApiError(
            429,
            str(exc),
            headers={"Retry-After": str(exc.retry_after)},
            details={"retry_after": exc.retry_after},
        ) from exc
    except LoginFailed as exc:
        session.commit()  # the failure counts towards the limit
        raise ApiError(401, str(exc), code="login_failed") from exc
    session.commit()
    set_session_cookie(response, request, web)
    user = session.get(User, web.username)
    assert user is not None
    return SessionRead(
        **_user(user).model_dump(), csrf_token=web.csrf_token, expires_at=web.expires_at
    )


@router.post(
    "/logout",
    operation_id="logout",
    status_code=204,
    responses=errors(401, 403),
)
def logout_route(request: Request, session: SessionDep, _signed_in: SignedIn) -> Response:
    """End the cookie session (a bearer token stays valid: revoke it with the CLI)."""
    if token := request.cookies.get(COOKIE_NAME):
        logout(session, token)
        session.commit()
    answer = Response(status_code=204)
    clear_session_cookie(answer)
    return answer


@router.get(
    "/me", operation_id="getCurrentUser", response_model=UserRead, responses=errors(401, 403)
)
def me_route(user: SignedIn) -> UserRead:
    """The signed-in user and their role."""
    return _user(user)


def _user(user: User) -> UserRead:
    return UserRead(
        username=user.username,
        role=user.role,
        rider_id=user.rider_id,
        fleet_id=user.fleet_id,
        display_name=user.display_name,
    )
