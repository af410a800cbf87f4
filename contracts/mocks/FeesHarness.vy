# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title FeesHarness
@license MIT
@author VaultCraft
@notice TEST ONLY. Deploys the `fees` module on its own and exposes each of
        its internal functions through an external wrapper, with no access
        control, so unit and property tests can drive it directly.
@custom:security Anyone can change the fee configuration: never deploy
                 outside a test environment.
@custom:kill None: a test harness has nothing to stop.
"""

from ..modules import fees

initializes: fees

exports: (
    fees.config,
    fees.pending,
    fees.pending_effective_at,
    fees.notice_delay,
    fees.BPS,
    fees.YEAR,
    fees.PPS_SCALE,
    fees.MAX_MANAGEMENT_BPS,
    fees.MAX_PERFORMANCE_BPS,
    fees.MAX_HURDLE_BPS,
    fees.MAX_ENTRY_BPS,
    fees.MAX_EXIT_BPS,
    fees.MAX_PROTOCOL_SHARE_BPS,
    fees.MIN_NOTICE_DELAY,
    fees.DEFAULT_NOTICE_DELAY,
)


@deploy
def __init__(initial: fees.FeeConfig, notice_delay: uint256):
    """
    @dev Initialises the `fees` module.
    @param initial The initial fee configuration.
    @param notice_delay Seconds increases wait.
    """
    fees.__init__(initial, notice_delay)


@external
def set_fees(new: fees.FeeConfig):
    """
    @notice Wraps `fees._set_fees`.
    @param new The requested configuration.
    """
    fees._set_fees(new)


@external
def apply_due() -> bool:
    """
    @notice Wraps `fees._apply_due`.
    @return bool Whether a schedule was applied.
    """
    return fees._apply_due()


@external
def cancel_schedule():
    """
    @notice Wraps `fees._cancel_schedule`.
    """
    fees._cancel_schedule()


@external
@pure
def management_fee(aum: uint256, rate_bps: uint256, elapsed: uint256) -> uint256:
    """
    @notice Wraps `fees._management_fee`.
    """
    return fees._management_fee(aum, rate_bps, elapsed)


@external
@pure
def hurdle_threshold(hwm_pps: uint256, hurdle_bps: uint256, elapsed: uint256) -> uint256:
    """
    @notice Wraps `fees._hurdle_threshold`.
    """
    return fees._hurdle_threshold(hwm_pps, hurdle_bps, elapsed)


@external
@pure
def performance_fee(
    pps: uint256, threshold_pps: uint256, supply: uint256, rate_bps: uint256
) -> uint256:
    """
    @notice Wraps `fees._performance_fee`.
    """
    return fees._performance_fee(pps, threshold_pps, supply, rate_bps)


@external
@pure
def fee_on_total(assets: uint256, rate_bps: uint256) -> uint256:
    """
    @notice Wraps `fees._fee_on_total`.
    """
    return fees._fee_on_total(assets, rate_bps)


@external
@pure
def fee_shares(fee_assets: uint256, total_assets: uint256, supply: uint256) -> uint256:
    """
    @notice Wraps `fees._fee_shares`.
    """
    return fees._fee_shares(fee_assets, total_assets, supply)


@external
@pure
def split(fee_shares: uint256, protocol_share_bps: uint256) -> (uint256, uint256):
    """
    @notice Wraps `fees._split`.
    """
    return fees._split(fee_shares, protocol_share_bps)
