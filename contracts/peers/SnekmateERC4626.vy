# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title SnekmateERC4626: a plain snekmate ERC-4626 vault, the gas benchmark's peer
@license MIT
@author VaultCraft
@notice BENCHMARK PEER ONLY, never deployed by `ape run deploy`. snekmate's own `erc4626` module with
        decimals offset 0, deployed next to VaultCraft's vault on the same Anvil and the same token,
        so `make bench-gas` prints the peer's figures beside ours instead of quoting them.
@custom:security Not part of the product.
"""

from ethereum.ercs import IERC20
from snekmate.extensions import erc4626

initializes: erc4626

exports: erc4626.__interface__


@deploy
def __init__(asset_: IERC20):
    """
    @dev Name and symbol are fixed; the offset is 0, as in VaultCraft's vault.
    """
    erc4626.__init__("snekmate peer", "PEER", asset_, 0, "snekmate peer", "1")
