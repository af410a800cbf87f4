"""The demo's HTTP clients of the API, as a quant desk, an investor and an auditor would use it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import to_checksum_address

from api.auth.signed import sign_action
from api.trading.schemas import RiskTemplateIn


class ApiCallFailed(RuntimeError):
    """An API call did not answer as expected; the message has the route, status and error body."""


@dataclass
class ApiClient:
    base_url: str
    chain_id: int
    api_key: str | None = None
    nonce: int = field(default_factory=lambda: time.time_ns())
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url, timeout=30)

    def _headers(self, token: str | None = None) -> dict[str, str]:
        bearer = token or self.api_key
        return {"Authorization": f"Bearer {bearer}"} if bearer else {}

    def _check(self, response: httpx.Response, *ok: int) -> Any:
        if response.status_code not in (ok or (200,)):
            raise ApiCallFailed(
                f"{response.request.method} {response.request.url.path}: "
                f"{response.status_code} {response.text[:500]}"
            )
        return response.json()

    # --- manager / quant desk -----------------------------------------------------------------------------

    def set_risk(self, vault: str, template: dict[str, Any], manager_key: str) -> Any:
        """Replace the vault's risk template: a `risk` key plus an EIP-712 action by the on-chain manager."""
        self.nonce += 1
        params = {
            "vault": to_checksum_address(vault),
            "template": RiskTemplateIn.model_validate(template).canonical(),
            "expected_version": 0,
        }
        signed = sign_action(
            manager_key,
            chain_id=self.chain_id,
            vault=vault,
            action="risk.template.set",
            params=params,
            nonce=self.nonce,
            expiry=int(time.time()) + 300,
        )
        response = self.http.put(
            f"/v1/vaults/{vault}/risk",
            headers=self._headers(),
            json={"template": template, "signed": signed.model_dump()},
        )
        return self._check(response, 200, 201)

    def place_market(self, vault: str, coin: str, side: str, size: str) -> Any:
        body = {"coin": coin, "side": side, "size": size, "type": "market", "slippage_preset": "wide"}
        return self._check(
            self.http.post(f"/v1/vaults/{vault}/orders", headers=self._headers(), json=body), 201
        )

    # --- investor -----------------------------------------------------------------------------------------

    def login(self, private_key: str) -> str:
        account = Account.from_key(private_key)
        message = self._check(self.http.get("/v1/auth/challenge", params={"address": account.address}))[
            "message"
        ]
        signature = "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()
        return str(
            self._check(self.http.post("/v1/auth/login", json={"message": message, "signature": signature}))[
                "token"
            ]
        )

    def statement(self, vault: str, holder: str, token: str) -> Any:
        return self._check(
            self.http.get(f"/v1/vaults/{vault}/statements/{holder}", headers=self._headers(token))
        )

    # --- auditor ------------------------------------------------------------------------------------------

    def _pages(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = self._check(self.http.get(path, params=params, headers=self._headers()))
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    def audit_records(self, vault: str) -> list[dict[str, Any]]:
        return self._pages(f"/v1/vaults/{vault}/audit/records")

    def key_wraps(self, vault: str) -> list[dict[str, Any]]:
        return self._pages(f"/v1/vaults/{vault}/audit/key-wraps")

    def status(self) -> Any:
        return self._check(self.http.get("/v1/status"))
