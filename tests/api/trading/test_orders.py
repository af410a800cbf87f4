"""Orders through the API to the real venue simulator process, recorded in a real keeper store."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import anyio
import pytest

from api.auth.api_keys import Scope
from api.errors import ErrorCode
from api.ratelimit import RateLimit
from api.settings import RatePolicy
from keeper.store.models import OrderAck, VenueOrder
from tests.api.trading.conftest import TEMPLATE, Trading
from tests.api.trading.helpers import assert_error, bearer


def ready(t: Trading, template: dict[str, Any] | None = None) -> str:
    """Set the vault's risk template and return a bound trade key."""
    assert t.put_risk(t.key(Scope.RISK), template or TEMPLATE).status_code == 200
    return t.key(Scope.TRADE)


def post(t: Trading, key: str, path: str = "orders", **order: Any) -> Any:
    return t.client.post(f"/v1/vaults/{t.vault}/{path}", json=order, headers=bearer(key))


def fills_at_venue(t: Trading) -> list[dict[str, Any]]:
    return t.info("userFills")


def open_at_venue(t: Trading) -> list[int]:
    return [o["oid"] for o in t.info("openOrders")]


def test_market_order__reaches_the_venue_recorded_and_audited(make_trading, any_store):
    t = make_trading(store_=any_store)
    key = ready(t)
    response = post(t, key, coin="ETH", side="buy", size="0.5", type="market", slippage_preset="tight")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "filled" and body["filled_size"] == "0.5" and body["risk"]["accepted"]
    venue_fills = fills_at_venue(t)
    assert [f["oid"] for f in venue_fills] == [body["oid"]] and venue_fills[0]["side"] == "B"
    with t.store.session() as s:
        order = s.query(VenueOrder).filter_by(oid=body["oid"]).one()
        ack = s.query(OrderAck).filter_by(oid=body["oid"]).one()
    assert (order.account, order.coin, order.sz, order.order_type) == (
        t.venue.account,
        "ETH",
        50_000_000,
        "market",
    )
    assert ack.expected_sz == 50_000_000 and not ack.settled
    # the keeper's ack fallback sees an ack whose fills are not stored yet
    waiting = t.store.open_acks(t.venue.name, t.venue.account, int(time.time() * 1000))
    assert [w.oid for w in waiting] == [body["oid"]]
    [entry] = t.store.audit_entries("orders.place")
    assert entry.detail["result"] == "accepted" and entry.detail["oid"] == body["oid"]
    assert entry.actor.startswith("api_key:") and len(entry.detail["params_digest"]) == 64


def test_limit_order__rests_is_listed_and_cancels(make_trading, any_store):
    trading = make_trading(store_=any_store)
    key = ready(trading)
    placed = post(trading, key, coin="ETH", side="buy", size="0.1", type="limit", limit_px="2950")
    assert placed.status_code == 201, placed.text
    oid = placed.json()["oid"]
    assert placed.json()["status"] == "resting" and oid in open_at_venue(trading)
    listed = trading.client.get(f"/v1/vaults/{trading.vault}/orders/open", headers=bearer(key)).json()
    assert [(o["oid"], o["limit_px"], o["size"], o["side"]) for o in listed] == [(oid, "2950", "0.1", "buy")]

    canceled = trading.client.delete(f"/v1/vaults/{trading.vault}/orders/{oid}", headers=bearer(key))
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    assert oid not in open_at_venue(trading)
    assert trading.store.order(trading.venue.name, oid).status == "canceled"  # type: ignore[union-attr]
    again = trading.client.delete(f"/v1/vaults/{trading.vault}/orders/{oid}", headers=bearer(key))
    assert_error(again, 409, ErrorCode.CONFLICT, "venue.order_not_open")
    unknown = trading.client.delete(f"/v1/vaults/{trading.vault}/orders/987654321", headers=bearer(key))
    assert_error(unknown, 404, ErrorCode.NOT_FOUND)
    results = [e.detail["result"] for e in trading.store.audit_entries("orders.cancel")]
    assert results == ["canceled", "not_open"]


