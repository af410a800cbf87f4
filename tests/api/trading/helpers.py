"""Assertions shared by the trading tests."""

from __future__ import annotations

from typing import Any

import httpx

from api.errors import ErrorBody, ErrorCode


def assert_error(
    response: httpx.Response, status: int, code: ErrorCode, reason: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    ErrorBody.model_validate(body)
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code.value
    if reason is not None:
        assert (body["details"] or {}).get("reason") == reason, body
    return body


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
