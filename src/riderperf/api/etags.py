"""Decides when a read answers `304 Not Modified`: the entity tags of published scorecards
and of the dispatch feed, compared with the request's `If-None-Match` (RFC 9110 §13.1.2).

A route compares tags only after its permission and scope checks, so a caller never learns
from a 304 anything about a resource they may not read. The answers carry
`Cache-Control: private, no-cache` (`api.headers.REVALIDATE`): kept only by the caller, and
revalidated before every use, instead of the `no-store` of every other personal answer,
with which a client would have no copy to revalidate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from riderperf import __version__
from riderperf.api.headers import REVALIDATE


def not_modified(what: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of a route's 304 answer; `what` says what the tag names."""
    return {304: {"description": f"Not modified: the `If-None-Match` tag is {what}."}}


def strong_tag(*parts: str) -> str:
    """A strong tag naming immutable content (a scorecard of one evaluation), with the app
    version, so an upgrade that changes the answer's shape changes the tag."""
    digest = hashlib.sha256("\x1f".join((__version__, *parts)).encode()).hexdigest()[:32]
    return f'"{digest}"'


def weak_tag(content: bytes) -> str:
    """A weak tag of content computed per request (the answer also carries its time)."""
    return f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'


def none_match(request: Request, tag: str) -> bool:
    """True when `If-None-Match` names `tag` or is `*` (weak comparison, as the RFC asks)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = tag.removeprefix("W/")
    return any(sent.strip().removeprefix("W/") == wanted for sent in header.split(","))


def tagged_json(request: Request, tag: str, body: Callable[[], BaseModel]) -> Response:
    """`304` without a body when the caller holds `tag`, else `body()` as JSON, serialised
    exactly as FastAPI serialises a route's response model (validated once, when built)."""
    return tagged_bytes(request, tag, lambda: body().model_dump_json().encode())


def tagged_bytes(request: Request, tag: str, body: Callable[[], bytes]) -> Response:
    """`304` without a body when the caller holds `tag`, else the JSON bytes of `body()`
    (written by the caller, which answers for its shape)."""
    headers = {"ETag": tag, "Cache-Control": REVALIDATE}
    if none_match(request, tag):
        return Response(status_code=304, headers=headers)
    return Response(body(), media_type="application/json", headers=headers)
