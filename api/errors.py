"""JSON errors with stable codes: `{"code": ..., "message": ..., "details": ...}`.

Every error the API answers goes through here, so clients can switch on `code` (an `ErrorCode` value, which
never changes meaning once published) and show `message` to humans. Route code raises an `ApiError`
subclass; framework errors (validation, unknown routes, wrong methods) are mapped by the handlers installed
by `install_error_handlers`. The catch-all 500 answers a fixed message and an incident id that is also
logged with the traceback, so nothing internal (paths, SQL, secrets) reaches the client.

Routes declare the errors they can answer in OpenAPI through `declares(...)` on their dependencies and
`error_responses(...)`; `api.openapi` merges those declarations into the schema.
"""

from __future__ import annotations

import secrets
import traceback
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from http import HTTPStatus
from typing import Any, TypeVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger("api.errors")


class ErrorCode(StrEnum):
    """Stable machine-readable error codes. Add new members; never rename or reuse one."""

    BAD_REQUEST = "bad_request"
    VALIDATION_FAILED = "validation_failed"
    UNAUTHENTICATED = "unauthenticated"
    INVALID_API_KEY = "invalid_api_key"
    SIGNATURE_INVALID = "signature_invalid"
    SIGNATURE_EXPIRED = "signature_expired"
    FORBIDDEN = "forbidden"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    ROLE_REQUIRED = "role_required"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    NONCE_REUSED = "nonce_reused"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    INTERNAL = "internal_error"
    NOT_READY = "not_ready"
    INVALID_CURSOR = "invalid_cursor"
    VAULT_NOT_FOUND = "vault_not_found"
    STATEMENT_NOT_FOUND = "statement_not_found"
    PRIVATE_VAULT = "private_vault"
    CHAIN_UNAVAILABLE = "chain_unavailable"
    SESSION_INVALID = "session_invalid"


class ErrorBody(BaseModel):
    """The body of every non-2xx answer."""

    code: ErrorCode = Field(description="Stable machine-readable code.")
    message: str = Field(description="Human-readable explanation; wording may change.")
    details: dict[str, Any] | list[Any] | None = Field(default=None, description="Structured context.")


class ApiError(Exception):
    """Base of every error a route raises on purpose."""

    status: int = 400
    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        details: dict[str, Any] | list[Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.headers = dict(headers or {})


class Unprocessable(ApiError):
    """422 raised by route code (same shape as framework validation errors)."""

    status = 422
    code = ErrorCode.VALIDATION_FAILED


class BadRequest(ApiError):
    status = 400
    code = ErrorCode.BAD_REQUEST


class Unauthenticated(ApiError):
    """401: no credentials, or credentials that do not check out. Always carries `WWW-Authenticate`."""

    status = 401
    code = ErrorCode.UNAUTHENTICATED

    def __init__(self, message: str = "authentication required", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="vaultcraft"')


class Forbidden(ApiError):
    """403: the caller is known but not allowed to do this."""

    status = 403
    code = ErrorCode.FORBIDDEN


class NotFound(ApiError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Conflict(ApiError):
    status = 409
    code = ErrorCode.CONFLICT


class RateLimited(ApiError):
    """429 with `Retry-After` in whole seconds (rounded up, at least 1)."""

    status = 429
    code = ErrorCode.RATE_LIMITED

    def __init__(self, retry_after_s: int, *, scope: str) -> None:
        retry_after_s = max(1, int(retry_after_s))
        super().__init__(
            "rate limit exceeded",
            details={"retry_after_s": retry_after_s, "bucket": scope},
            headers={"Retry-After": str(retry_after_s)},
        )


class NotReady(ApiError):
    status = 503
    code = ErrorCode.NOT_READY


_STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    422: ErrorCode.VALIDATION_FAILED,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.NOT_READY,
}


def error_json(
    status: int, code: ErrorCode, message: str, details: Any = None, headers: Any = None
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, details=details)
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"), headers=headers)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_json(exc.status, exc.code, exc.message, exc.details, exc.headers or None)


def _safe_validation_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Location, message and type only: the offending `input` may hold a secret and `ctx` may hold objects."""
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors
    ]


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _safe_validation_errors(exc.errors())
    return error_json(422, ErrorCode.VALIDATION_FAILED, "request validation failed", details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(
        exc.status_code, ErrorCode.INTERNAL if exc.status_code >= 500 else ErrorCode.BAD_REQUEST
    )
    try:
        default = HTTPStatus(exc.status_code).phrase.lower()
    except ValueError:
        default = "error"
    # Framework HTTPExceptions carry a fixed phrase; a string detail from our own code is safe to show.
    message = exc.detail if isinstance(exc.detail, str) else default
    return error_json(exc.status_code, code, message, None, getattr(exc, "headers", None))


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    incident = secrets.token_hex(8)
    # A plain traceback string, not `exc_info`: dev renderers would print frame locals (keys, peppers).
    log.error(
        "unhandled_exception",
        incident=incident,
        method=request.method,
        path=request.url.path,
        exc_type=type(exc).__name__,
        traceback="".join(traceback.format_exception(exc)),
    )
    return error_json(500, ErrorCode.INTERNAL, "internal error", {"incident": incident})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)


# --- OpenAPI declarations -------------------------------------------------------------------------------

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid credentials",
    403: "Authenticated but not allowed",
    404: "Not found",
    409: "Conflict (duplicate or replayed)",
    422: "Request validation failed",
    429: "Rate limited; see Retry-After",
    500: "Internal error (no details leaked)",
    503: "Not ready",
}

F = TypeVar("F", bound=Callable[..., Any])
DECLARED_ATTR = "__vaultcraft_error_statuses__"


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for FastAPI routes, all using the `ErrorBody` model."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": _DESCRIPTIONS.get(status, "Error")}
        if status == 429:
            entry["headers"] = {
                "Retry-After": {"description": "Seconds to wait (integer)", "schema": {"type": "integer"}}
            }
        if status == 401:
            entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        out[status] = entry
    return out


def declares(*statuses: int) -> Callable[[F], F]:
    """Mark a dependency callable with the error statuses it can answer (merged into OpenAPI)."""

    def mark(fn: F) -> F:
        setattr(fn, DECLARED_ATTR, frozenset(statuses) | getattr(fn, DECLARED_ATTR, frozenset()))
        return fn

    return mark
