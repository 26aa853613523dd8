"""A pure ASGI middleware adding the security headers every response carries, and the static files' caching.

The Content-Security-Policy lets a page load scripts, styles, images, fonts and connections from its
own origin only: no inline script (nor ``eval``), no inline style attribute, no plugin, no framing,
no ``<base>``. So even if untrusted text (an answer, a document passage, a conversation title)
slipped past the sanitiser, the browser would not run it. FastAPI's own ``/docs`` and ``/redoc``
load Swagger UI and ReDoc from a CDN with an inline script; they keep their own headers.

Static files (``/static``) are revalidated on every use (``no-cache``: a 304 when unchanged), so a
new release never runs with a stale module beside a fresh one.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
DOCS_PATHS = ("/docs", "/redoc")  # FastAPI's API documentation pages: a CDN and an inline script


class SecurityHeaders:
    def __init__(self, app: ASGIApp, static_prefix: str = "/static/") -> None:
        self.app = app
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(DOCS_PATHS):
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in HEADERS if h[0] not in present)
                if static:
                    headers.append((b"cache-control", b"no-cache"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
