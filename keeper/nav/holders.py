"""Share balances at a block, rebuilt from the vault's Transfer events (the holder tree's input)."""

from __future__ import annotations

from collections import defaultdict

from keeper.chain.client import ChainClient
from keeper.chain.contracts import VaultContracts

ZERO = "0x0000000000000000000000000000000000000000"
LOG_RANGE = 10_000  # blocks per eth_getLogs request (public nodes cap ranges)


class HolderSumMismatch(RuntimeError):
    """Balances from the events do not add up to totalSupply at the same block."""


def holder_balances(client: ChainClient, contracts: VaultContracts, block: int) -> dict[str, int]:
    balances: dict[str, int] = defaultdict(int)
    transfer = contracts.vault.events.Transfer
    start = contracts.deployment_block
    while start <= block:
        end = min(start + LOG_RANGE - 1, block)
        logs = client.rpc(transfer.get_logs, from_block=start, to_block=end)
        for entry in logs:
            args = entry["args"]
            value = int(args["value"])
            sender, receiver = args["sender"], args["receiver"]
            if sender != ZERO:
                balances[sender] -= value
            if receiver != ZERO:
                balances[receiver] += value
        start = end + 1
    supply = int(client.call(contracts.vault.functions.totalSupply(), block))
    held = {holder: amount for holder, amount in balances.items() if amount != 0}
    if sum(held.values()) != supply or any(v < 0 for v in held.values()):
        raise HolderSumMismatch(
            f"balances from Transfer events sum to {sum(held.values())}, supply is {supply}"
        )
    return held
