"""Errors as HTTP: every typed error becomes JSON with its status; nothing reaches a client as a 500 page.

Native routes answer ``{"error": code, "message": ...}``; the OpenAI-compatible routes (``/v1``)
answer OpenAI's error object, ``{"error": {"message", "type", "param", "code"}}``, which the
official client turns into its own exception classes. Request validation failures (malformed
JSON, wrong types, a missing field) are a 400 with the first problem spelled out.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from copilot.errors import RateLimitedError, VerityError

log = logging.getLogger(__name__)

OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}
HTTP_CODES = {401: "not_authenticated", 403: "not_allowed", 404: "not_found", 405: "method_not_allowed"}


def _all_errors(cls: type[VerityError]) -> list[type[VerityError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _all_errors(child))]


def status_of(code: str) -> int:
    """The HTTP status of an error code (as carried by an ``error`` event)."""
    for cls in _all_errors(VerityError):
        if cls.code == code:
            return cls.http_status
    return 503 if code == "cancelled" else 500


def is_openai(request: Request) -> bool:
    return request.url.path.startswith("/v1/")


def error_response(
    request: Request, status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> JSONResponse:
    """The JSON error body for this route family, with ``Retry-After`` on a 429."""
    headers = {}
    if extra and extra.get("retry_after") is not None:
        headers["Retry-After"] = str(int(extra["retry_after"]))
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if is_openai(request):
        kind = OPENAI_TYPES.get(status, "server_error")
        body: dict[str, Any] = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    else:
        body = {"error": code, "message": message, **(extra or {})}
    return JSONResponse(status_code=status, content=body, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for err in exc.errors()[:3]:
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body")
        if err.get("type") == "json_invalid":
            problems.append("the request body is not valid JSON")
        else:
            problems.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Map typed errors, validation failures, HTTP errors and anything else to JSON responses."""

    @app.exception_handler(VerityError)
    async def _verity(request: Request, exc: VerityError) -> JSONResponse:
        extra = {k: v for k, v in exc.to_dict().items() if k not in ("error", "message")}
        if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
            extra["retry_after"] = max(1, round(exc.retry_after))
        return error_response(request, exc.http_status, exc.code, exc.message, extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, 400, "bad_input", _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "bad_input" if exc.status_code < 500 else "internal")
        response = error_response(request, exc.status_code, code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal", "internal error")
