# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title VaultCraft Fee Module
@custom:contract-name fees
@license MIT
@author VaultCraft
@notice Fee configuration with hard caps and a notice delay, plus the pure
        money math a vault runs at settlement: management fee accrued per
        second on AUM, performance fee on price-per-share above a
        (hurdle-raised) high-water mark, entry/exit fees on gross amounts,
        conversion of fee assets into shares to mint, and the split of those
        shares between the manager and the protocol.
        Changes that cost holders more (a higher management, performance,
        entry, exit or protocol-share rate, or a LOWER hurdle) wait
        `notice_delay` seconds; changes in the holders' favour are immediate.
        The vault owns every access check: this module never looks at
        `msg.sender`.
        Supported input ranges (no overflow, tested): asset amounts, AUM,
        price-per-share and share supply below 2**128; rates below 2**16 bps;
        elapsed times below 2**64 seconds. All products go through snekmate's
        512-bit `_mul_div`, so only a result above 2**256 - 1 reverts
        ("math: mul_div overflow").
@custom:security Caps are enforced on every configuration write, so a
                 compromised manager key can charge at most the caps.
                 Holder-unfavourable changes cannot take effect before
                 `notice_delay` (>= 1 day), so holders can redeem first; a new
                 schedule restarts the clock, so a small announced increase
                 cannot be swapped for a larger one under the old timer.
                 Every rounding is in the holders' favour: periodic fees round
                 down, the hurdle bar rounds up, fees a single user pays on
                 their own flow round up, and fee shares round down.
@custom:kill None here: the vault's pause and shutdown decide when fees are
             charged; this module holds no funds.
