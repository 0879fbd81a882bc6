"""The security headers every response carries: a Content-Security-Policy that runs no inline
or foreign script, frame denial, a same-origin referrer policy, no content sniffing, and
`Cache-Control: no-store` on everything but the static files (pages, API answers and
evidence downloads are personal) and the reads that carry an entity tag, which are
`private, no-cache` instead."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Charts are inline SVG whose shapes carry style attributes, hence 'unsafe-inline' for
# styles only; no page has inline script, event handler attributes or foreign resources.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
STATIC_PREFIX = "/static/"
# The one other value an answer may set: reads with an entity tag (`api.etags`) let the
# caller keep a private copy that it must revalidate before each use.
REVALIDATE = "private, no-cache"


def secure(headers: MutableHeaders, *, personal: bool = True) -> None:
    """Sets `SECURITY_HEADERS` on `headers`, and on a personal answer `no-store` in place of
    any Cache-Control but `REVALIDATE`."""
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if personal and headers.get("Cache-Control") != REVALIDATE:
        headers["Cache-Control"] = "no-store"


class SecurityHeaders:
    """ASGI middleware adding `SECURITY_HEADERS` (and no-store outside /static/) to every
    HTTP response, errors and redirects included; `no-store` replaces any Cache-Control but
    `REVALIDATE`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        personal = not scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure(MutableHeaders(scope=message), personal=personal)
            await send(message)

        await self.app(scope, receive, send_with_headers)
