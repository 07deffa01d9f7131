"""The exception tree of the wall, and the one JSON error envelope.

    WallError
    ├── SpecError            a YAML spec (wall, preset) is invalid; carries every problem
    ├── AuthError            401: no or wrong credentials
    │   └── ForbiddenError   403: authenticated, but the role may not do this
    ├── NotFoundError        404: an unknown preset, screen, route
    ├── RequestError         400: a request body or parameter is malformed
    │   └── UnsupportedMediaType  415: the Content-Type is not one the route takes
    ├── ConflictError        409: the request collides with the current state
    └── TooManyRequests      429: a bound was reached; ``retry_after_s`` says when to retry
        └── StoreFull        503: the embedded store's disk is full; nothing was accepted

Every JSON API error is ``{"error": {"code": ..., "message": ..., "details": [...]}}``, with
at most ``MAX_DETAILS`` details: past that the last one is ``{"more": N}`` (a hostile body
must not turn into an answer a hundred times its size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DETAILS = 100


def capped(details: list[dict[str, Any]], limit: int = MAX_DETAILS) -> list[dict[str, Any]]:
    """The first ``limit`` details, then ``{"more": N}`` for the rest (a caller that stopped
    collecting early passes its own trailing ``{"more": N}``, which is added in)."""
    extra = 0
    if details and set(details[-1]) == {"more"}:
        extra, details = int(details[-1]["more"]), details[:-1]
    extra += max(0, len(details) - limit)
    return [*details[:limit], {"more": extra}] if extra else details


class WallError(Exception):
    """Base of every error this project raises on purpose."""

    status = 500
    code = "internal"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = capped(details or [])

    def envelope(self) -> dict[str, Any]:
        return error_envelope(self.code, self.message, self.details)


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec file: where it is and what is wrong."""

    file: str
    line: int | None
    key: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: {self.key}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class SpecError(WallError):
    """A spec failed validation; ``problems`` lists every problem found, not just the first."""

    status = 422
    code = "invalid_spec"

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in spec:\n{lines}",
            [p.__dict__ for p in self.problems],
        )


class AuthError(WallError):
    status = 401
    code = "unauthenticated"


class ForbiddenError(AuthError):
    status = 403
    code = "forbidden"


class NotFoundError(WallError):
    status = 404
    code = "not_found"


class RequestError(WallError):
    status = 400
    code = "bad_request"


class UnsupportedMediaType(RequestError):
    status = 415
    code = "unsupported_media_type"


class ConflictError(WallError):
    status = 409
    code = "conflict"


class TooManyRequests(WallError):
    status = 429
    code = "too_many_requests"

    def __init__(
        self, message: str, retry_after_s: int, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, [*(details or []), {"retry_after_s": retry_after_s}])
        self.retry_after_s = retry_after_s


STORE_FULL_RETRY_AFTER_S = 30


class StoreFull(TooManyRequests):
    """503: the disk under the embedded store is full. Nothing of the request was stored
    (SQLite rolled its transaction back), so the caller retries later and loses nothing."""

    status = 503
    code = "store_full"

    def __init__(self, where: str) -> None:
        super().__init__(
            "Ổ đĩa của kho dữ liệu đã đầy; chưa nhận gì, hãy gửi lại sau · "
            f"the disk under the {where} is full; nothing was accepted, retry later",
            STORE_FULL_RETRY_AFTER_S,
        )


def error_envelope(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The single shape of every JSON API error."""
    return {"error": {"code": code, "message": message, "details": details or []}}