def test_draft__shows_the_wire_order_and_risk_verdict_but_sends_nothing(trading):
    key = ready(trading)
    ok = post(
        trading, key, "orders/drafts", coin="ETH", side="sell", size="1", type="market", slippage_bps=100
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["risk"]["accepted"] is True
    mark = body["risk"]["mark"]
    wire = body["would_send"]
    assert wire["order_type"] == {"limit": {"tif": "Ioc"}} and wire["is_buy"] is False and wire["size"] == "1"
    assert Decimal(wire["limit_px"]) < Decimal(mark)  # a sell's IOC bound is below the mark
    too_big = post(trading, key, "orders/drafts", coin="ETH", side="buy", size="9", type="market")
    assert too_big.status_code == 200
    assert too_big.json()["risk"]["accepted"] is False
    assert too_big.json()["risk"]["reason"] == "risk.max_order_notional"
    assert fills_at_venue(trading) == [] and open_at_venue(trading) == []
    assert trading.store.audit_entries("orders.place") == []


def test_risk_rejection__names_the_limit_and_nothing_reaches_the_venue(trading):
    key = ready(trading)
    response = post(trading, key, coin="ETH", side="buy", size="9", type="market")
    body = assert_error(response, 422, ErrorCode.VALIDATION_FAILED, "risk.max_order_notional")
    assert body["details"]["limit"] == 20_000 * 10**8 and body["details"]["attempted"] > 20_000 * 10**8
    assert body["details"]["unit"] == "usd_1e8" and body["details"]["template_version"] == 1
    assert fills_at_venue(trading) == []
    [entry] = trading.store.audit_entries("orders.place")
    assert entry.detail["result"] == "risk_rejected" and entry.detail["reason"] == "risk.max_order_notional"


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        ({"coin": "SOL", "side": "buy", "size": "1", "type": "market"}, "risk.instrument_not_allowed"),
        (
            {"coin": "ETH", "side": "buy", "size": "0.1", "type": "market", "leverage": 10},
            "risk.max_leverage",
        ),
        (
            {"coin": "ETH", "side": "buy", "size": "0.1", "type": "market", "slippage_preset": "wide"},
            "risk.max_slippage",
        ),
        (
            {"coin": "ETH", "side": "buy", "size": "0.1", "type": "limit", "limit_px": "3200"},
            "risk.max_slippage",
        ),
    ],
)
def test_risk_rejection__each_limit(trading, order, reason):
    key = ready(trading, {**TEMPLATE, "max_slippage_bps": 100})
    assert_error(post(trading, key, **order), 422, ErrorCode.VALIDATION_FAILED, reason)


def test_no_template__409(trading):
    key = trading.key(Scope.TRADE)
    response = post(trading, key, coin="ETH", side="buy", size="0.1", type="market")
    assert_error(response, 409, ErrorCode.CONFLICT, "risk.no_template")


def test_venue_rejections__reduce_only_unknown_coin_and_size(trading):
    key = ready(trading, {**TEMPLATE, "allowed_instruments": ["BTC", "ETH", "DOGE"]})
    reduce = post(trading, key, coin="ETH", side="sell", size="0.1", type="market", reduce_only=True)
    body = assert_error(reduce, 422, ErrorCode.VALIDATION_FAILED, "venue.reduce_only")
    assert "Reduce only" in body["details"]["venue_message"]
    unknown = post(trading, key, coin="DOGE", side="buy", size="10", type="market")
    assert_error(unknown, 422, ErrorCode.VALIDATION_FAILED, "venue.unknown_coin")
    fine = post(trading, key, coin="ETH", side="buy", size="0.00001", type="market")
    assert_error(fine, 422, ErrorCode.VALIDATION_FAILED, "venue.invalid_size")
    tick = post(trading, key, coin="ETH", side="buy", size="0.1", type="limit", limit_px="2950.123")
    assert_error(tick, 422, ErrorCode.VALIDATION_FAILED, "venue.invalid_price")
    results = [e.detail["result"] for e in trading.store.audit_entries("orders.place")]
    assert results == ["venue_rejected"]  # pre-flight refusals (bad coin/size/tick) are 422s before any write


def test_venue_rejection__insufficient_margin(make_trading):
    t = make_trading(usd="100")
    key = ready(t, {**TEMPLATE, "max_leverage": 50})
    response = post(t, key, coin="ETH", side="buy", size="1.3", type="limit", limit_px="2990")
    assert_error(response, 422, ErrorCode.VALIDATION_FAILED, "venue.insufficient_margin")
    assert open_at_venue(t) == []