"""


# @dev The `math` module is stateless (no storage), so it needs
# neither `uses` nor `initializes`, in this module or in the vault.
from snekmate.utils import math


# @dev Basis-point denominator: 10_000 bps = 100%.
BPS: public(constant(uint256)) = 10_000
# @dev Seconds in a (365-day) year, the period of the annual rates.
YEAR: public(constant(uint256)) = 365 * 86_400
# @dev Fixed-point scale of price-per-share values (18 decimals).
PPS_SCALE: public(constant(uint256)) = 10**18

# @dev Hard caps, in bps. Management and hurdle are per year.
MAX_MANAGEMENT_BPS: public(constant(uint256)) = 500
MAX_PERFORMANCE_BPS: public(constant(uint256)) = 5_000
MAX_HURDLE_BPS: public(constant(uint256)) = 2_000
MAX_ENTRY_BPS: public(constant(uint256)) = 200
MAX_EXIT_BPS: public(constant(uint256)) = 200
MAX_PROTOCOL_SHARE_BPS: public(constant(uint256)) = 3_000

# @dev Shortest notice a holder can be given before a fee increase: 1 day.
MIN_NOTICE_DELAY: public(constant(uint256)) = 86_400
# @dev Suggested notice for new vaults: 7 days.
DEFAULT_NOTICE_DELAY: public(constant(uint256)) = 7 * 86_400

# @dev Packing of a configuration word: six 16-bit rates, then the schedule time.
_RATES_MASK: constant(uint256) = 2**96 - 1
_WHEN_SHIFT: constant(uint256) = 96
_WHEN_MASK: constant(uint256) = (2**64 - 1) << 96


# @dev One full fee configuration, every rate in bps.
struct FeeConfig:
    management_bps: uint16
    performance_bps: uint16
    hurdle_bps: uint16
    entry_bps: uint16
    exit_bps: uint16
    protocol_share_bps: uint16


# @dev The configuration in force (six 16-bit rates, see `_pack`) and, in bits 96..159, when the
#      scheduled configuration may apply (0 = nothing scheduled). One word, so a settlement reads
#      its whole fee state with one storage access.
_current: uint256

# @dev The configuration scheduled to replace the one in force, packed like `_current`.
_pending: uint256

# @dev Seconds a holder-unfavourable change waits, at least `MIN_NOTICE_DELAY`.
notice_delay: public(uint256)


# @dev Emitted whenever `config` changes, with the new values.
event FeesUpdated:
    management_bps: uint16
    performance_bps: uint16
    hurdle_bps: uint16
    entry_bps: uint16
    exit_bps: uint16
    protocol_share_bps: uint16


# @dev Emitted when a configuration is scheduled, with the time it may apply.
event FeesScheduled:
    management_bps: uint16
    performance_bps: uint16
    hurdle_bps: uint16
    entry_bps: uint16
    exit_bps: uint16
    protocol_share_bps: uint16
    effective_at: uint256


# @dev Emitted when an existing schedule is dropped without being applied.
event FeesScheduleCancelled:
    pass


@deploy
def __init__(initial: FeeConfig, notice_delay: uint256):
    """
    @dev Sets the initial configuration (no notice: nobody holds shares yet)
         and the notice delay.
    @param initial The configuration in force from deployment, within caps.
    @param notice_delay Seconds increases wait, at least `MIN_NOTICE_DELAY`.
    """
    self._check_caps(initial)
    assert notice_delay >= MIN_NOTICE_DELAY, "fees: notice too short"
    self._current = self._pack(initial)
    self.notice_delay = notice_delay
    log FeesUpdated(
        management_bps=initial.management_bps,
        performance_bps=initial.performance_bps,
        hurdle_bps=initial.hurdle_bps,
        entry_bps=initial.entry_bps,
        exit_bps=initial.exit_bps,
        protocol_share_bps=initial.protocol_share_bps,
    )


@external
@view
def config() -> FeeConfig:
    """
    @notice The fee configuration in force.
    @return FeeConfig Rates in bps.
    """
    return self._config()


@external
@view
def pending() -> FeeConfig:
    """
    @notice The configuration scheduled to apply at `pending_effective_at` (all zero when none).
    @return FeeConfig Rates in bps.
    """
    return self._unpack(self._pending)


@external
@view
def pending_effective_at() -> uint256:
    """
    @notice When the scheduled configuration may apply; 0 when nothing is scheduled.
    @return uint256 Unix seconds.
    """
    return self._current >> _WHEN_SHIFT


@internal
@view
def _config() -> FeeConfig:
    return self._unpack(self._current)


@internal
@pure
def _pack(c: FeeConfig) -> uint256:
    return (
        convert(c.management_bps, uint256) | (convert(c.performance_bps, uint256) << 16)
        | (convert(c.hurdle_bps, uint256) << 32) | (convert(c.entry_bps, uint256) << 48)
        | (convert(c.exit_bps, uint256) << 64) | (convert(c.protocol_share_bps, uint256) << 80)
    )


@internal
@pure
def _unpack(word: uint256) -> FeeConfig:
    return FeeConfig(
        management_bps=convert(word & 65_535, uint16),
        performance_bps=convert((word >> 16) & 65_535, uint16),
        hurdle_bps=convert((word >> 32) & 65_535, uint16),
        entry_bps=convert((word >> 48) & 65_535, uint16),
        exit_bps=convert((word >> 64) & 65_535, uint16),
        protocol_share_bps=convert((word >> 80) & 65_535, uint16),
    )


@internal
def _set_fees(new: FeeConfig):
    """
    @dev Requests `new` as the fee configuration. A due schedule is applied
         first, so `new` is compared with what is really in force. Every
         component that moves in the holders' favour (or stays) takes effect
         now: the lower of old and new for the five rates, the higher for the
         hurdle. If any component moves against holders, the full `new` is
         scheduled for `block.timestamp + notice_delay`, replacing any earlier
         schedule; otherwise any earlier schedule is cancelled.
    @notice The caller (the vault) must check who may call this.
    @param new The requested configuration, within caps.
    """
    self._check_caps(new)
    self._apply_due()

    old: FeeConfig = self._config()
    # immediate = the holder-favourable side of (old, new), component-wise.
    immediate: FeeConfig = FeeConfig(
        management_bps=min(old.management_bps, new.management_bps),
        performance_bps=min(old.performance_bps, new.performance_bps),
        hurdle_bps=max(old.hurdle_bps, new.hurdle_bps),
        entry_bps=min(old.entry_bps, new.entry_bps),
        exit_bps=min(old.exit_bps, new.exit_bps),
        protocol_share_bps=min(old.protocol_share_bps, new.protocol_share_bps),
    )

    if not self._same(immediate, old):
        self._current = self._pack(immediate) | (self._current & _WHEN_MASK)
        log FeesUpdated(
            management_bps=immediate.management_bps,
            performance_bps=immediate.performance_bps,
            hurdle_bps=immediate.hurdle_bps,
            entry_bps=immediate.entry_bps,
            exit_bps=immediate.exit_bps,
            protocol_share_bps=immediate.protocol_share_bps,
        )

    if self._same(immediate, new):
        # Nothing in `new` costs holders more: drop any earlier schedule.
        self._cancel_schedule()
        return

    # effective_at = now + notice_delay; a new schedule restarts the clock.
    effective_at: uint256 = block.timestamp + self.notice_delay
    self._pending = self._pack(new)
    self._current = (self._current & _RATES_MASK) | (effective_at << _WHEN_SHIFT)
    log FeesScheduled(
        management_bps=new.management_bps,
        performance_bps=new.performance_bps,
        hurdle_bps=new.hurdle_bps,
        entry_bps=new.entry_bps,
        exit_bps=new.exit_bps,
        protocol_share_bps=new.protocol_share_bps,
        effective_at=effective_at,
    )


@internal
def _apply_due() -> bool:
    """
    @dev Puts the scheduled configuration in force once its notice has run
         out (`block.timestamp >= pending_effective_at`) and clears the
         schedule. Safe to call at every settlement.
    @return bool Whether a schedule was applied.
    """
    effective_at: uint256 = self._current >> _WHEN_SHIFT
    if effective_at == 0 or block.timestamp < effective_at:
        return False
    packed: uint256 = self._pending
    applied: FeeConfig = self._unpack(packed)
    self._current = packed
    self._pending = 0
    log FeesUpdated(
        management_bps=applied.management_bps,
        performance_bps=applied.performance_bps,
        hurdle_bps=applied.hurdle_bps,
        entry_bps=applied.entry_bps,
        exit_bps=applied.exit_bps,
        protocol_share_bps=applied.protocol_share_bps,
    )
    return True


@internal
def _cancel_schedule():
    """
    @dev Drops the scheduled configuration, if any, and emits
         `FeesScheduleCancelled`; does nothing when none is scheduled.
    """
    if self._current >> _WHEN_SHIFT == 0:
        return
    self._pending = 0
    self._current = self._current & _RATES_MASK
    log FeesScheduleCancelled()


@internal
@pure
def _management_fee(aum: uint256, rate_bps: uint256, elapsed: uint256) -> uint256:
    """
    @dev Management fee accrued over `elapsed` seconds.
         fee = aum * rate_bps * elapsed / (BPS * YEAR), rounded DOWN
         (charged to all holders, so the rounding is theirs).
         The fee exceeds `aum` only if rate_bps * elapsed > BPS * YEAR
         (20 years at the 5% cap); the vault settles far more often.
    @param aum Assets under management, in asset units.
    @param rate_bps Annual rate in bps.
    @param elapsed Seconds since the last accrual.
    @return uint256 The fee, in asset units.
    """
    return math._mul_div(aum, rate_bps * elapsed, BPS * YEAR, False)


@internal
@pure
def _hurdle_threshold(hwm_pps: uint256, hurdle_bps: uint256, elapsed: uint256) -> uint256:
    """
    @dev Price-per-share the vault must beat before a performance fee,
         with a simple (non-compounded) annual hurdle.
         threshold = hwm_pps * (BPS * YEAR + hurdle_bps * elapsed) / (BPS * YEAR),
         rounded UP (a higher bar favours holders).
    @param hwm_pps High-water mark, scaled by `PPS_SCALE`.
    @param hurdle_bps Annual hurdle rate in bps.
    @param elapsed Seconds since the high-water mark was set.
    @return uint256 The threshold, scaled by `PPS_SCALE`.
    """
    return math._mul_div(hwm_pps, BPS * YEAR + hurdle_bps * elapsed, BPS * YEAR, True)


@internal
@pure
def _performance_fee(
    pps: uint256, threshold_pps: uint256, supply: uint256, rate_bps: uint256
) -> uint256:
    """
    @dev Performance fee on the gain above the threshold.
         gain = (pps - threshold_pps) * supply / PPS_SCALE, rounded DOWN,
         or 0 when pps <= threshold_pps;
         fee = gain * rate_bps / BPS, rounded DOWN.
    @param pps Current price-per-share, scaled by `PPS_SCALE`.
    @param threshold_pps Bar to beat (see `_hurdle_threshold`).
    @param supply Share supply the gain is earned on.
    @param rate_bps Performance rate in bps.
    @return uint256 The fee, in asset units.
    """
    if pps <= threshold_pps:
        return 0
    # gain = (pps - threshold_pps) * supply / PPS_SCALE, rounded down.
    gain: uint256 = math._mul_div(pps - threshold_pps, supply, PPS_SCALE, False)
    # fee = gain * rate_bps / BPS, rounded down.
    return math._mul_div(gain, rate_bps, BPS, False)


@internal
@pure
def _fee_on_total(assets: uint256, rate_bps: uint256) -> uint256:
    """
    @dev Entry or exit fee taken out of a gross amount.
         fee = assets * rate_bps / BPS, rounded UP (the user whose flow it is
         pays the rounding, not the other holders).
    @param assets Gross amount, in asset units.
    @param rate_bps Entry or exit rate in bps.
    @return uint256 The fee, in asset units.
    """
    return math._mul_div(assets, rate_bps, BPS, True)


@internal
@pure
def _fee_shares(fee_assets: uint256, total_assets: uint256, supply: uint256) -> uint256:
    """
    @dev Shares to mint so that, after minting, the recipients own
         `fee_assets` of `total_assets` (which already includes the fee).
         shares = fee_assets * supply / (total_assets - fee_assets),
         rounded DOWN (fewer shares dilute holders less).
    @param fee_assets Fee to pay, in asset units.
    @param total_assets Total assets of the vault, fee included.
    @param supply Share supply before minting.
    @return uint256 The shares to mint; 0 when `fee_assets` is 0.
    """
    if fee_assets == 0:
        return 0
    assert fee_assets < total_assets, "fees: fee exceeds assets"
    return math._mul_div(fee_assets, supply, total_assets - fee_assets, False)


@internal
@pure
def _split(fee_shares: uint256, protocol_share_bps: uint256) -> (uint256, uint256):
    """
    @dev Splits minted fee shares between the manager and the protocol.
         protocol = fee_shares * protocol_share_bps / BPS, rounded DOWN;
         manager = fee_shares - protocol (the manager gets the remainder).
    @param fee_shares Fee shares to split.
    @param protocol_share_bps Protocol's part in bps, at most `BPS`.
    @return uint256 The manager's shares.
    @return uint256 The protocol's shares.
    """
    assert protocol_share_bps <= BPS, "fees: split above 100%"
    protocol: uint256 = math._mul_div(fee_shares, protocol_share_bps, BPS, False)
    return (fee_shares - protocol, protocol)


@internal
@pure
def _check_caps(c: FeeConfig):
    """
    @dev Reverts with "fees: above cap" if any component exceeds its cap.
    @param c The configuration to check.
    """
    assert convert(c.management_bps, uint256) <= MAX_MANAGEMENT_BPS, "fees: above cap"
    assert convert(c.performance_bps, uint256) <= MAX_PERFORMANCE_BPS, "fees: above cap"
    assert convert(c.hurdle_bps, uint256) <= MAX_HURDLE_BPS, "fees: above cap"
    assert convert(c.entry_bps, uint256) <= MAX_ENTRY_BPS, "fees: above cap"
    assert convert(c.exit_bps, uint256) <= MAX_EXIT_BPS, "fees: above cap"
    assert convert(c.protocol_share_bps, uint256) <= MAX_PROTOCOL_SHARE_BPS, "fees: above cap"


@internal
@pure
def _same(a: FeeConfig, b: FeeConfig) -> bool:
    """
    @dev Component-wise equality (Vyper cannot compare structs with `==`).
    @param a The first configuration.
    @param b The second configuration.
    @return bool Whether every component is equal.
    """
    return (
        a.management_bps == b.management_bps
        and a.performance_bps == b.performance_bps
        and a.hurdle_bps == b.hurdle_bps
        and a.entry_bps == b.entry_bps
        and a.exit_bps == b.exit_bps
        and a.protocol_share_bps == b.protocol_share_bps
    )
