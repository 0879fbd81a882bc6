"""Decides, before the first byte of a request body is read, how much of it the caller may
send: an anonymous caller at most `ANONYMOUS_BODY_BYTES` (the login forms fit many times
over), a signed-in caller what the route allows (`max_body_size` on the route, 1 MiB
otherwise). Without it, a multipart upload would be parsed and spooled to the temporary
folder before the route's authentication ran.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riderperf.api.deps import SAFE_METHODS, signed_in_user
from riderperf.api.errors import error_response
from riderperf.api.limits import ANONYMOUS_BODY_BYTES

_REFUSAL = (
    f"requests without a valid session cookie or bearer token may send at most "
    f"{ANONYMOUS_BODY_BYTES:,} bytes; sign in first"
)


class AnonymousBodyTooLarge(HTTPException):
    """Raised from `receive` when an anonymous body without a length passes the allowance;
    FastAPI passes HTTP exceptions from body reading on to the error handlers."""

    def __init__(self) -> None:
        super().__init__(413, _REFUSAL)


class BodyGate:
    """ASGI middleware: unsafe requests that may carry more than the anonymous allowance are
    authenticated first (one database read); anonymous ones are refused with 413 when they
    declare a larger length, and cut off at the allowance when they stream without one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length <= ANONYMOUS_BODY_BYTES:
            await self.app(scope, receive, send)
            return
        if await run_in_threadpool(_signed_in, scope):
            await self.app(scope, receive, send)
            return
        if length is not None:
            refusal = error_response(413, _REFUSAL, details={"max_bytes": ANONYMOUS_BODY_BYTES})
            await refusal(scope, receive, send)
            return
        await self.app(scope, _limited(receive), send)


def declared_length(scope: Scope) -> int | None:
    """The Content-Length the client declared; None when absent or not a number."""
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _limited(receive: Receive) -> Receive:
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > ANONYMOUS_BODY_BYTES:
                raise AnonymousBodyTooLarge
        return message

    return limited


def _signed_in(scope: Scope) -> bool:
    request = Request(scope)
    state = request.app.state
    with state.sessions() as session:
        return signed_in_user(session, request, at=state.clock()) is not None
