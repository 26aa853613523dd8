"""A pure ASGI middleware refusing request bodies over their size limit with a JSON 413.

``Content-Length`` over the limit is refused before the body is read; a chunked body is counted as
it streams and cut off at the limit. Uploads (``/api/documents``) have their own, larger limit.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(
        self, app: ASGIApp, default: int, uploads: int, upload_prefix: str = "/api/documents"
    ) -> None:
        self.app = app
        self.default = default
        self.uploads = uploads
        self.upload_prefix = upload_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        # multipart framing adds a little to the file itself
        limit = self.uploads + 64 * 1024 if path.startswith(self.upload_prefix) else self.default
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(path, limit, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except _TooLarge:
            if not started:
                await _refuse(path, limit, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(path: str, limit: int, send: Any) -> None:
    message = f"the request body is over the limit of {limit:,} bytes"
    if path.startswith("/v1/"):
        body: dict[str, Any] = {
            "error": {"message": message, "type": "invalid_request_error", "param": None, "code": "too_large"}
        }
    else:
        body = {"error": "too_large", "message": message}
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
