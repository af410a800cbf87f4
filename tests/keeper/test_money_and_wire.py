"""Exact number handling: Decimal strings to 1e8-scaled ints; venue wire records to typed values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keeper.money import SCALE, MoneyError, from_scaled, to_scaled
from keeper.venues.hyperliquid_wire import WireError, parse_account_state, parse_fill, parse_order_response

WIRE_FILL = {
    "coin": "ETH", "px": "3001.5", "sz": "0.0123", "side": "A", "time": 1_700_000_000_123,
    "startPosition": "-0.5", "dir": "Open Short", "closedPnl": "0.0", "hash": "0x" + "ab" * 32,
    "oid": 17, "crossed": True, "fee": "0.016613", "tid": 99, "feeToken": "USDC",
}


@pytest.mark.parametrize(
    ("text", "scaled"),
    [("1", SCALE), ("0.00000001", 1), ("-2.5", -250_000_000), ("60000.12345678", 6_000_012_345_678),
     ("0.0", 0)],
)
def test_to_scaled__exact_decimal__round_trips(text: str, scaled: int) -> None:
    assert to_scaled(text) == scaled
    assert from_scaled(scaled) == Decimal(text)


@pytest.mark.parametrize("bad", [0.1, True, "0.000000001", "nan", "inf", "abc", None])
def test_to_scaled__float_or_inexact__refused(bad: object) -> None:
    with pytest.raises(MoneyError):
        to_scaled(bad)


def test_parse_fill__wire_record__scaled_fields() -> None:
    fill = parse_fill(WIRE_FILL)
    assert (fill.tid, fill.oid, fill.coin, fill.is_buy) == (99, 17, "ETH", False)
    assert fill.px == 300_150_000_000 and fill.sz == 1_230_000 and fill.signed_sz == -1_230_000
    assert fill.fee == 1_661_300 and fill.start_position == -50_000_000 and fill.time_ms == 1_700_000_000_123


@pytest.mark.parametrize(
    "patch", [{"sz": "0"}, {"side": "X"}, {"tid": "99"}, {"px": 3001.5}, {"fee": "0.000000001"}]
)
def test_parse_fill__malformed__raises_wire_error(patch: dict[str, object]) -> None:
    with pytest.raises(WireError):
        parse_fill(WIRE_FILL | patch)


def test_parse_fill__missing_tid__raises_wire_error() -> None:
    with pytest.raises(WireError, match="tid"):
        parse_fill({k: v for k, v in WIRE_FILL.items() if k != "tid"})


def test_parse_order_response__filled_resting_error() -> None:
    def ok(status: dict[str, object]) -> dict[str, object]:
        return {"status": "ok", "response": {"type": "order", "data": {"statuses": [status]}}}

    filled = parse_order_response(ok({"filled": {"totalSz": "0.02", "avgPx": "3000.1", "oid": 5}}))
    assert (filled.status, filled.oid, filled.filled_sz) == ("filled", 5, 2_000_000)
    resting = parse_order_response(ok({"resting": {"oid": 6}}))
    assert (resting.status, resting.oid, resting.filled_sz) == ("resting", 6, 0)
    error = parse_order_response(ok({"error": "Insufficient margin asset=1"}))
    assert error.status == "error" and error.oid is None and "margin" in (error.error or "")
    assert parse_order_response({"status": "err", "response": "bad nonce"}).status == "error"


def test_parse_account_state__positions_by_coin() -> None:
    state = parse_account_state({
        "marginSummary": {"accountValue": "10000.5"},
        "assetPositions": [
            {"type": "oneWay", "position": {"coin": "BTC", "szi": "-0.01", "entryPx": "60000.0"}}
        ],
        "time": 5,
    })
    assert state.account_value == 1_000_050_000_000 and state.positions["BTC"].szi == -1_000_000
