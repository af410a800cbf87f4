"""Cursors: round trip; any string at all is either a valid cursor of its listing or a 400, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.errors import BadRequest, ErrorCode
from api.pagination import decode_cursor, encode_cursor, next_cursor

UINT = st.integers(min_value=0, max_value=2**256 - 1)


@given(st.sampled_from(["nav", "fills", "events"]), st.lists(UINT, min_size=1, max_size=3))
def test_cursor_round_trip(kind, key):
    assert decode_cursor(encode_cursor(kind, *key), kind, len(key)) == tuple(key)


@given(st.text(max_size=300))
def test_any_string__decodes_or_is_400_invalid_cursor(text):
    try:
        decode_cursor(text, "nav", 1)
    except BadRequest as exc:
        assert exc.code == ErrorCode.INVALID_CURSOR


@pytest.mark.parametrize("key", [[-1], [2**256], [True], [1.5], ["1"], [None]])
def test_out_of_range_or_non_int_keys__refused(key):
    import base64
    import json

    raw = base64.urlsafe_b64encode(json.dumps(["nav", *key]).encode()).rstrip(b"=").decode()
    with pytest.raises(BadRequest):
        decode_cursor(raw, "nav", 1)


def test_next_cursor__only_when_the_extra_row_exists():
    assert next_cursor("nav", [1, 2], 2, (2,)) is None
    assert decode_cursor(next_cursor("nav", [1, 2, 3], 2, (2,)), "nav", 1) == (2,)
