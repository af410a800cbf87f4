"""The simulator's verifier against the SDK's signer, for every hash variant (vault, expiry, network)."""

from __future__ import annotations

import eth_account
import pytest
from hyperliquid.utils.signing import sign_agent, sign_l1_action

from venue_sim.signing import SignatureError, recover_l1_signer, recover_user_signed

ACTIONS = [
    {"type": "order", "orders": [{"a": 2, "b": False, "p": "151.23", "s": "3.5", "r": True,
                                  "t": {"trigger": {"isMarket": True, "triggerPx": "150", "tpsl": "sl"}},
                                  "c": "0x000000000000000000000000000000ff"}], "grouping": "na"},
    {"type": "cancel", "cancels": [{"a": 0, "o": 123456789}]},
    {"type": "cancelByCloid", "cancels": [{"asset": 1, "cloid": "0x0000000000000000000000000000abcd"}]},
    {"type": "updateLeverage", "asset": 0, "isCross": True, "leverage": 12},
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a["type"])
@pytest.mark.parametrize("vault", [None, "0x1111111111111111111111111111111111111111"])
@pytest.mark.parametrize("expires", [None, 1_900_000_000_000])
@pytest.mark.parametrize("mainnet", [False, True])
def test_recovers_sdk_signer(action: dict, vault: str | None, expires: int | None, mainnet: bool) -> None:
    wallet = eth_account.Account.create()
    nonce = 1_800_000_000_123
    signature = sign_l1_action(wallet, action, vault, nonce, expires, mainnet)
    signer, _ = recover_l1_signer(action, signature, vault, nonce, expires, mainnet)
    assert signer == wallet.address.lower()
    # Any change to what is hashed yields a different (unauthorised) address.
    assert recover_l1_signer(action, signature, vault, nonce + 1, expires, mainnet)[0] != signer
    assert recover_l1_signer(action, signature, vault, nonce, expires, not mainnet)[0] != signer


def test_key_order_matters_like_msgpack() -> None:
    wallet = eth_account.Account.create()
    action = ACTIONS[3]
    signature = sign_l1_action(wallet, action, None, 1, None, False)
    reordered = {k: action[k] for k in reversed(list(action))}
    assert recover_l1_signer(reordered, signature, None, 1, None, False)[0] != wallet.address.lower()


def test_approve_agent_user_signed() -> None:
    wallet = eth_account.Account.create()
    action = {"type": "approveAgent", "agentAddress": "0x2222222222222222222222222222222222222222",
              "agentName": "", "nonce": 1_800_000_000_000}
    signature = sign_agent(wallet, action, False)
    del action["agentName"]  # the SDK drops an empty name after signing
    assert recover_user_signed(action, signature, False) == wallet.address.lower()
    with pytest.raises(SignatureError):
        recover_user_signed(action, signature, True)  # signed for Testnet


def test_float_in_action_is_refused() -> None:
    from decimal import Decimal

    signature = {"r": "0x1", "s": "0x1", "v": 27}
    with pytest.raises(SignatureError):
        recover_l1_signer({"type": "order", "x": Decimal("1.5")}, signature, None, 1, None, False)
