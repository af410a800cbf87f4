"""Trading errors on top of `api.errors`. The top-level `code` is an existing `ErrorCode` (the OpenAPI
enum is the contract); the specific, stable reason is `details.reason`:

  422 validation_failed  details.reason = risk.<limit>     (risk template refused the order)
  422 validation_failed  details.reason = venue.<what>     (the venue refused it, or would: size/tick)
  409 conflict           details.reason = risk.no_template | risk.version_mismatch | venue.order_not_open
  503 not_ready          details.reason = venue.unavailable
"""

from __future__ import annotations

from typing import Any

from api.errors import ApiError, Conflict, ErrorCode, NotReady
from api.trading.risk import Rejection
from api.trading.venue import VenueRejection


class Unprocessable(ApiError):
    status = 422
    code = ErrorCode.VALIDATION_FAILED


def risk_rejected(rejection: Rejection, extra: dict[str, Any] | None = None) -> Unprocessable:
    details: dict[str, Any] = {**rejection.details(), **(extra or {})}
    return Unprocessable(f"order refused by the risk template: {rejection.message}", details=details)


def venue_rejected(rejection: VenueRejection) -> Unprocessable:
    return Unprocessable(
        "order refused by the venue", details={"reason": rejection.reason, "venue_message": rejection.message}
    )


def venue_unavailable() -> NotReady:
    return NotReady(
        "venue unavailable; nothing was sent or the outcome is unknown",
        details={"reason": "venue.unavailable"},
    )


def conflict(reason: str, message: str, **details: Any) -> Conflict:
    return Conflict(message, details={"reason": reason, **details})
