"""The contracts one keeper serves, bound from a deployment file (`ape run deploy` writes it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3.contract import Contract

from keeper.chain.client import ChainClient
from vaultcraft.deploy import Deployment, VaultRecord

TRANSFER_TOPIC = "0x" + "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def _abi(deployment: Deployment, name: str) -> list[dict[str, Any]]:
    return list(json.loads(deployment.abi_path(name).read_text()))


@dataclass(frozen=True)
class VaultContracts:
    record: VaultRecord
    chain_id: int
    vault: Contract
    oracle: Contract
    trade_log: Contract
    registry: Contract
    token: Contract
    deployment_block: int

    @classmethod
    def bind(cls, client: ChainClient, deployment_file: Path, vault: str) -> VaultContracts:
        """Reads only the deployment file (no RPC), so a keeper starts even while its node is down."""
        deployment = Deployment.load(deployment_file)
        record = deployment.vault(vault)

        def at(address: str, name: str) -> Contract:
            return client.w3.eth.contract(
                address=client.w3.to_checksum_address(address), abi=_abi(deployment, name)
            )

        token = at(deployment.asset, "MockUSDC")
        return cls(
            record=record,
            chain_id=deployment.chain_id,
            vault=at(record.address, "Vault"),
            oracle=at(record.nav_oracle, "NavOracle"),
            trade_log=at(record.trade_log, "TradeLog"),
            registry=at(deployment.auditor_registry, "AuditorRegistry"),
            token=token,
            deployment_block=record.block,
        )

    @property
    def address(self) -> str:
        return str(self.vault.address)

    @property
    def is_private(self) -> bool:
        return self.record.is_private
