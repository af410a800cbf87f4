"""VaultCraft quant API client example: API key header, an EIP-712 signed risk-template update, an order.

Dependencies: httpx, eth-account, eth-utils (all in requirements.lock). Settings from the environment:

    VAULTCRAFT_API_URL      e.g. http://127.0.0.1:8000
    VAULTCRAFT_API_KEY      vc_<id>_<secret>, scopes `risk` and `trade`, bound to the vault (or `admin`)
    VAULTCRAFT_CHAIN_ID     the chain id the API is configured with (VAULTCRAFT_API_CHAIN_ID)
    VAULTCRAFT_VAULT        the vault address
    MANAGER_PRIVATE_KEY     the key of the vault's on-chain manager (or admin): signs the risk template

Run: python docs/api/examples/quant_client.py
"""

from __future__ import annotations

import json
import os
import secrets
import time
from decimal import Decimal
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

DOMAIN = {"name": "VaultCraft API", "version": "1"}  # + chainId; no verifyingContract
ACTION_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
    ],
    "Action": [
        {"name": "vault", "type": "address"},
        {"name": "action", "type": "string"},
        {"name": "params_hash", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
    ],
}


def canonical_json(obj: Any) -> bytes:
    """What the server hashes: UTF-8, keys sorted, no spaces, no floats (money as decimal strings)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def decimal_str(value: str) -> str:
    """The server's normal form of a decimal string: "1000.50" -> "1000.5", "2.5E+5" never appears."""
    return format(Decimal(value).normalize(), "f")


def canonical_template(t: dict[str, Any]) -> dict[str, Any]:
    """Mirror of api.trading.schemas.RiskTemplateIn.canonical(): the exact object that is signed."""
    return {
        "allowed_instruments": sorted(t["allowed_instruments"]),
        "max_position_notional": decimal_str(t["max_position_notional"]),
        "max_order_notional": decimal_str(t["max_order_notional"]),
        "max_leverage": int(t["max_leverage"]),
        "max_slippage_bps": int(t["max_slippage_bps"]),
    }


def sign_action(private_key: str, chain_id: int, vault: str, action: str, params: dict[str, Any],
                ttl_s: int = 300) -> dict[str, Any]:
    """The `signed` envelope: Action(vault, action, params_hash, nonce, expiry) under the API's domain."""
    params_hash = keccak(canonical_json(params))
    nonce = secrets.randbits(64)                 # single use per (chain, signer)
    expiry = int(time.time()) + ttl_s            # at most VAULTCRAFT_API_SIGNED_ACTION_MAX_TTL_S (600) ahead
    typed = {
        "types": ACTION_TYPES,
        "primaryType": "Action",
        "domain": {**DOMAIN, "chainId": chain_id},
        "message": {"vault": to_checksum_address(vault), "action": action, "params_hash": params_hash,
                    "nonce": nonce, "expiry": expiry},
    }
    signature = Account.sign_message(encode_typed_data(full_message=typed), private_key).signature
    return {"vault": to_checksum_address(vault), "action": action, "params_hash": "0x" + params_hash.hex(),
            "nonce": nonce, "expiry": expiry, "signature": "0x" + bytes(signature).hex()}


def put_risk_template(client: httpx.Client, api_key: str, manager_key: str, chain_id: int, vault: str,
                      template: dict[str, Any]) -> dict[str, Any]:
    """Create or replace the vault's risk template (optimistic concurrency on the version)."""
    vault = to_checksum_address(vault)
    headers = {"Authorization": f"Bearer {api_key}"}
    current = client.get(f"/v1/vaults/{vault}/risk", headers=headers)
    version = int(current.json()["version"]) if current.status_code == 200 else 0  # 404: none yet
    params = {"vault": vault, "template": canonical_template(template), "expected_version": version}
    signed = sign_action(manager_key, chain_id, vault, "risk.template.set", params)
    body = {"template": template, "signed": signed}
    if version:
        headers["If-Match"] = f'"{version}"'      # absent = create only; a stale version is 409
    response = client.put(f"/v1/vaults/{vault}/risk", json=body, headers=headers)
    response.raise_for_status()
    return response.json()


def place_order(client: httpx.Client, api_key: str, vault: str, order: dict[str, Any],
                draft: bool = False) -> dict[str, Any]:
    """POST an order (API key with `trade`; no EIP-712 signature - the server signs for the venue)."""
    path = f"/v1/vaults/{to_checksum_address(vault)}/orders" + ("/drafts" if draft else "")
    response = client.post(path, json=order, headers={"X-API-Key": api_key})
    if response.status_code >= 400:   # errors are {code, message, details}; details.reason is stable
        raise RuntimeError(f"{response.status_code} {response.json()}")
    return response.json()


def main() -> None:
    env = os.environ
    vault, key, chain_id = env["VAULTCRAFT_VAULT"], env["VAULTCRAFT_API_KEY"], int(env["VAULTCRAFT_CHAIN_ID"])
    with httpx.Client(base_url=env.get("VAULTCRAFT_API_URL", "http://127.0.0.1:8000"), timeout=10) as client:
        template = {"allowed_instruments": ["ETH", "BTC"], "max_position_notional": "250000",
                    "max_order_notional": "50000", "max_leverage": 5, "max_slippage_bps": 100}
        print(put_risk_template(client, key, env["MANAGER_PRIVATE_KEY"], chain_id, vault, template))
        order = {"coin": "ETH", "side": "buy", "size": "0.1", "type": "market", "slippage_preset": "normal"}
        print(place_order(client, key, vault, order, draft=True))   # what would be sent, nothing sent
        print(place_order(client, key, vault, order))               # 201: oid, status, filled_size, avg_px


if __name__ == "__main__":
    main()
