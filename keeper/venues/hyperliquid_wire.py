"""Pure parsing of Hyperliquid wire records into venue-neutral types (no I/O; used by adapter and bench)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keeper.money import MoneyError, to_scaled
from keeper.venues.base import AccountState, OrderAck, VenueFill, VenuePosition


class WireError(ValueError):
    """A venue record that does not have the documented shape."""


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WireError(f"{name} must be an integer, got {value!r}")
    return value


def parse_fill(raw: Mapping[str, Any]) -> VenueFill:
    try:
        side = raw["side"]
        if side not in ("B", "A"):
            raise WireError(f"side must be B or A, got {side!r}")
        sz = to_scaled(raw["sz"])
        if sz <= 0:
            raise WireError(f"fill size must be positive, got {raw['sz']!r}")
        return VenueFill(
            tid=_int(raw["tid"], "tid"),
            oid=_int(raw["oid"], "oid"),
            coin=str(raw["coin"]),
            is_buy=side == "B",
            px=to_scaled(raw["px"]),
            sz=sz,
            fee=to_scaled(raw.get("fee", "0")),
            closed_pnl=to_scaled(raw.get("closedPnl", "0")),
            start_position=to_scaled(raw.get("startPosition", "0")),
            direction=str(raw.get("dir", "")),
            crossed=bool(raw.get("crossed", False)),
            time_ms=_int(raw["time"], "time"),
            hash=str(raw.get("hash", "")),
            cloid=raw.get("cloid"),
        )
    except KeyError as exc:
        raise WireError(f"fill is missing {exc.args[0]!r}") from exc
    except MoneyError as exc:
        raise WireError(f"fill tid={raw.get('tid')!r}: {exc}") from exc


def parse_order_status(status: Mapping[str, Any]) -> OrderAck:
    """One entry of response.data.statuses of an order action."""
    if "filled" in status:
        body = status["filled"]
        oid = _int(body["oid"], "oid")
        return OrderAck("filled", oid, to_scaled(body["totalSz"]), to_scaled(body["avgPx"]))
    if "resting" in status:
        return OrderAck("resting", _int(status["resting"]["oid"], "oid"))
    if "error" in status:
        return OrderAck("error", None, error=str(status["error"]))
    raise WireError(f"unknown order status {status!r}")


def parse_order_response(response: Any) -> OrderAck:
    if not isinstance(response, Mapping) or response.get("status") != "ok":
        return OrderAck("error", None, error=f"order rejected: {response!r}"[:500])
    statuses = response["response"]["data"]["statuses"]
    if len(statuses) != 1:
        raise WireError(f"expected one status, got {len(statuses)}")
    return parse_order_status(statuses[0])


def parse_account_state(raw: Mapping[str, Any]) -> AccountState:
    positions: dict[str, VenuePosition] = {}
    for entry in raw.get("assetPositions", []):
        pos = entry["position"]
        positions[pos["coin"]] = VenuePosition(
            pos["coin"], to_scaled(pos["szi"]), to_scaled(pos.get("entryPx") or "0")
        )
    return AccountState(
        account_value=to_scaled(raw["marginSummary"]["accountValue"]),
        positions=positions,
        time_ms=_int(raw.get("time", 0), "time"),
    )
