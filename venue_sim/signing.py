"""Signature verification for exchange actions, written from the venue's published signing scheme.

L1 actions (order, cancel, updateLeverage, ...):
    connectionId = keccak(msgpack(action) || nonce:u64be || vault flag [|| vault:20B]
                          [|| 0x00 || expiresAfter:u64be])
    EIP-712 domain {name "Exchange", version "1", chainId 1337, verifyingContract 0x0},
    message Agent{source: "a" mainnet | "b" otherwise, connectionId: bytes32}
User-signed actions (approveAgent): EIP-712 domain "HyperliquidSignTransaction" on the chain given in
    `signatureChainId`, primary type "HyperliquidTransaction:<Name>", fields listed per action.

The action must be hashed exactly as received: JSON key order is preserved by `json.loads`, and msgpack
of the decoded dict reproduces the client's bytes because the SDK never puts floats in L1 actions
(prices and sizes are strings). A Decimal here means the client sent a JSON float: refused.
"""

from __future__ import annotations

from typing import Any

import msgpack
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

_ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
_EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

# User-signed action types the simulator understands: action type -> (primary type, fields).
USER_SIGNED_TYPES: dict[str, tuple[str, list[dict[str, str]]]] = {
    "approveAgent": (
        "HyperliquidTransaction:ApproveAgent",
        [
            {"name": "hyperliquidChain", "type": "string"},
            {"name": "agentAddress", "type": "address"},
            {"name": "agentName", "type": "string"},
            {"name": "nonce", "type": "uint64"},
        ],
    ),
}


class SignatureError(ValueError):
    pass


def _reject_decimals(_value: Any) -> Any:
    raise SignatureError("actions must not contain non-integer JSON numbers")


def l1_action_hash(action: Any, vault_address: str | None, nonce: int, expires_after: int | None) -> bytes:
    try:
        data = msgpack.packb(action, default=_reject_decimals)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SignatureError(f"cannot encode action: {exc}") from exc
    data += nonce.to_bytes(8, "big")
    if vault_address is None:
        data += b"\x00"
    else:
        data += b"\x01" + _address_bytes(vault_address)
    if expires_after is not None:
        data += b"\x00" + expires_after.to_bytes(8, "big")
    return keccak(data)


def _address_bytes(address: str) -> bytes:
    body = address[2:] if address.startswith("0x") else address
    try:
        raw = bytes.fromhex(body)
    except ValueError as exc:
        raise SignatureError(f"invalid address {address!r}") from exc
    if len(raw) != 20:
        raise SignatureError(f"invalid address {address!r}")
    return raw


def _vrs(signature: Any) -> tuple[int, int, int]:
    if not isinstance(signature, dict):
        raise SignatureError("signature must be an object {r, s, v}")
    try:
        r = int(signature["r"], 16)
        s = int(signature["s"], 16)
        v = signature["v"]
    except (KeyError, TypeError, ValueError) as exc:
        raise SignatureError("signature must have hex r, s and integer v") from exc
    if isinstance(v, bool) or not isinstance(v, int) or v not in (0, 1, 27, 28):
        raise SignatureError("signature v must be 27 or 28")
    return v, r, s


def _recover(typed_data: dict[str, Any], signature: Any) -> str:
    v, r, s = _vrs(signature)
    try:
        signable = encode_typed_data(full_message=typed_data)
        return str(Account.recover_message(signable, vrs=(v, r, s))).lower()
    except Exception as exc:  # eth_keys raises several types for malformed signatures
        raise SignatureError(f"invalid signature: {exc}") from exc


def recover_l1_signer(
    action: Any,
    signature: Any,
    vault_address: str | None,
    nonce: int,
    expires_after: int | None,
    mainnet: bool,
) -> tuple[str, bytes]:
    """Return (lower-case signer address, connectionId). Any well-formed signature recovers *some*
    address; whether it is authorised is the caller's decision, as on the venue."""
    connection_id = l1_action_hash(action, vault_address, nonce, expires_after)
    typed = {
        "domain": {"chainId": 1337, "name": "Exchange", "verifyingContract": _ZERO_ADDRESS, "version": "1"},
        "types": {
            "Agent": [{"name": "source", "type": "string"}, {"name": "connectionId", "type": "bytes32"}],
            "EIP712Domain": _EIP712_DOMAIN,
        },
        "primaryType": "Agent",
        "message": {"source": "a" if mainnet else "b", "connectionId": connection_id},
    }
    return _recover(typed, signature), connection_id


def recover_user_signed(action: dict[str, Any], signature: Any, mainnet: bool) -> str:
    kind = action.get("type")
    if kind not in USER_SIGNED_TYPES:
        raise SignatureError(f"unsupported user-signed action {kind!r}")
    primary, fields = USER_SIGNED_TYPES[kind]
    chain = "Mainnet" if mainnet else "Testnet"
    if action.get("hyperliquidChain") != chain:
        raise SignatureError(f"hyperliquidChain must be {chain!r}")
    try:
        chain_id = int(str(action["signatureChainId"]), 16)
    except (KeyError, ValueError) as exc:
        raise SignatureError("signatureChainId must be a hex chain id") from exc
    message = dict(action)
    # The SDK signs agentName "" and then drops the key from the posted action when the agent is unnamed.
    if kind == "approveAgent":
        message.setdefault("agentName", "")
    missing = [f["name"] for f in fields if f["name"] not in message]
    if missing:
        raise SignatureError(f"action is missing signed fields {missing}")
    typed = {
        "domain": {
            "name": "HyperliquidSignTransaction",
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": _ZERO_ADDRESS,
        },
        "types": {primary: fields, "EIP712Domain": _EIP712_DOMAIN},
        "primaryType": primary,
        "message": {f["name"]: message[f["name"]] for f in fields},
    }
    return _recover(typed, signature)

