"""A titanoboa-backed `vaultcraft.verify.Chain` so the verify/audit commands run their real eth_call and
eth_getLogs paths against contracts deployed in boa's EVM (no node needed)."""

from __future__ import annotations

import boa
import pytest
from eth_utils import to_checksum_address

from tests.fixtures.boa_protocol import anchored, deploy_protocol
from vaultcraft import cli_audit, cli_verify
from vaultcraft.verify import ChainError


class BoaChain:
    """eth_chainId / eth_call / eth_getLogs over boa. Logs exist only for calls passed to `record`."""

    def __init__(self) -> None:
        self._logs: list[tuple[str, list[bytes], bytes]] = []
        self.urls: list[str] = []

    def __call__(self, url: str) -> BoaChain:  # stands in for Web3Chain(url)
        self.urls.append(url)
        return self

    def record(self, contract) -> None:
        """Keep the logs of the last call made through `contract` (as a node's log index would)."""
        for address, topics, data in contract._computation.get_log_entries():
            topic_bytes = [t.to_bytes(32, "big") for t in topics]
            self._logs.append((to_checksum_address(address), topic_bytes, bytes(data)))

    def chain_id(self) -> int:
        return boa.env.evm.patch.chain_id

    def call(self, to: str, data: bytes) -> bytes:
        computation = boa.env.execute_code(to_address=to, data=data, is_modifying=False)
        if computation.is_error:
            raise ChainError(f"eth_call to {to} reverted")
        return bytes(computation.output)

    def logs(self, address: str, from_block: int) -> list[tuple[list[bytes], bytes]]:
        wanted = to_checksum_address(address)
        return [(topics, data) for a, topics, data in self._logs if a == wanted]


@pytest.fixture
def boa_chain(monkeypatch) -> BoaChain:
    chain = BoaChain()
    monkeypatch.setattr(cli_verify, "chain_factory", chain)
    monkeypatch.setattr(cli_audit, "chain_factory", chain)
    return chain


@pytest.fixture(scope="module")
def base_private_protocol():
    return deploy_protocol(is_private=True)


@pytest.fixture
def private_protocol(base_private_protocol):
    yield from anchored(base_private_protocol)
