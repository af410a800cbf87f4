"""Signed-action authentication: the simulator must verify exactly what the SDK signs, and nothing else."""

from __future__ import annotations

import copy
from typing import Any

import eth_account
import httpx
from hyperliquid.utils.signing import get_timestamp_ms, sign_l1_action

from tests.venue_sim.conftest import SimProcess, Trader

DAY_MS = 24 * 3600 * 1000


def order_action(size: str = "0.001") -> dict[str, Any]:
    # Exactly the wire the SDK builds for a market-style buy (aggressive IOC limit).
    return {
        "type": "order",
        "orders": [{"a": 0, "b": True, "p": "90000", "s": size, "r": False, "t": {"limit": {"tif": "Ioc"}}}],
        "grouping": "na",
    }


def post(venue: SimProcess, action: dict[str, Any], nonce: int, signature: Any, **extra: Any) -> Any:
    payload = {"action": action, "nonce": nonce, "signature": signature, "vaultAddress": None}
    payload.update({"expiresAfter": None, **extra})
    return httpx.post(venue.url + "/exchange", json=payload, timeout=10).json()


def test_sdk_signature_is_accepted(venue: SimProcess, trader: Trader) -> None:
    action, nonce = order_action(), get_timestamp_ms()
    response = post(venue, action, nonce, sign_l1_action(trader.wallet, action, None, nonce, None, False))
    assert response["status"] == "ok" and "filled" in response["response"]["data"]["statuses"][0]


def test_tampered_action_is_rejected(venue: SimProcess, trader: Trader) -> None:
    action, nonce = order_action(), get_timestamp_ms()
    signature = sign_l1_action(trader.wallet, action, None, nonce, None, False)
    tampered = copy.deepcopy(action)
    tampered["orders"][0]["s"] = "0.002"
    response = post(venue, tampered, nonce, signature)
    # A wrong signature still recovers *an* address, just not one with an account: the venue's wording.
    assert response["status"] == "err"
    assert response["response"].startswith("User or API Wallet 0x")
    assert response["response"].endswith("does not exist.")
    assert trader.address.lower() not in response["response"]
    assert trader.info.user_fills(trader.address) == []


def test_unsigned_garbage_mainnet_and_unknown_signers_are_rejected(venue: SimProcess, trader: Trader) -> None:
    action = order_action()
    assert post(venue, action, get_timestamp_ms(), None) == {"status": "err", "response": "Missing signature"}
    garbage = post(venue, action, get_timestamp_ms(), {"r": "0x1", "s": "0x1", "v": 27})
    assert garbage["status"] == "err"
    nonce = get_timestamp_ms()
    mainnet_sig = sign_l1_action(trader.wallet, action, None, nonce, None, True)  # source "a", not "b"
    assert post(venue, action, nonce, mainnet_sig)["status"] == "err"
    stranger = eth_account.Account.create()
    nonce = get_timestamp_ms()
    unfunded = post(venue, action, nonce, sign_l1_action(stranger, action, None, nonce, None, False))
    message = f"User or API Wallet {stranger.address.lower()} does not exist."
    assert unfunded == {"status": "err", "response": message}
    assert trader.info.user_fills(trader.address) == []


def test_replayed_and_stale_nonces_are_rejected(venue: SimProcess, trader: Trader) -> None:
    action, nonce = order_action(), get_timestamp_ms()
    signature = sign_l1_action(trader.wallet, action, None, nonce, None, False)
    assert post(venue, action, nonce, signature)["status"] == "ok"
    replay = post(venue, action, nonce, signature)
    assert replay == {"status": "err", "response": f"Invalid nonce: duplicate nonce {nonce}"}
    assert len(trader.info.user_fills(trader.address)) == 1

    for stale in (nonce - 3 * DAY_MS, nonce + 2 * DAY_MS):
        response = post(venue, action, stale, sign_l1_action(trader.wallet, action, None, stale, None, False))
        assert response["status"] == "err" and response["response"].startswith("Invalid nonce")

    expires = nonce - 1000  # already expired; expiresAfter is part of the signed hash
    nonce2 = get_timestamp_ms() + 1
    signed = sign_l1_action(trader.wallet, action, None, nonce2, expires, False)
    expired = post(venue, action, nonce2, signed, expiresAfter=expires)
    assert expired["status"] == "err" and "expired" in expired["response"]
    assert len(trader.info.user_fills(trader.address)) == 1
