"""WS /v1/vaults/{vault}/stream: auth by header or first message, refusals by close code, and fills,
positions, NAV and status pushed from the store as they change."""

from __future__ import annotations

import time

import anyio
import pytest
from starlette.websockets import WebSocketDisconnect

from api.auth.api_keys import Scope
from keeper.store.models import Report
from tests.api.trading.conftest import Trading
from tests.api.trading.helpers import bearer
from tests.api.trading.test_orders import post, ready


def receive_until(ws, kind: str, limit: int = 50) -> dict:
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


def add_report(t: Trading, epoch: int, nav: int) -> None:
    with t.store.session() as s:
        s.add(
            Report(
                vault=t.vault,
                epoch=epoch,
                nav=nav,
                positions_root="0x" + "11" * 32,
                report_hash="0x" + "22" * 32,
                status="posted",
                created_ms=epoch * 1000,
            )
        )


def test_stream__header_auth_then_fills_positions_nav_status(make_trading, any_store):
    t = make_trading(store_=any_store)
    key = ready(t)
    add_report(t, 1, 10**24)
    with t.client.websocket_connect(f"/v1/vaults/{t.vault}/stream", headers=bearer(key)) as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["vault"] == t.vault
        assert receive_until(ws, "nav")["data"]["nav"] == str(10**24)
        placed = post(t, key, coin="ETH", side="buy", size="0.2", type="market").json()
        fills = anyio.run(t.venue.fills_by_time, 0)
        t.store.ingest_fills(t.venue.name, t.venue.account, fills, "rest", int(time.time() * 1000))
        # One poll reads fills, positions and status in separate transactions, so their order may vary
        # around the ingest commit: collect the latest of each until all three reflect the ingest.
        latest: dict[str, object] = {}
        pushed: list[dict] = []
        for _ in range(200):
            message = ws.receive_json()
            latest[message["type"]] = message["data"]
            if message["type"] == "fills":
                pushed.extend(message["data"])
            status = latest.get("status")
            if (
                pushed
                and latest.get("positions")
                and isinstance(status, dict)
                and status.get("reconciled_fills") == len(fills)
            ):
                break
        assert {f["oid"] for f in pushed} == {placed["oid"]} and pushed[0]["side"] == "buy"
        positions = latest["positions"]
        assert [(p["coin"], p["szi"]) for p in positions] == [("ETH", "0.2")]  # type: ignore[union-attr]
        assert latest["status"]["ingesting"] is True  # type: ignore[index]
        add_report(t, 2, 2 * 10**24)
        assert receive_until(ws, "nav")["data"]["epoch"] == 2


def test_stream__first_message_auth(trading):
    key = ready(trading)
    with trading.client.websocket_connect(f"/v1/vaults/{trading.vault}/stream") as ws:
        ws.send_json({"type": "auth", "api_key": key})
        assert ws.receive_json()["type"] == "hello"


@pytest.mark.parametrize(
    ("how", "code"),
    [("none", 4401), ("garbage", 4401), ("wrong", 4401), ("unbound", 4403), ("scope", 4403), ("vault", 4404)],
)
def test_stream__refusals_close_with_a_code_and_no_key_echo(trading, how, code):
    url = f"/v1/vaults/{trading.vault}/stream"
    headers: dict[str, str] = {}
    first: object = None
    if how == "none":
        first = {"type": "hello"}
    elif how == "garbage":
        first = "not json"
    elif how == "wrong":
        headers = bearer("vc_0000000000000000_" + "A" * 43)
    elif how == "unbound":
        headers = bearer(trading.key(Scope.READ, bound=False))
    elif how == "scope":
        headers = bearer(trading.key(Scope.RISK))
    else:
        url = "/v1/vaults/" + "0x" + "ab" * 20 + "/stream"
        headers = bearer(trading.key(Scope.ADMIN, bound=False))
    with pytest.raises(WebSocketDisconnect) as closed:
        with trading.client.websocket_connect(url, headers=headers) as ws:
            if isinstance(first, dict):
                ws.send_json(first)
            elif first is not None:
                ws.send_text(str(first))
            ws.receive_json()
    assert closed.value.code == code
    assert "AAAA" not in (closed.value.reason or "")


def test_stream__no_auth_message_in_time_4401(trading):
    with pytest.raises(WebSocketDisconnect) as closed:
        with trading.client.websocket_connect(f"/v1/vaults/{trading.vault}/stream") as ws:
            ws.receive_json()
    assert closed.value.code == 4401
