"""Assets in transit: the vault asset held on-chain by the vault's custody accounts.

Capital leaves the vault to a whitelisted custody account before the venue credits it, and comes back through
it; while it sits there it is neither idle in the vault nor in the venue's account value. The custody set is
read from the vault's own `CustodySet` events, so nothing needs configuring.
"""

from __future__ import annotations

from keeper.chain.client import ChainClient
from keeper.chain.contracts import VaultContracts


def custody_accounts(client: ChainClient, contracts: VaultContracts, block: int) -> list[str]:
    events = client.rpc(contracts.vault.events.CustodySet.get_logs, from_block=contracts.deployment_block,
                        to_block=block)
    enabled: dict[str, bool] = {}
    for event in sorted(events, key=lambda e: (e["blockNumber"], e["logIndex"])):
        enabled[event["args"]["custody"]] = bool(event["args"]["enabled"])
    return sorted(address for address, on in enabled.items() if on)


def custody_balance(client: ChainClient, contracts: VaultContracts, block: int) -> int:
    """Sum of the asset's balances of every enabled custody account at `block` (asset units)."""
    token = contracts.token.functions
    accounts = custody_accounts(client, contracts, block)
    return sum(int(client.call(token.balanceOf(a), block)) for a in accounts)