def test_leverage_preset__applied_before_the_order(trading):
    key = ready(trading)
    response = post(trading, key, coin="ETH", side="buy", size="0.2", type="market", leverage=3)
    assert response.status_code == 201, response.text
    state = trading.info("clearinghouseState")
    [position] = state["assetPositions"]
    assert position["position"]["leverage"]["value"] == 3


def test_stop_loss__rests_as_trigger_and_fires_at_the_venue(trading):
    key = ready(trading)
    opened = post(trading, key, coin="BTC", side="buy", size="0.01", type="market")
    assert opened.status_code == 201, opened.text
    mark = int(Decimal(opened.json()["risk"]["mark"]))
    trigger = str(mark * 95 // 100)
    stop = post(
        trading,
        key,
        coin="BTC",
        side="sell",
        size="0.01",
        type="stop_loss",
        trigger_px=trigger,
        reduce_only=True,
    )
    assert stop.status_code == 201, stop.text
    oid = stop.json()["oid"]
    assert stop.json()["sent"]["order_type"]["trigger"] == {
        "triggerPx": trigger,
        "isMarket": True,
        "tpsl": "sl",
    }
    listed = trading.client.get(f"/v1/vaults/{trading.vault}/orders/open", headers=bearer(key)).json()
    assert [(o["oid"], o["trigger_px"]) for o in listed] == [(oid, trigger)]
    original = trading.sim.call("/sim/advance", {"ms": 0})["mids"]["BTC"]
    try:
        trading.sim.call("/sim/price", {"coin": "BTC", "px": str(mark * 90 // 100)})
        assert oid in [f["oid"] for f in fills_at_venue(trading)]
    finally:
        trading.sim.call("/sim/price", {"coin": "BTC", "px": original})
    assert oid not in open_at_venue(trading)


def test_take_profit_limit__is_sent_as_a_limit_trigger(trading):
    key = ready(trading)
    assert post(trading, key, coin="ETH", side="buy", size="0.1", type="market").status_code == 201
    tp = post(
        trading,
        key,
        coin="ETH",
        side="sell",
        size="0.1",
        type="take_profit",
        trigger_px="3300",
        limit_px="3290",
        reduce_only=True,
    )
    assert tp.status_code == 201, tp.text
    assert tp.json()["sent"]["order_type"]["trigger"]["isMarket"] is False
    assert tp.json()["oid"] in open_at_venue(trading)


@pytest.mark.parametrize(
    "order",
    [
        {"coin": "ETH", "side": "buy", "size": 0.5, "type": "market"},  # JSON float
        {"coin": "ETH", "side": "buy", "size": "0.123456789", "type": "market"},  # > 8 decimals
        {"coin": "ETH", "side": "buy", "size": "0", "type": "market"},
        {"coin": "ETH", "side": "buy", "size": "1", "type": "limit"},  # no limit_px
        {"coin": "ETH", "side": "buy", "size": "1", "type": "stop_loss"},  # no trigger_px
        {"coin": "ETH", "side": "buy", "size": "1", "type": "market", "limit_px": "1"},
        {
            "coin": "ETH",
            "side": "buy",
            "size": "1",
            "type": "market",
            "slippage_bps": 5,
            "slippage_preset": "wide",
        },
        {"coin": "ETH", "side": "hold", "size": "1", "type": "market"},
        {"coin": "ETH", "side": "buy", "size": "1e3", "type": "market"},
        {"coin": "ETH", "side": "buy", "size": "1", "type": "market", "cloid": "nope"},
    ],
)
def test_bad_order__422_and_nothing_sent(trading, order):
    key = ready(trading)
    assert_error(post(trading, key, **order), 422, ErrorCode.VALIDATION_FAILED)
    assert fills_at_venue(trading) == [] and trading.store.audit_entries("orders.place") == []


def test_auth__401_403_scope_and_binding_404_unknown_vault(trading):
    ready(trading)
    order = {"coin": "ETH", "side": "buy", "size": "0.1", "type": "market"}
    anonymous = trading.client.post(f"/v1/vaults/{trading.vault}/orders", json=order)
    assert_error(anonymous, 401, ErrorCode.UNAUTHENTICATED)
    assert_error(post(trading, "vc_forged", **order), 401, ErrorCode.INVALID_API_KEY)
    read_only = trading.key(Scope.READ)
    assert_error(post(trading, read_only, **order), 403, ErrorCode.INSUFFICIENT_SCOPE)
    unbound = trading.key(Scope.TRADE, bound=False)
    assert_error(post(trading, unbound, **order), 403, ErrorCode.FORBIDDEN)
    other_vault = "0x" + "ef" * 20
    admin = trading.key(Scope.ADMIN, bound=False)
    response = trading.client.post(f"/v1/vaults/{other_vault}/orders", json=order, headers=bearer(admin))
    assert_error(response, 404, ErrorCode.NOT_FOUND, "vault.no_venue")
    assert fills_at_venue(trading) == []


def test_rate_limit__429_per_key(make_trading):
    t = make_trading(
        rate=RatePolicy(
            per_ip=RateLimit(burst=100, tokens=100, period_s=1),
            per_key=RateLimit(burst=2, tokens=1, period_s=60),
        )
    )
    key = ready(t)
    url = f"/v1/vaults/{t.vault}/orders/open"
    assert [t.client.get(url, headers=bearer(key)).status_code for _ in range(2)] == [200, 200]
    limited = t.client.get(url, headers=bearer(key))
    assert_error(limited, 429, ErrorCode.RATE_LIMITED)
    assert limited.headers["Retry-After"] == "60"


def test_positions_and_fills__from_the_store_after_ingestion(make_trading, any_store):
    t = make_trading(store_=any_store)
    key = ready(t)
    placed = post(t, key, coin="ETH", side="buy", size="0.3", type="market")
    assert placed.status_code == 201
    url = f"/v1/vaults/{t.vault}"
    assert t.client.get(f"{url}/exec/fills", headers=bearer(key)).json() == []
    fills = anyio.run(t.venue.fills_by_time, 0)  # what the keeper's REST reconciliation does
    t.store.ingest_fills(t.venue.name, t.venue.account, fills, "rest", int(time.time() * 1000))
    positions = t.client.get(f"{url}/exec/positions", headers=bearer(key)).json()
    assert [(p["coin"], p["szi"]) for p in positions] == [("ETH", "0.3")]
    listed = t.client.get(f"{url}/exec/fills", headers=bearer(key))
    assert [f["oid"] for f in listed.json()] == [placed.json()["oid"]] * len(fills)
    cursor = listed.headers["X-Next-After-Id"]
    assert t.client.get(f"{url}/exec/fills?after_id={cursor}", headers=bearer(key)).json() == []
    assert t.store.open_acks(t.venue.name, t.venue.account, int(time.time() * 1000)) == []  # ack settled
    assert_error(
        t.client.get(f"{url}/exec/fills?limit=0", headers=bearer(key)), 422, ErrorCode.VALIDATION_FAILED
    )


class _DownVenue:
    """A venue whose transport fails with a message naming a host and a token (must never be shown)."""

    name = "hyperliquid"
    account = "0x" + "00" * 20

    def sz_decimals(self, coin: str) -> int:
        return 4

    def asset_id(self, coin: str) -> int:
        return 1

    async def mids(self) -> dict[str, int]:
        raise ConnectionError("http://venue-internal:3001/?token=hunter2 refused")

    async def account_state(self) -> Any:
        raise ConnectionError("http://venue-internal:3001/?token=hunter2 refused")

    async def open_orders(self) -> list[Any]:
        raise ConnectionError("http://venue-internal:3001/?token=hunter2 refused")


def test_venue_down__503_without_leaking_transport_details(trading):
    key = ready(trading)
    trading.venues.add(trading.vault, _DownVenue())  # type: ignore[arg-type]
    response = post(trading, key, coin="ETH", side="buy", size="0.1", type="market")
    body = assert_error(response, 503, ErrorCode.NOT_READY, "venue.unavailable")
    listed = trading.client.get(f"/v1/vaults/{trading.vault}/orders/open", headers=bearer(key))
    assert_error(listed, 503, ErrorCode.NOT_READY, "venue.unavailable")
    assert "hunter2" not in response.text + listed.text and "venue-internal" not in str(body)
