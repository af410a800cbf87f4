"""Opaque cursors for keyset pagination.

A cursor is `base64url(json([kind, k1, k2, ...]))` without padding: `kind` names the listing (a cursor
from one listing is refused by another) and the integers are the sort key of the last item served; the next
page starts strictly after it. Cursors are not secret and carry no authority; every page re-checks access.
A malformed, foreign or oversized cursor answers 400 `invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from api.errors import BadRequest, ErrorCode

MAX_CURSOR_CHARS = 512  # three uint256 keys and a kind encode to ~340 characters
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_MAX_INT = 2**256

CursorParam = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_CHARS,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` of the previous page",
    ),
]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


def encode_cursor(kind: str, *key: int) -> str:
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, kind: str, arity: int) -> tuple[int, ...] | None:
    if cursor is None:
        return None
    bad = BadRequest("invalid cursor", code=ErrorCode.INVALID_CURSOR)
    if len(cursor) > MAX_CURSOR_CHARS:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise bad from exc
    if not isinstance(value, list) or len(value) != arity + 1 or value[0] != kind:
        raise bad
    key = value[1:]
    if not all(type(v) is int and 0 <= v < _MAX_INT for v in key):
        raise bad
    return tuple(key)


def next_cursor(kind: str, rows: Sequence[object], limit: int, key: tuple[int, ...] | None) -> str | None:
    """Callers fetch `limit + 1` rows; a cursor exists only when that extra row did."""
    if len(rows) <= limit or key is None:
        return None
    return encode_cursor(kind, *key)
