"""The one error tree of Verity.

Providers and services raise these; tool wrappers turn them into short ``Error: ...`` text for the
model; the chat service turns anything else into an error event; HTTP maps them to status codes
with a JSON body (``http_status``). Nothing prints and returns an empty result.

    VerityError                      base: ``message``, ``http_status``, ``code``
    ├── BadInputError                400  malformed question, date, range, file or argument
    │   ├── AmbiguousSymbolError     400  a name that matches several symbols (carries candidates)
    │   ├── CorruptDataError         400  a snapshot or document that cannot be parsed
    │   └── PayloadTooLargeError     413  a request body or upload over its size limit
    ├── UnknownSymbolError           404  no provider knows the symbol or name
    ├── NoDataError                  404  the symbol exists but nothing covers the requested dates
    ├── NotFoundError                404  no such conversation, run, share, key or document for this caller
    ├── NotAllowedError              403  authorisation refused (e.g. a cookie write without its CSRF token)
    │   └── NotAuthenticatedError    401  no valid session or API key
    ├── RateLimitedError             429  too many requests (ours or the provider's; ``retry_after`` s)
    ├── ProviderUnavailableError     503  the market-data provider or store failed or timed out
    │   └── StaleDataError           503  only cached data older than its time-to-live exists
    ├── LLMUnavailableError          503  the model endpoint is down, slow or returned garbage
    └── ConfigError                  500  settings that cannot work together
"""

from __future__ import annotations

from collections.abc import Sequence


class VerityError(Exception):
    """Base of every error Verity raises on purpose."""

    http_status = 500
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"error": self.code, "message": self.message}


class BadInputError(VerityError):
    http_status = 400
    code = "bad_input"


class AmbiguousSymbolError(BadInputError):
    code = "ambiguous_symbol"

    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        self.name = name
        self.candidates = list(candidates)
        super().__init__(f"'{name}' is ambiguous: did you mean {', '.join(self.candidates)}?")

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "candidates": self.candidates}


class CorruptDataError(BadInputError):
    code = "corrupt_data"


class UnknownSymbolError(VerityError):
    http_status = 404
    code = "unknown_symbol"

    def __init__(self, symbol: str, reason: str = "no provider knows it") -> None:
        self.symbol = symbol
        self.reason = reason
        super().__init__(f"Unknown symbol '{symbol}': {reason}")


class NoDataError(VerityError):
    http_status = 404
    code = "no_data"

    def __init__(self, message: str, symbol: str | None = None) -> None:
        self.symbol = symbol
        super().__init__(message)


class PayloadTooLargeError(BadInputError):
    http_status = 413
    code = "too_large"


class NotFoundError(VerityError):
    """A resource that does not exist, or belongs to someone else (the two are not told apart)."""

    http_status = 404
    code = "not_found"


class NotAllowedError(VerityError):
    http_status = 403
    code = "not_allowed"


class NotAuthenticatedError(NotAllowedError):
    http_status = 401
    code = "not_authenticated"


class RateLimitedError(VerityError):
    http_status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds until a retry may succeed, when known


class ProviderUnavailableError(VerityError):
    http_status = 503
    code = "provider_unavailable"

    def __init__(self, message: str, symbol: str | None = None, provider: str | None = None) -> None:
        self.symbol = symbol
        self.provider = provider
        super().__init__(message)


class StaleDataError(ProviderUnavailableError):
    code = "stale_data"


class LLMUnavailableError(VerityError):
    http_status = 503
    code = "llm_unavailable"


class ConfigError(VerityError):
    http_status = 500
    code = "config_error"
