"""The one error model of the API, `{"error": {"code", "message", "details"}}`, and how every
failure (ours, the domain's, FastAPI's) is turned into it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from riderperf.api.headers import secure
from riderperf.cases.evidence import EvidenceCorrupted, EvidenceTooLarge
from riderperf.cases.model import (
    AppealAlreadyFiled,
    CaseConflict,
    CaseError,
    CaseNotFound,
    ForbiddenMove,
)
from riderperf.decisions.records import (
    DecisionConflict,
    DecisionError,
    DecisionNotFound,
    DecisionStateError,
)
from riderperf.policy.versions import UnknownPolicyVersion
from riderperf.users.service import PermissionDenied
from riderperf.warehouse.connection import WarehouseBusyError

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_requests",
    503: "unavailable",
}
_DESCRIPTIONS = {
    400: "The request cannot be read (e.g. a broken zip file).",
    401: "Not signed in: no valid session cookie or bearer token.",
    403: "Signed in, but the role may not do this (or the CSRF token is missing or wrong).",
    404: "No such resource, or not one the caller may see.",
    409: "The resource changed or is busy (a case or proposed restriction decided by someone "
    "else, the warehouse in use by an import); look again and retry.",
    413: "An uploaded file is larger than allowed.",
    422: "The request is well-formed but its values are refused; `details` says which.",
    429: "Too many failed logins; retry after the `Retry-After` seconds.",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str = Field(description="What went wrong and what to do, for a person.")
    details: Any = Field(default=None, description="Extra facts, e.g. the invalid fields.")


class ErrorResponse(BaseModel):
    """Every error the API answers has this shape."""

    error: ErrorDetail


class ApiError(Exception):
    """An error answered as is: status, stable code, message and optional details."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found (or not one you may see)")


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error statuses a route can answer."""
    return {
        status: {"model": ErrorResponse, "description": _DESCRIPTIONS.get(status, "Error.")}
        for status in statuses
    }


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "code": code or _CODES.get(status, "error"),
            "message": message,
            "details": jsonable_encoder(details),
        }
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


# Domain errors a service raises, most specific first; the handler walks the MRO.
_DOMAIN_STATUS: dict[type[Exception], int] = {
    DecisionNotFound: 404,
    CaseNotFound: 404,
    UnknownPolicyVersion: 404,
    CaseConflict: 409,
    AppealAlreadyFiled: 409,
    ForbiddenMove: 409,
    DecisionConflict: 409,
    DecisionStateError: 409,
    WarehouseBusyError: 409,
    EvidenceTooLarge: 413,
    EvidenceCorrupted: 409,
    PermissionDenied: 403,
    CaseError: 422,
    DecisionError: 422,
}


def install_error_handlers(app: FastAPI) -> None:
    async def api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(
            exc.status, exc.message, code=exc.code, details=exc.details, headers=exc.headers
        )

    async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return error_response(422, "the request has invalid or missing values", details=details)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        return error_response(exc.status_code, message, headers=exc.headers)

    async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
        status = next((code for kind, code in _DOMAIN_STATUS.items() if isinstance(exc, kind)), 422)
        message = str(exc) if status != 404 else f"{exc} (or not one you may see)"
        return error_response(status, message)

    async def unexpected_error(request: Request, _exc: Exception) -> Response:
        """A crash: the server logs the traceback (the exception goes on after this answer);
        the caller learns nothing of it. Written outside every middleware, so the security
        headers are added here."""
        if request.url.path.startswith("/api/"):
            answer: Response = error_response(
                500, "an unexpected error occurred; it was logged", code="internal_error"
            )
        else:
            answer = PlainTextResponse("Something went wrong on our side. Try again later.", 500)
        secure(answer.headers)
        return answer

    app.add_exception_handler(Exception, unexpected_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    for kind in _DOMAIN_STATUS:
        app.add_exception_handler(kind, domain_error)


class JsonTooLarge:
    """Turns the body limiter's plain-text 413 into the API's error shape (ASGI middleware,
    for paths under `prefix`)."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_json_413(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                replaced = kind.startswith(b"text/plain")
            if not replaced:
                await send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                await error_response(413, "the request body is larger than this operation accepts")(
                    scope, receive, send
                )

        await self.app(scope, receive, send_json_413)
