"""The vaults this API serves: the deployment file (`deployments/<network>.json`, `vaultcraft.deploy`)
and the contract ABIs it lists. Unknown vaults are refused before any query runs (404 `vault_not_found`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from api.errors import ErrorCode, NotFound
from vaultcraft.deploy import ZERO_ADDRESS, DeployConfigError, Deployment, VaultRecord


@dataclass
class VaultRegistry:
    deployment: Deployment | None
    abis: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # vault address (lower case) -> venue accounts whose fills/positions belong to it (public vaults)
    venue_accounts: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        vaults = self.deployment.vaults if self.deployment else []
        self._by_address = {v.address.lower(): v for v in vaults}
        self.venue_accounts = {k.lower(): list(v) for k, v in self.venue_accounts.items()}

    @classmethod
    def load(cls, path: str | Path, venue_accounts: dict[str, list[str]] | None = None) -> VaultRegistry:
        path = Path(path)
        deployment = Deployment.load(path)
        return cls(deployment, load_abis(deployment, path), venue_accounts or {})

    @classmethod
    def empty(cls) -> VaultRegistry:
        return cls(None)

    @property
    def vaults(self) -> list[VaultRecord]:
        return list(self._by_address.values())

    def known(self, address: str) -> bool:
        return address.lower() in self._by_address

    def get(self, address: str) -> VaultRecord:
        record = self._by_address.get(address.lower())  # any case: the route pattern checked the format
        if record is None:
            raise NotFound("unknown vault", code=ErrorCode.VAULT_NOT_FOUND, details={"vault": address})
        return record

    def accounts_of(self, address: str) -> list[str]:
        return self.venue_accounts.get(address.lower(), [])

    def singleton(self, name: str) -> str | None:
        """`auditor_registry` / `proof_verifier` address, or None when not deployed."""
        value = getattr(self.deployment, name, None) if self.deployment else None
        if not value or value.lower() == ZERO_ADDRESS:
            return None
        return to_checksum_address(value)


def load_abis(deployment: Deployment, deployment_file: Path) -> dict[str, list[dict[str, Any]]]:
    """Every ABI the deployment names that can be found (`Deployment.abi_path`); missing ones are skipped."""
    located = replace(deployment, source=deployment_file)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in deployment.abi:
        try:
            out[name] = json.loads(located.abi_path(name).read_text())
        except DeployConfigError:
            continue
    return out
