# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title MockUSDC
@license MIT
@author VaultCraft
@notice A 6-decimal ERC-20 with a rate-limited public faucet. LOCAL AND TEST NETWORKS ONLY:
        anyone can mint up to `FAUCET_LIMIT` per call.
@custom:security Not a real stablecoin; never deploy outside a local or test network.
@custom:kill None: a test token has nothing to stop.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

exports: (
    erc20.IERC20,
    erc20.IERC20Detailed,
    erc20.DOMAIN_SEPARATOR,
    erc20.nonces,
    erc20.permit,
)

# @dev The most one faucet call mints (1e12 units: 1,000,000 tokens at 6 decimals).
FAUCET_LIMIT: public(constant(uint256)) = 10**30


@deploy
def __init__(decimals_: uint8):
    """
    @dev Names the token "Mock USD Coin" (mUSDC). 6 decimals like USDC; tests also use 18.
    """
    ownable.__init__()
    erc20.__init__("Mock USD Coin", "mUSDC", decimals_, "Mock USD Coin", "1")


@external
def faucet(receiver: address, amount: uint256):
    """
    @notice Mints `amount` test tokens to `receiver`.
    @param receiver The account credited.
    @param amount The amount in token units, at most `FAUCET_LIMIT`.
    """
    assert amount <= FAUCET_LIMIT, "mock_usdc: above faucet limit"
    erc20._mint(receiver, amount)
