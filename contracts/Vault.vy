# pragma version ~=0.4.3
# pragma nonreentrancy on
# pragma experimental-codegen
# pragma optimize codesize
"""
@title VaultCraft Vault
@license MIT
@author VaultCraft
@notice One vault per strategy. Investors queue deposits and redemptions into the open epoch
        (ERC-7540 style); a NAV report signed by k-of-n keepers closes the epoch, charges fees
        and settles every request of the epoch at one price with O(1) gas: the vault stores
        per-epoch totals and each controller claims its pro-rata part later. A manager trades
        the capital off-chain and can move idle assets only to whitelisted custody accounts.
        NAV epochs live in this contract rather than a separate one so settlement reads and
        writes supply, idle assets and request totals without external calls (gas, and one
        place where the accounting invariants hold).
@custom:security - Inflation / donation: total assets are internal accounting (idle + reported
                   external + in-flight), never `balanceOf(self)`; conversions add one virtual
                   share and one virtual asset.
                 - Stale or manipulated NAV: k-of-n EIP-712 keeper signatures, minimum delay,
                   maximum staleness, per-update and windowed price-per-share bounds; a report
                   outside them is quarantined until the guardian accepts or rejects it.
                 - Rounding: every conversion names its direction and rounds in the vault's favour.
                 - Capital flight: the manager can send idle assets only to custody accounts the
                   admin whitelisted, never anywhere else.
@custom:build Compiled with Venom and `optimize codesize`: the legacy pipeline emits 30.1 kB
              (31.3 kB without codesize), over the EIP-170 limit of 24,576 bytes; Venom emits
              23.7 kB. The whole suite runs against this build.
@custom:kill The guardian pauses (admin unpauses); the admin can shut the vault down for good,
             after which only redemptions, cancellations and capital returns remain.
"""

from ethereum.ercs import IERC20
from ethereum.ercs import IERC20Detailed

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import math

from .modules import shares
from .modules import fees

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: shares

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    shares.name,
    shares.symbol,
    shares.decimals,
    shares.totalSupply,
    shares.balanceOf,
    shares.allowance,
    shares.approve,
    shares.lock_of,
    shares.free_balance_of,
)

implements: IERC20

# @dev Basis points denominator.
BPS: constant(uint256) = 10_000
# @dev Fixed-point scale of `share_price`.
PPS_SCALE: constant(uint256) = 10**18
# @dev Virtual shares and assets (decimals offset 0): enough because donations never count.
VIRTUAL_SHARES: constant(uint256) = 1
VIRTUAL_ASSETS: constant(uint256) = 1
MAX_KEEPERS: constant(uint256) = 16
MAX_LOCKUP: constant(uint256) = 365 * 86_400
DEFAULT_LOCKUP: constant(uint256) = 86_400
DEFAULT_MIN_MANAGER_BPS: constant(uint256) = 500
_U128: constant(uint256) = 2**128 - 1
_PAUSED: constant(uint256) = 1
_SHUT_DOWN: constant(uint256) = 2
_QUARANTINED: constant(uint256) = 4
# Set while a custody transfer happened that the last accepted report has not seen: only then do
# total assets need the custody counters (two cold reads saved on every deposit otherwise).
_UNSEEN_CUSTODY: constant(uint256) = 8
_U120: constant(uint256) = (1 << 120) - 1
_FEE_SHARES_SENTINEL: constant(uint256) = 1 << 255
# `_flags` fields (see its comment); 40-bit counters and clock outlast any chain (2**40 reports, year 36812).
_LOCKUP_SHIFT: constant(uint256) = 8
_EPOCH_SHIFT: constant(uint256) = 40
_BATCH_SHIFT: constant(uint256) = 80
_FEE_AT_SHIFT: constant(uint256) = 120
_TERMS_SHIFT: constant(uint256) = 160
# `_limits` fields: deposit cap | pending deposits | sync max age.
_PENDING_SHIFT: constant(uint256) = 112
_MAX_AGE_SHIFT: constant(uint256) = 224
_U32: constant(uint256) = 2**32 - 1
_U40: constant(uint256) = 2**40 - 1
_U112: constant(uint256) = 2**112 - 1



flag Role:
    MANAGER
    GUARDIAN
    FEE_RECIPIENT
    PROTOCOL_FEE_RECIPIENT
    WHITELIST_MANAGER


struct VaultInit:
    asset: address
    name: String[64]
    symbol: String[32]
    admin: address
    manager: address
    guardian: address
    fee_recipient: address
    protocol_fee_recipient: address
    whitelist_manager: address
    keepers: DynArray[address, MAX_KEEPERS]
    quorum: uint256
    nav_oracle_blueprint: address
    is_private: bool
    deposit_cap: uint256
    fees: fees.FeeConfig


# @dev The ERC-20 the vault is denominated in.
asset: public(immutable(address))
# @dev Private vaults whitelist depositors and share receivers.
is_private: public(immutable(bool))

# @dev Role holders.
manager: public(address)
guardian: public(address)
fee_recipient: public(address)
protocol_fee_recipient: public(address)
whitelist_manager: public(address)
# @dev Venue custody accounts the manager may send capital to.
is_custody: public(HashMap[address, bool])
# @dev Private-vault whitelist (kept by the whitelist manager, e.g. the InviteGate).
whitelisted: public(HashMap[address, bool])
# @dev ERC-7540 operators: controller => operator => approved.
isOperator: public(HashMap[address, HashMap[address, bool]])

# @dev Limits: deposit cap (assets), lockup (s), manager skin-in-the-game (bps of supply),
#      maximum NAV age for the synchronous path (s, 0 = off). The two public values are what the
#      admin set; the request and sync paths read `_limits` instead.
deposit_cap: public(uint256)
min_manager_bps: public(uint256)
sync_max_age: public(uint256)
# @dev Bits 0..111: deposit cap in force = min(deposit_cap, 2**112 - 1); bits 112..223: assets
#      requested for deposit in the open epoch (every increase is checked against the cap in force,
#      so the field cannot overflow, even if the admin lowers the cap below it later);
#      bits 224..255: sync max age, saturated (2**32 - 1 s outlasts any NAV). One storage read serves
#      every deposit's cap check. An unbounded vault thus takes deposits up to 2**112 - 1 units in
#      total (5e15 tokens of 18 decimals, 5e27 of 6), far beyond any token's supply.
_limits: uint256

# @dev idle (low 128 bits): assets owned by shareholders and sitting in the vault (excludes
#      pending deposits, unclaimed redemptions and accrued fees) | external (high 128 bits):
#      custody valuation from the last accepted report. Paired because `totalAssets` needs both.
_assets: uint256
# @dev Cumulative assets sent to custody (low) | cumulative assets returned from custody (high).
_custody: uint256
# @dev The same two counters as the last accepted report saw them. Equal to `_custody` while the
#      unseen-custody flag is clear, so settlement and total assets need not read `_custody` then.
_custody_seen: uint256
# @dev Bits 0..7: paused, shut down, report quarantined, custody transfer unseen; bits 8..39: lockup
#      (seconds); bits 40..79: open deposit epoch; bits 80..119: open redemption batch; bits
#      120..159: last settlement (= last management-fee accrual, the sync path's NAV age); bits
#      160..255: fee rates in force here, packed as in fees.vy (the NAV oracle governs them, with a
#      notice delay for increases, and pushes every change with `set_fee_terms`). Every request,
#      claim and settlement needs several of these, so they share one word.
_flags: uint256
# @dev Shares escrowed for redemption in the open batch.
pending_redeem_shares: public(uint256)
# @dev Assets set aside for settled redemptions not yet claimed.
reserved_assets: public(uint256)
# @dev Entry/exit fees owed in assets to the fee recipient and the platform.
accrued_manager_fees: public(uint256)
accrued_protocol_fees: public(uint256)
# @dev Management and performance fee shares held in the vault's escrow for the fee recipient
#      (bits 0-119) and the platform (bits 120-239) until they claim them. Escrow instead of
#      minting to each recipient at settlement: one warm balance and one packed word instead of
#      two cold balances, two recipient reads and two Transfer logs. Bit 255 is always set so the
#      word never returns to zero (a zero-to-nonzero write would cost 20,000 gas after a claim).
_fee_shares: uint256

# @dev The NAV oracle this vault created; the only caller of `settle` and `set_quarantined`.
nav_oracle: public(immutable(address))
# @dev High-water mark (price per share, 1e18; low 128 bits) | when it was last raised (high bits):
#      the hurdle accrues from that moment.
_hwm: uint256

# @dev Open deposit epoch (starts at 1) and open redemption batch (deferred while illiquid).
# @dev epoch => assets (low 128) | shares minted (high 128).
_epoch_deposit: HashMap[uint256, uint256]
# @dev redemption batch => shares burned (low 128) | net assets (high 128).
_epoch_redeem: HashMap[uint256, uint256]

# @dev controller => pending/claimable deposit: assets (low 128) | epoch (high 128).
_deposit_request: HashMap[address, uint256]
# @dev controller => pending/claimable redemption: shares (low 128) | batch (high 128).
_redeem_request: HashMap[address, uint256]



event VaultInitialized:
    asset: indexed(address)
    admin: indexed(address)
    manager: indexed(address)
    guardian: address
    fee_recipient: address
    protocol_fee_recipient: address
    whitelist_manager: address
    nav_oracle: address
    is_private: bool
    deposit_cap: uint256
    lockup: uint256
    min_manager_bps: uint256

event RoleSet:
    role: indexed(Role)
    previous: indexed(address)
    current: indexed(address)

event CustodySet:
    custody: indexed(address)
    enabled: bool

event WhitelistSet:
    account: indexed(address)
    allowed: bool
    by: indexed(address)

event OperatorSet:
    controller: indexed(address)
    operator: indexed(address)
    approved: bool

event LimitsSet:
    deposit_cap: uint256
    lockup: uint256
    min_manager_bps: uint256
    sync_max_age: uint256

event DepositRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    assets: uint256

event RedeemRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    shares: uint256

event DepositRequestCancelled:
    controller: indexed(address)
    receiver: indexed(address)
    requestId: indexed(uint256)
    assets: uint256

event RedeemRequestCancelled:
    controller: indexed(address)
    receiver: indexed(address)
    requestId: indexed(uint256)
    shares: uint256

event Deposit:
    sender: indexed(address)
    owner: indexed(address)
    assets: uint256
    shares: uint256

event Withdraw:
    sender: indexed(address)
    receiver: indexed(address)
    owner: indexed(address)
    assets: uint256
    shares: uint256

event EpochSettled:
    epoch: indexed(uint256)
    total_assets: uint256
    total_supply: uint256
    share_price: uint256
    deposit_assets: uint256
    deposit_shares: uint256

event RedemptionsSettled:
    batch: indexed(uint256)
    shares: uint256
    assets: uint256

event RedemptionsDeferred:
    batch: indexed(uint256)
    assets_needed: uint256
    idle_assets: uint256

event FeesCharged:
    epoch: indexed(uint256)
    management_assets: uint256
    performance_assets: uint256
    manager_shares: uint256
    protocol_shares: uint256
    high_water_mark: uint256

event TransactionFeeCharged:
    payer: indexed(address)
    is_exit: bool
    assets: uint256
    manager_part: uint256
    protocol_part: uint256

event FeeAssetsClaimed:
    recipient: indexed(address)
    receiver: indexed(address)
    assets: uint256

event FeeSharesClaimed:
    recipient: indexed(address)
    shares: uint256

event CapitalSent:
    custody: indexed(address)
    assets: uint256
    custody_out: uint256

event CapitalReturned:
    custody: indexed(address)
    assets: uint256
    custody_in: uint256

event Paused:
    by: indexed(address)

event Unpaused:
    by: indexed(address)

event ShutDown:
    by: indexed(address)


@deploy
def __init__(params: VaultInit):
    """
    @dev Called through the factory's `create_from_blueprint`; `_set_role` rejects zero addresses.
    """
    assert params.asset != empty(address), "vault: zero asset"
    assert params.admin != empty(address), "vault: zero admin"
    ownable.__init__()
    ownable_2step.__init__()
    ownable._transfer_ownership(params.admin)
    shares.__init__(params.name, params.symbol, staticcall IERC20Detailed(params.asset).decimals())
    # The oracle validates the fee caps in its constructor and governs later changes.
    self._fee_shares = _FEE_SHARES_SENTINEL

    asset = params.asset
    is_private = params.is_private
    # Direct writes, not `_set_role`: internal calls here would be copied into the init code,
    # which must stay under the EIP-170 limit for the blueprint. One event carries all roles.
    for role_holder: address in [params.manager, params.guardian, params.fee_recipient,
                                 params.protocol_fee_recipient, params.whitelist_manager]:
        assert role_holder != empty(address), "vault: zero address"
    self.manager = params.manager
    self.guardian = params.guardian
    self.fee_recipient = params.fee_recipient
    self.protocol_fee_recipient = params.protocol_fee_recipient
    self.whitelist_manager = params.whitelist_manager
    nav_oracle = create_from_blueprint(
        params.nav_oracle_blueprint, params.keepers, params.quorum, params.fees, code_offset=3
    )

    self.deposit_cap = params.deposit_cap
    self._limits = min(params.deposit_cap, _U112)
    self.min_manager_bps = DEFAULT_MIN_MANAGER_BPS

    self._flags = (DEFAULT_LOCKUP << _LOCKUP_SHIFT) | (1 << _EPOCH_SHIFT) | (1 << _BATCH_SHIFT) \
        | (block.timestamp << _FEE_AT_SHIFT) | (fees._pack(params.fees) << _TERMS_SHIFT)
    if params.is_private:
        self.whitelisted[params.manager] = True
    log VaultInitialized(asset=params.asset, admin=params.admin, manager=params.manager,
                         guardian=params.guardian, fee_recipient=params.fee_recipient,
                         protocol_fee_recipient=params.protocol_fee_recipient,
                         whitelist_manager=params.whitelist_manager, nav_oracle=nav_oracle,
                         is_private=params.is_private, deposit_cap=params.deposit_cap,
                         lockup=DEFAULT_LOCKUP, min_manager_bps=DEFAULT_MIN_MANAGER_BPS)


# ---------------------------------------------------------------- ERC-20 transfers


@external
def transfer(receiver: address, amount: uint256) -> bool:
    """
    @notice Transfers unlocked shares. Private vaults accept only whitelisted receivers.
    @param receiver The receiving account.
    @param amount Shares to move.
    @return bool Always True.
    """
    self._check_share_move(msg.sender, receiver, amount)
    shares._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(owner: address, receiver: address, amount: uint256) -> bool:
    """
    @notice Transfers unlocked shares on the owner's allowance.
    @param owner The account debited.
    @param receiver The receiving account.
    @param amount Shares to move.
    @return bool Always True.
    """
    self._check_share_move(owner, receiver, amount)
    shares._spend_allowance(owner, msg.sender, amount)
    shares._transfer(owner, receiver, amount)
    return True


# ---------------------------------------------------------------- views


@external
@view
def totalAssets() -> uint256:
    """
    @notice Assets owned by shareholders: idle + reported external + custody transfers the last
            report did not see yet.
    @return uint256 Total assets.
    """
    return self._total_assets()


@external
@view
def convertToShares(assets: uint256) -> uint256:
    """
    @notice Shares `assets` buys at the current price, rounded down.
    @param assets Amount of the asset.
    @return uint256 shares = assets * (supply + 1) / (total_assets + 1), rounded down.
    """
    return self._to_shares(assets, False)


@external
@view
def convertToAssets(shares_: uint256) -> uint256:
    """
    @notice Assets `shares_` are worth at the current price, rounded down.
    @param shares_ Amount of shares.
    @return uint256 assets = shares * (total_assets + 1) / (supply + 1), rounded down.
    """
    return self._to_assets(shares_, False)




@external
@view
def pendingDepositRequest(request_id: uint256, controller: address) -> uint256:
    """
    @notice Assets of `controller` waiting in the open epoch.
    @param request_id Ignored (requests aggregate per controller); ERC-7540 signature.
    @param controller The request's controller.
    @return uint256 Pending assets.
    """
    amount: uint256 = 0
    req_epoch: uint256 = 0
    amount, req_epoch = self._unpack(self._deposit_request[controller])
    if self._deposit_settled(req_epoch):
        return 0
    return amount


@external
@view
def claimableDepositRequest(request_id: uint256, controller: address) -> uint256:
    """
    @notice Assets of `controller` settled and ready to claim as shares.
    @param request_id Ignored; ERC-7540 signature.
    @param controller The request's controller.
    @return uint256 Claimable assets.
    """
    amount: uint256 = 0
    req_epoch: uint256 = 0
    amount, req_epoch = self._unpack(self._deposit_request[controller])
    if self._deposit_settled(req_epoch):
        return amount
    return 0


@external
@view
def pendingRedeemRequest(request_id: uint256, controller: address) -> uint256:
    """
    @notice Shares of `controller` waiting for settlement.
    @param request_id Ignored; ERC-7540 signature.
    @param controller The request's controller.
    @return uint256 Pending shares.
    """
    amount: uint256 = 0
    batch: uint256 = 0
    amount, batch = self._unpack(self._redeem_request[controller])
    if batch == self._batch():
        return amount
    return 0


@external
@view
def claimableRedeemRequest(request_id: uint256, controller: address) -> uint256:
    """
    @notice Shares of `controller` settled and ready to claim as assets.
    @param request_id Ignored; ERC-7540 signature.
    @param controller The request's controller.
    @return uint256 Claimable shares.
    """
    amount: uint256 = 0
    batch: uint256 = 0
    amount, batch = self._unpack(self._redeem_request[controller])
    if batch != 0 and batch < self._batch():
        return amount
    return 0


@external
@view
def maxMint(controller: address) -> uint256:
    """
    @notice Shares `controller` can claim now from settled deposits, rounded down.
    @param controller The request's controller.
    @return uint256 Claimable shares.
    """
    amount: uint256 = 0
    req_epoch: uint256 = 0
    amount, req_epoch = self._unpack(self._deposit_request[controller])
    if not self._deposit_settled(req_epoch):
        return 0
    total: uint256 = 0
    minted: uint256 = 0
    total, minted = self._unpack(self._epoch_deposit[req_epoch])
    return math._mul_div(amount, minted, total, False)


@external
@view
def maxWithdraw(controller: address) -> uint256:
    """
    @notice Assets `controller` can claim now from settled redemptions, rounded down.
    @param controller The request's controller.
    @return uint256 Claimable assets.
    """
    amount: uint256 = 0
    batch: uint256 = 0
    amount, batch = self._unpack(self._redeem_request[controller])
    if batch == 0 or batch >= self._batch():
        return 0
    burned: uint256 = 0
    paid: uint256 = 0
    burned, paid = self._unpack(self._epoch_redeem[batch])
    return math._mul_div(amount, paid, burned, False)


@external
@view
def epoch_deposit(epoch_: uint256) -> (uint256, uint256):
    """
    @notice Settlement totals of an epoch's deposits.
    @param epoch_ The epoch.
    @return (uint256, uint256) Assets requested and shares minted for them.
    """
    return self._unpack(self._epoch_deposit[epoch_])


@external
@view
def epoch_redeem(batch: uint256) -> (uint256, uint256):
    """
    @notice Settlement totals of a redemption batch.
    @param batch The batch.
    @return (uint256, uint256) Shares burned and net assets set aside for them.
    """
    return self._unpack(self._epoch_redeem[batch])






@external
@view
def pending_deposit_assets() -> uint256:
    """
    @notice Assets requested for deposit in the open epoch (held by the vault, not yet shareholders').
    @return uint256 Pending assets.
    """
    return (self._limits >> _PENDING_SHIFT) & _U112


@external
@view
def idle_assets() -> uint256:
    """
    @notice Shareholders' assets sitting in the vault (excludes pending deposits, unclaimed
            redemptions and accrued fees).
    @return uint256 Idle assets.
    """
    return self._assets & _U128


@external
@view
def external_assets() -> uint256:
    """
    @notice Custody valuation from the last accepted report.
    @return uint256 External assets at the report's snapshot.
    """
    return self._assets >> 128


@external
@view
def epoch() -> uint256:
    """
    @notice The open deposit epoch (starts at 1; the next NAV report closes it).
    @return uint256 The epoch.
    """
    return self._epoch()


@external
@view
def redeem_epoch() -> uint256:
    """
    @notice The open redemption batch (deferred while not enough assets are idle).
    @return uint256 The batch.
    """
    return self._batch()


@external
@view
def lockup() -> uint256:
    """
    @notice Seconds newly claimed shares stay locked.
    @return uint256 Seconds.
    """
    return self._lockup()


@external
@view
def custody_out() -> uint256:
    """
    @notice Cumulative assets sent to custody.
    @return uint256 The value.
    """
    return self._custody & _U128


@external
@view
def custody_in() -> uint256:
    """
    @notice Cumulative assets returned from custody.
    @return uint256 The value.
    """
    return self._custody >> 128


@external
@view
def reported_custody_out() -> uint256:
    """
    @notice `custody_out` as the last accepted report saw it.
    @return uint256 The value.
    """
    return self._custody_seen & _U128


@external
@view
def reported_custody_in() -> uint256:
    """
    @notice `custody_in` as the last accepted report saw it.
    @return uint256 The value.
    """
    return self._custody_seen >> 128


@external
@view
def paused() -> bool:
    """
    @notice Whether the guardian paused the vault.
    @return bool The value.
    """
    return self._flags & _PAUSED != 0


@external
@view
def shut_down() -> bool:
    """
    @notice Whether the vault is shut down for good.
    @return bool The value.
    """
    return self._flags & _SHUT_DOWN != 0


@external
@view
def quarantined() -> bool:
    """
    @notice Whether a NAV report waits in quarantine (new requests wait too).
    @return bool The value.
    """
    return self._flags & _QUARANTINED != 0


@external
@view
def last_settled_at() -> uint256:
    """
    @notice Block time of the last settlement (same clock as `last_fee_at`).
    @return uint256 The value.
    """
    return (self._flags >> _FEE_AT_SHIFT) & _U40


@external
@view
def last_fee_at() -> uint256:
    """
    @notice Last management-fee accrual, which is also the last settlement (sync-path freshness).
    @return uint256 Block time.
    """
    return (self._flags >> _FEE_AT_SHIFT) & _U40


@external
@view
def share_price() -> uint256:
    """
    @notice Price per share, 1e18: (total_assets + 1) * 1e18 / (supply + 1), rounded down.
    @return uint256 The value.
    """
    return self._pps(self._total_assets(), shares.totalSupply)


# ---------------------------------------------------------------- requests (ERC-7540)


@external
def request_deposit(assets: uint256, controller: address, owner: address) -> uint256:
    """
    @notice Queues `assets` from `owner` into the open epoch for `controller`.
    @param assets Amount of the asset; pulled now (approve first).
    @param controller Who claims the shares after settlement: the caller or someone who made it
           an operator (a request blocks the controller's next one until it claims, and the
           claim locks its shares, so nobody opens one for a controller without its consent).
    @param owner Whose assets are pulled; the caller or someone who made it an operator.
    @return uint256 The request id: the epoch it settles in.
    """
    flags: uint256 = self._check_open()
    self._check_live(flags)
    assert assets != 0, "vault: zero assets"
    self._check_caller_for(owner)
    if is_private:
        self._check_whitelisted(controller)
        self._check_whitelisted(owner)
    self._check_controller_consent(controller, owner)
    current: uint256 = (flags >> _EPOCH_SHIFT) & _U40
    limits: uint256 = self._limits
    pending: uint256 = ((limits >> _PENDING_SHIFT) & _U112) + assets
    self._check_cap(limits, self._total_assets_of(flags, self._assets) + pending)
    amount: uint256 = 0
    req_epoch: uint256 = 0
    amount, req_epoch = self._unpack(self._deposit_request[controller])
    assert amount == 0 or req_epoch == current, "vault: claim first"
    self._deposit_request[controller] = self._pack(amount + assets, current)
    self._limits = limits + (assets << _PENDING_SHIFT)
    self._pull(owner, assets)
    log DepositRequest(controller=controller, owner=owner, requestId=current, sender=msg.sender, assets=assets)
    return current


@external
def cancel_deposit_request(controller: address, receiver: address) -> uint256:
    """
    @notice Withdraws the controller's deposit request while its epoch is still open.
    @param controller The request's controller (caller or its operator).
    @param receiver Who gets the assets back (neither the vault nor the zero address).
    @return uint256 Assets returned.
    """
    self._check_unpaused()
    self._check_caller_for(controller)
    self._check_cancel_receiver(receiver)
    amount: uint256 = 0
    req_epoch: uint256 = 0
    amount, req_epoch = self._unpack(self._deposit_request[controller])
    assert amount != 0 and not self._deposit_settled(req_epoch), "vault: no pending deposit"
    self._deposit_request[controller] = 0
    limits: uint256 = self._limits
    # checked on the pending field alone, so an inconsistency reverts instead of borrowing from the cap
    pending: uint256 = (limits >> _PENDING_SHIFT) & _U112
    self._limits = (limits & ~(_U112 << _PENDING_SHIFT)) | ((pending - amount) << _PENDING_SHIFT)
    self._push(receiver, amount)
    log DepositRequestCancelled(controller=controller, receiver=receiver, requestId=req_epoch, assets=amount)
    return amount


@external
def request_redeem(shares_: uint256, controller: address, owner: address) -> uint256:
    """
    @notice Escrows unlocked shares of `owner` for redemption in the open batch.
    @param shares_ Shares to redeem.
    @param controller Who claims the assets after settlement: the caller or someone who made it
           an operator (a request blocks the controller's next one until it claims).
    @param owner Whose shares are escrowed; the caller or someone who made it an operator.
    @return uint256 The request id: the redemption batch it settles in.
    """
    self._check_open()
    assert shares_ != 0, "vault: zero shares"
    self._check_caller_for(owner)
    self._check_controller_consent(controller, owner)
    self._check_skin_in_game(owner, shares_, True)
    batch: uint256 = self._batch()
    amount: uint256 = 0
    req_batch: uint256 = 0
    amount, req_batch = self._unpack(self._redeem_request[controller])
    assert amount == 0 or req_batch == batch, "vault: claim first"
    self._redeem_request[controller] = self._pack(amount + shares_, batch)
    self.pending_redeem_shares += shares_
    shares._transfer(owner, self, shares_)
    log RedeemRequest(controller=controller, owner=owner, requestId=batch, sender=msg.sender, shares=shares_)
    return batch


@external
def cancel_redeem_request(controller: address, receiver: address) -> uint256:
    """
    @notice Returns the controller's escrowed shares while the batch is still open.
    @param controller The request's controller (caller or its operator).
    @param receiver Who gets the shares (whitelisted in a private vault; neither the vault nor
           the zero address).
    @return uint256 Shares returned.
    """
    self._check_unpaused()
    self._check_caller_for(controller)
    self._check_cancel_receiver(receiver)
    if is_private:
        self._check_whitelisted(receiver)
    amount: uint256 = 0
    batch: uint256 = 0
    amount, batch = self._unpack(self._redeem_request[controller])
    assert amount != 0 and batch == self._batch(), "vault: no pending redemption"
    self._redeem_request[controller] = 0
    self.pending_redeem_shares -= amount
    shares._transfer(self, receiver, amount)
    log RedeemRequestCancelled(controller=controller, receiver=receiver, requestId=batch, shares=amount)
    return amount


@external
def setOperator(operator: address, approved: bool) -> bool:
    """
    @notice Lets `operator` request, cancel and claim on the caller's behalf (ERC-7540).
    @param operator The operator.
    @param approved Grant or revoke.
    @return bool Always True.
    """
    assert operator != msg.sender, "vault: self operator"
    self.isOperator[msg.sender][operator] = approved
    log OperatorSet(controller=msg.sender, operator=operator, approved=approved)
    return True


# ---------------------------------------------------------------- claims


@external
def deposit(assets: uint256, receiver: address, controller: address = msg.sender) -> uint256:
    """
    @notice Claims shares for `assets` of the controller's settled deposit. The shares are locked
            for `lockup` seconds in the receiver's account, so the receiver must be the caller or
            have made the caller its operator.
    @param assets Settled assets to convert (at most `claimableDepositRequest`).
    @param receiver Who receives the shares.
    @param controller The request's controller.
    @return uint256 shares = assets * epoch_shares / epoch_assets, rounded down.
    """
    total: uint256 = 0
    minted: uint256 = 0
    req_epoch: uint256 = 0
    total, minted, req_epoch = self._claimable_deposit(controller)
    shares_out: uint256 = math._mul_div(assets, minted, total, False)
    self._claim_deposit(controller, receiver, assets, shares_out, req_epoch)
    return shares_out


@external
def mint(shares_: uint256, receiver: address, controller: address = msg.sender) -> uint256:
    """
    @notice Claims exactly `shares_` from the controller's settled deposit.
    @param shares_ Shares wanted (at most `maxMint`).
    @param receiver Who receives the shares (caller or a receiver that made it an operator).
    @param controller The request's controller.
    @return uint256 assets consumed = shares * epoch_assets / epoch_shares, rounded up.
    """
    total: uint256 = 0
    minted: uint256 = 0
    req_epoch: uint256 = 0
    total, minted, req_epoch = self._claimable_deposit(controller)
    assert minted != 0, "vault: nothing claimable"
    assets: uint256 = math._mul_div(shares_, total, minted, True)
    self._claim_deposit(controller, receiver, assets, shares_, req_epoch)
    return assets


@external
def redeem(shares_: uint256, receiver: address, controller: address = msg.sender) -> uint256:
    """
    @notice Claims assets for `shares_` of the controller's settled redemption.
    @param shares_ Settled shares to convert (at most `claimableRedeemRequest`).
    @param receiver Who receives the assets.
    @param controller The request's controller.
    @return uint256 assets = shares * batch_assets / batch_shares, rounded down.
    """
    burned: uint256 = 0
    paid: uint256 = 0
    batch: uint256 = 0
    burned, paid, batch = self._claimable_redeem(controller)
    assets: uint256 = math._mul_div(shares_, paid, burned, False)
    self._claim_redeem(controller, receiver, assets, shares_, batch)
    return assets


@external
def withdraw(assets: uint256, receiver: address, controller: address = msg.sender) -> uint256:
    """
    @notice Claims exactly `assets` from the controller's settled redemption.
    @param assets Assets wanted (at most `maxWithdraw`).
    @param receiver Who receives the assets.
    @param controller The request's controller.
    @return uint256 shares consumed = assets * batch_shares / batch_assets, rounded up.
    """
    burned: uint256 = 0
    paid: uint256 = 0
    batch: uint256 = 0
    burned, paid, batch = self._claimable_redeem(controller)
    assert paid != 0, "vault: nothing claimable"
    shares_in: uint256 = math._mul_div(assets, burned, paid, True)
    self._claim_redeem(controller, receiver, assets, shares_in, batch)
    return shares_in


# ---------------------------------------------------------------- synchronous path


@external
def sync_deposit(assets: uint256, receiver: address) -> uint256:
    """
    @notice Deposits at the current price while the last NAV is younger than `sync_max_age`.
    @param assets Gross assets pulled from the caller; the entry fee is taken from them.
    @param receiver Who receives the (locked) shares: the caller or a receiver that made it an operator.
    @return uint256 shares = (assets - entry_fee) * (supply + 1) / (total_assets + 1), rounded down.
    """
    # Each hot word is read once and passed on: this path is priced against plain ERC-4626 deposits.
    flags: uint256 = 0
    limits: uint256 = 0
    flags, limits = self._check_sync()
    self._check_live(flags)
    assert assets != 0, "vault: zero assets"
    self._check_receiver_consent(receiver)
    assets_word: uint256 = self._assets
    total: uint256 = self._total_assets_of(flags, assets_word)
    self._check_cap(limits, total + ((limits >> _PENDING_SHIFT) & _U112) + assets)
    fee: uint256 = fees._fee_on_total(assets, convert(fees._unpack(flags >> _TERMS_SHIFT).entry_bps, uint256))
    net: uint256 = assets - fee
    # The cap check keeps total + 1 <= 2**112, so a product of 2**256 or more would mean at least 2**144
    # shares, which the 128-bit balance refuses anyway: the checked product gives the same outcomes as
    # a 512-bit mul_div, and costs less.
    shares_out: uint256 = net * (shares.totalSupply + VIRTUAL_SHARES) // (total + VIRTUAL_ASSETS)
    assert shares_out != 0, "vault: zero shares"
    self._assets = self._pack((assets_word & _U128) + net, assets_word >> 128)
    self._accrue_transaction_fee(msg.sender, fee, False)
    self._pull(msg.sender, assets)
    shares._mint_locked(receiver, shares_out, (flags >> _LOCKUP_SHIFT) & _U32)
    log Deposit(sender=msg.sender, owner=receiver, assets=assets, shares=shares_out)
    return shares_out


@external
def sync_redeem(shares_: uint256, receiver: address, owner: address) -> uint256:
    """
    @notice Redeems at the current price while the last NAV is fresh and enough assets are idle.
    @param shares_ Unlocked shares of `owner` to burn.
    @param receiver Who receives the assets.
    @param owner Whose shares are burned: the caller or someone who made it an operator.
    @return uint256 assets = shares * (total_assets + 1) / (supply + 1) rounded down, less the exit fee.
    """
    flags: uint256 = 0
    limits: uint256 = 0
    flags, limits = self._check_sync()
    assert shares_ != 0, "vault: zero shares"
    self._check_caller_for(owner)
    self._check_skin_in_game(owner, shares_, True)
    gross: uint256 = self._to_assets(shares_, False)
    assert gross <= self._assets & _U128, "vault: idle too low"
    fee: uint256 = fees._fee_on_total(gross, convert(fees._unpack(flags >> _TERMS_SHIFT).exit_bps, uint256))
    self._assets -= gross
    self._accrue_transaction_fee(owner, fee, True)
    shares._burn(owner, shares_)
    self._push(receiver, gross - fee)
    log Withdraw(sender=msg.sender, receiver=receiver, owner=owner, assets=gross - fee, shares=shares_)
    return gross - fee


# ---------------------------------------------------------------- settlement (NAV oracle only)


@external
@view
def preview_settlement_price(external_assets: uint256, custody_out: uint256, custody_in: uint256) -> uint256:
    """
    @notice Price per share (1e18) a report with these values would imply before fees; the oracle
            checks it against its bounds. Reverts on custody counters the vault never reached.
    @param external_assets Reported external assets (equity - debt).
    @param custody_out Cumulative custody outflow the report reflects.
    @param custody_in Cumulative custody inflow the report reflects.
    @return uint256 (idle + external' + 1) * 1e18 / (supply + 1), rounded down.
    """
    ext: uint256 = self._external_after(external_assets, custody_out, custody_in)
    return self._pps((self._assets & _U128) + ext, shares.totalSupply)


@external
def settle(epoch_: uint256, external_assets: uint256, custody_out: uint256, custody_in: uint256) -> uint256:
    """
    @notice Called by the NAV oracle with an accepted report: records the external valuation,
            charges management and performance fees, settles the epoch's deposits (and the open
            redemption batch if enough assets are idle) at one price, and opens the next epoch.
    @param epoch_ The open epoch.
    @param external_assets Reported external assets (equity - debt) at the snapshot.
    @param custody_out Cumulative custody outflow the report reflects.
    @param custody_in Cumulative custody inflow the report reflects.
    @return uint256 Price per share (1e18) after settlement.
    """
    assert msg.sender == nav_oracle, "vault: not nav oracle"
    self._check_unpaused()
    assert epoch_ == self._epoch(), "nav: wrong epoch"
    ext: uint256 = self._external_after(external_assets, custody_out, custody_in)
    # With the flag clear the report saw every transfer (`_external_after` held it to the seen
    # counters), so there is nothing to record.
    if self._flags & _UNSEEN_CUSTODY != 0:
        seen: uint256 = self._pack(custody_out, custody_in)
        self._custody_seen = seen
        self._set_flag(_UNSEEN_CUSTODY, self._custody != seen)
    return self._settle(epoch_, ext, external_assets)


@external
def set_fee_terms(terms: uint256):
    """
    @notice The NAV oracle pushes the fee rates in force (packed as in fees.vy) whenever they
            change: decreases at once, increases after their notice delay.
    @param terms The packed rates.
    """
    assert msg.sender == nav_oracle, "vault: not nav oracle"
    assert terms >> 96 == 0, "vault: bad fee terms"
    self._flags = (self._flags & ((1 << _TERMS_SHIFT) - 1)) | (terms << _TERMS_SHIFT)


@external
@view
def high_water_mark() -> uint256:
    """
    @notice Highest price per share (1e18) after fees so far; performance fees start above it.
    @return uint256 The mark.
    """
    return self._hwm & _U128


@external
def set_quarantined(quarantined: bool):
    """
    @notice The NAV oracle pauses new requests while a report waits for the guardian.
    @param quarantined Whether a report is quarantined.
    """
    assert msg.sender == nav_oracle, "vault: not nav oracle"
    self._set_flag(_QUARANTINED, quarantined)


# ---------------------------------------------------------------- capital movement


@external
def send_to_custody(custody: address, assets: uint256):
    """
    @notice Manager moves idle assets to a whitelisted venue custody account.
    @param custody A custody account the admin whitelisted.
    @param assets Amount, at most `idle_assets`.
    """
    self._check_manager()
    self._check_unpaused()
    self._check_live(self._flags)
    assert self.is_custody[custody], "vault: not custody"
    assert assets != 0 and assets <= self._assets & _U128, "vault: idle too low"
    self._assets -= assets
    word: uint256 = self._custody
    out: uint256 = (word & _U128) + assets
    self._custody = self._pack(out, word >> 128)
    self._set_flag(_UNSEEN_CUSTODY, True)
    self._push(custody, assets)
    log CapitalSent(custody=custody, assets=assets, custody_out=out)


@external
def return_from_custody(custody: address, assets: uint256):
    """
    @notice Manager pulls capital back from a custody account (which approved the vault).
    @param custody A whitelisted custody account.
    @param assets Amount pulled.
    """
    self._check_manager()
    assert self.is_custody[custody], "vault: not custody"
    assert assets != 0, "vault: zero assets"
    self._assets = self._pack((self._assets & _U128) + assets, self._assets >> 128)
    word: uint256 = self._custody
    back: uint256 = (word >> 128) + assets
    self._custody = self._pack(word & _U128, back)
    self._set_flag(_UNSEEN_CUSTODY, True)
    self._pull(custody, assets)
    log CapitalReturned(custody=custody, assets=assets, custody_in=back)


@external
def claim_fee_assets(receiver: address) -> uint256:
    """
    @notice Pays the caller's accrued entry/exit fees (fee recipient or protocol recipient).
            Not while paused: the pause stops every asset outflow but capital returns.
    @param receiver Who receives the assets.
    @return uint256 Assets paid.
    """
    self._check_unpaused()
    amount: uint256 = 0
    if msg.sender == self.fee_recipient:
        amount = self.accrued_manager_fees
        self.accrued_manager_fees = 0
    elif msg.sender == self.protocol_fee_recipient:
        amount = self.accrued_protocol_fees
        self.accrued_protocol_fees = 0
    else:
        raise "vault: not fee recipient"
    assert amount != 0, "vault: no fees"
    self._push(receiver, amount)
    log FeeAssetsClaimed(recipient=msg.sender, receiver=receiver, assets=amount)
    return amount


@external
def claim_fee_shares() -> uint256:
    """
    @notice Moves the caller's management and performance fee shares out of the vault's escrow
            to the caller (fee recipient or protocol recipient), unlocked. Not while paused.
    @return uint256 Shares moved.
    """
    self._check_unpaused()
    is_manager: bool = msg.sender == self.fee_recipient
    is_platform: bool = msg.sender == self.protocol_fee_recipient
    assert is_manager or is_platform, "vault: not fee recipient"
    # One address may hold both roles: it then takes both parts.
    amount: uint256 = 0
    if is_manager:
        amount = self._release_fee_shares(msg.sender, 0)
    if is_platform:
        amount += self._release_fee_shares(msg.sender, 120)
    assert amount != 0, "vault: no fee shares"
    return amount


@external
@view
def accrued_fee_shares() -> (uint256, uint256):
    """
    @notice Fee shares in escrow, not yet claimed.
    @return (uint256, uint256) The fee recipient's and the platform's.
    """
    word: uint256 = self._fee_shares
    return word & _U120, (word >> 120) & _U120


# ---------------------------------------------------------------- private vaults


@external
def set_whitelisted(account: address, allowed: bool):
    """
    @notice Whitelist manager (the manager, or the InviteGate acting for it) adds or removes an
            account (private vaults).
    @param account The account.
    @param allowed Add or remove.
    """
    assert msg.sender == self.whitelist_manager, "vault: not whitelister"
    self.whitelisted[account] = allowed
    log WhitelistSet(account=account, allowed=allowed, by=msg.sender)




# ---------------------------------------------------------------- admin


@external
def set_role(role: Role, account: address):
    """
    @notice Admin assigns a role: manager, guardian, fee recipient, protocol fee recipient or
            whitelist manager.
    @param role Exactly one role flag.
    @param account The new holder (non-zero).
    """
    ownable._check_owner()
    self._set_role(role, account)






@external
def set_custody(custody: address, enabled: bool):
    """
    @notice Admin whitelists a venue custody account for capital movement.
    @param custody The account.
    @param enabled Add or remove.
    """
    ownable._check_owner()
    assert custody != empty(address) and custody != self, "vault: bad custody"
    self.is_custody[custody] = enabled
    log CustodySet(custody=custody, enabled=enabled)


@external
def set_limits(deposit_cap: uint256, lockup: uint256, min_manager_bps: uint256, sync_max_age: uint256):
    """
    @notice Admin sets the deposit cap, lockup, manager skin-in-the-game and sync NAV age.
    @param deposit_cap Maximum total assets including pending deposits (read back as set; in force
           at most 2**112 - 1 units, the pending-deposit field's width).
    @param lockup Seconds new shares stay locked (at most a year).
    @param min_manager_bps Share of supply the manager must keep (at most 10,000).
    @param sync_max_age Maximum NAV age for the synchronous path; 0 switches it off.
    """
    ownable._check_owner()
    self._set_limits(deposit_cap, lockup, min_manager_bps, sync_max_age)






@external
def pause():
    """
    @notice Guardian (or admin) stops requests, claims, settlement and capital leaving the vault.
    """
    assert msg.sender == self.guardian or msg.sender == ownable.owner, "vault: not guardian"
    assert self._flags & _PAUSED == 0, "vault: paused"
    self._set_flag(_PAUSED, True)
    log Paused(by=msg.sender)


@external
def unpause():
    """
    @notice Admin resumes a paused vault.
    """
    ownable._check_owner()
    assert self._flags & _PAUSED != 0, "vault: not paused"
    self._set_flag(_PAUSED, False)
    log Unpaused(by=msg.sender)


@external
def shutdown():
    """
    @notice Admin shuts the vault down for good: no deposits and no capital out; redemptions,
            cancellations, NAV reports and capital returns continue.
    """
    ownable._check_owner()
    self._check_live(self._flags)
    self._set_flag(_SHUT_DOWN, True)
    log ShutDown(by=msg.sender)


# ---------------------------------------------------------------- internal: checks


@internal
@view
def _check_unpaused():
    assert self._flags & _PAUSED == 0, "vault: paused"


@internal
@view
def _check_live(flags: uint256):
    assert flags & _SHUT_DOWN == 0, "vault: shut down"


@internal
@view
def _check_manager():
    assert msg.sender == self.manager, "vault: not manager"


@internal
@view
def _check_open() -> uint256:
    # Returns the flags word it read, so the caller need not read it again.
    flags: uint256 = self._flags
    assert flags & _PAUSED == 0, "vault: paused"
    assert flags & _QUARANTINED == 0, "vault: report quarantined"
    return flags


@internal
@view
def _check_sync() -> (uint256, uint256):
    # Returns the flags and limits words it read, so the caller reads neither again.
    flags: uint256 = self._check_open()
    limits: uint256 = self._limits
    max_age: uint256 = limits >> _MAX_AGE_SHIFT
    assert max_age != 0, "vault: sync path off"
    # No report yet (epoch 1) means no NAV at all, whatever the fee clock says.
    assert (flags >> _EPOCH_SHIFT) & _U40 > 1 and block.timestamp <= ((flags >> _FEE_AT_SHIFT) & _U40) + max_age, \
        "vault: NAV too old"
    return flags, limits


@internal
@view
def _check_caller_for(account: address):
    assert msg.sender == account or self.isOperator[account][msg.sender], "vault: not authorized"


@internal
@view
def _check_controller_consent(controller: address, owner: address):
    # A controller's request blocks its next request until it claims (and a deposit claim locks
    # its shares), so opening one needs the controller's consent. `owner` was checked already.
    if controller != owner:
        assert controller == msg.sender or self.isOperator[controller][msg.sender], "vault: controller consent"


@internal
@view
def _check_cancel_receiver(receiver: address):
    # Assets or shares sent to the vault would become a donation or fall into the request escrow.
    assert receiver != self and receiver != empty(address), "vault: bad receiver"


@internal
@view
def _check_receiver_consent(receiver: address):
    # Locked shares land in `receiver`'s lock bucket, so only the receiver (or its operator)
    # may cause it: nobody can extend another's lock.
    assert receiver == msg.sender or self.isOperator[receiver][msg.sender], "vault: receiver consent"
    if is_private:
        self._check_whitelisted(receiver)


@internal
@view
def _check_share_move(sender: address, receiver: address, amount: uint256):
    # Shares sent to the vault would fall into the request escrow and belong to nobody.
    assert receiver != self, "vault: escrow receiver"
    if is_private:
        self._check_whitelisted(receiver)
    if sender == self.manager:
        self._check_skin_in_game(sender, amount, False)


@internal
@view
def _check_skin_in_game(owner: address, amount: uint256, burns: bool):
    # After the first settlement the manager keeps at least min_manager_bps of supply:
    # (balance - amount) * BPS >= min_bps * supply_after, where a redemption burns `amount`
    # and a transfer leaves the supply as it is.
    if owner != self.manager or self._epoch() == 1:
        return
    balance: uint256 = shares._balance(owner)
    supply_after: uint256 = shares.totalSupply
    assert amount <= balance, "shares: locked or insufficient"
    if burns:
        supply_after -= amount
    assert (balance - amount) * BPS >= self.min_manager_bps * supply_after, "vault: manager stake too low"


# ---------------------------------------------------------------- internal: claims


@internal
@view
def _claimable_deposit(controller: address) -> (uint256, uint256, uint256):
    self._check_caller_for(controller)
    amount: uint256 = 0
    req_epoch: uint256 = 0
    amount, req_epoch = self._unpack(self._deposit_request[controller])
    assert amount != 0 and self._deposit_settled(req_epoch), "vault: nothing claimable"
    total: uint256 = 0
    minted: uint256 = 0
    total, minted = self._unpack(self._epoch_deposit[req_epoch])
    return total, minted, req_epoch


@internal
def _claim_deposit(controller: address, receiver: address, assets: uint256, shares_out: uint256,
                   req_epoch: uint256):
    self._check_unpaused()
    self._check_receiver_consent(receiver)
    amount: uint256 = self._deposit_request[controller] & _U128
    assert assets != 0 and assets <= amount, "vault: claim exceeds settled"
    left: uint256 = amount - assets
    self._deposit_request[controller] = self._pack(left, req_epoch) if left != 0 else 0
    shares._transfer_locked(self, receiver, shares_out, self._lockup())
    log Deposit(sender=controller, owner=receiver, assets=assets, shares=shares_out)


@internal
@view
def _claimable_redeem(controller: address) -> (uint256, uint256, uint256):
    self._check_caller_for(controller)
    amount: uint256 = 0
    batch: uint256 = 0
    amount, batch = self._unpack(self._redeem_request[controller])
    assert amount != 0 and batch < self._batch(), "vault: nothing claimable"
    burned: uint256 = 0
    paid: uint256 = 0
    burned, paid = self._unpack(self._epoch_redeem[batch])
    return burned, paid, batch


@internal
def _claim_redeem(controller: address, receiver: address, assets: uint256, shares_in: uint256, batch: uint256):
    self._check_unpaused()
    amount: uint256 = self._redeem_request[controller] & _U128
    assert shares_in != 0 and shares_in <= amount, "vault: claim exceeds settled"
    left: uint256 = amount - shares_in
    self._redeem_request[controller] = self._pack(left, batch) if left != 0 else 0
    self.reserved_assets -= assets
    self._push(receiver, assets)
    log Withdraw(sender=msg.sender, receiver=receiver, owner=controller, assets=assets, shares=shares_in)


# ---------------------------------------------------------------- internal: NAV


@internal
@view
def _external_after(reported: uint256, custody_out: uint256, custody_in: uint256) -> uint256:
    # The report values custody at its snapshot; transfers after it are added back or taken out:
    # external = reported + (sent - sent_seen) - (returned - returned_seen)
    seen: uint256 = self._custody_seen
    current: uint256 = seen
    if self._flags & _UNSEEN_CUSTODY != 0:
        current = self._custody
    sent: uint256 = current & _U128
    returned: uint256 = current >> 128
    assert custody_out <= sent and custody_out >= seen & _U128, "nav: bad custody_out"
    assert custody_in <= returned and custody_in >= seen >> 128, "nav: bad custody_in"
    sent_unseen: uint256 = sent - custody_out
    returned_counted: uint256 = returned - custody_in
    assert reported + sent_unseen >= returned_counted, "nav: custody mismatch"
    return reported + sent_unseen - returned_counted


@internal
def _settle(current: uint256, ext: uint256, reported_external: uint256) -> uint256:
    idle: uint256 = self._assets & _U128
    total: uint256 = idle + ext
    # Fee shares and deposit shares both go to the vault's escrow: one mint, one Transfer log.
    minted_supply: uint256 = shares.totalSupply
    supply: uint256 = self._charge_fees(current, total, minted_supply)

    deposit_assets: uint256 = 0
    deposit_shares: uint256 = 0
    if self._flags & _SHUT_DOWN == 0:
        deposit_assets = (self._limits >> _PENDING_SHIFT) & _U112
    if deposit_assets != 0:
        fee: uint256 = fees._fee_on_total(deposit_assets, convert(self._fee_config().entry_bps, uint256))
        net: uint256 = deposit_assets - fee
        # shares = net * (supply + 1) / (total + 1), rounded down
        deposit_shares = math._mul_div(net, supply + VIRTUAL_SHARES, total + VIRTUAL_ASSETS, False)
        self._epoch_deposit[current] = self._pack(deposit_assets, deposit_shares)
        self._limits &= ~(_U112 << _PENDING_SHIFT)
        self._accrue_transaction_fee(empty(address), fee, False)
        idle += net
        total += net
        supply += deposit_shares
    if supply != minted_supply:
        shares._mint(self, supply - minted_supply)

    batch_shares: uint256 = self.pending_redeem_shares
    if batch_shares != 0:
        idle = self._settle_redemptions(batch_shares, idle, total, supply)
        total = idle + ext
        supply = shares.totalSupply

    self._assets = self._pack(idle, reported_external)
    self._flags += 1 << _EPOCH_SHIFT
    pps: uint256 = self._pps(total, supply)
    log EpochSettled(epoch=current, total_assets=total, total_supply=supply, share_price=pps,
                     deposit_assets=deposit_assets, deposit_shares=deposit_shares)
    return pps


@internal
def _settle_redemptions(batch_shares: uint256, idle: uint256, total: uint256, supply: uint256) -> uint256:
    batch: uint256 = self._batch()
    # gross = shares * (total + 1) / (supply + 1), rounded down
    gross: uint256 = math._mul_div(batch_shares, total + VIRTUAL_ASSETS, supply + VIRTUAL_SHARES, False)
    if gross > idle:
        # Not enough capital back from the venue: the batch stays open for the next report.
        log RedemptionsDeferred(batch=batch, assets_needed=gross, idle_assets=idle)
        return idle
    fee: uint256 = fees._fee_on_total(gross, convert(self._fee_config().exit_bps, uint256))
    net: uint256 = gross - fee
    self._epoch_redeem[batch] = self._pack(batch_shares, net)
    self.pending_redeem_shares = 0
    self._flags += 1 << _BATCH_SHIFT
    self.reserved_assets += net
    self._accrue_transaction_fee(empty(address), fee, True)
    shares._burn(self, batch_shares)
    log RedemptionsSettled(batch=batch, shares=batch_shares, assets=net)
    return idle - gross


@internal
def _charge_fees(current: uint256, total: uint256, supply: uint256) -> uint256:
    flags: uint256 = self._flags
    elapsed: uint256 = block.timestamp - ((flags >> _FEE_AT_SHIFT) & _U40)
    self._flags = (flags & ~(_U40 << _FEE_AT_SHIFT)) | (block.timestamp << _FEE_AT_SHIFT)
    config: fees.FeeConfig = self._fee_config()
    management: uint256 = fees._management_fee(total, convert(config.management_bps, uint256), elapsed)
    hwm_word: uint256 = self._hwm
    hwm: uint256 = hwm_word & _U128
    performance: uint256 = 0
    if hwm != 0 and supply != 0:
        pps_net: uint256 = self._pps(total - management, supply)
        # The hurdle grows from the time the mark was set, not from the last settlement.
        threshold: uint256 = fees._hurdle_threshold(
            hwm, convert(config.hurdle_bps, uint256), block.timestamp - (hwm_word >> 128)
        )
        performance = fees._performance_fee(pps_net, threshold, supply, convert(config.performance_bps, uint256))
    fee_assets: uint256 = management + performance
    manager_part: uint256 = 0
    protocol_part: uint256 = 0
    if fee_assets != 0:
        fee_shares: uint256 = fees._fee_shares(fee_assets, total + VIRTUAL_ASSETS, supply + VIRTUAL_SHARES)
        manager_part, protocol_part = fees._split(fee_shares, convert(config.protocol_share_bps, uint256))
        word: uint256 = self._fee_shares
        owed_manager: uint256 = (word & _U120) + manager_part
        owed_protocol: uint256 = ((word >> 120) & _U120) + protocol_part
        assert owed_manager <= _U120 and owed_protocol <= _U120, "vault: fee shares overflow"
        self._fee_shares = _FEE_SHARES_SENTINEL | owed_manager | (owed_protocol << 120)
    new_supply: uint256 = supply + manager_part + protocol_part
    pps_after: uint256 = self._pps(total, new_supply)
    if pps_after > hwm:
        hwm = pps_after
        self._hwm = self._pack(hwm, block.timestamp)
    log FeesCharged(epoch=current, management_assets=management, performance_assets=performance,
                    manager_shares=manager_part, protocol_shares=protocol_part, high_water_mark=hwm)
    return new_supply


# ---------------------------------------------------------------- internal: accounting


@internal
@view
def _total_assets() -> uint256:
    return self._total_assets_of(self._flags, self._assets)


@internal
@view
def _total_assets_of(flags: uint256, assets: uint256) -> uint256:
    # idle + ext + (sent - sent_seen) - (returned - returned_seen); _external_after keeps it >= 0
    if flags & _UNSEEN_CUSTODY == 0:
        return (assets & _U128) + (assets >> 128)
    current: uint256 = self._custody
    seen: uint256 = self._custody_seen
    return ((assets & _U128) + (assets >> 128) + (current & _U128) - (seen & _U128)) \
        - ((current >> 128) - (seen >> 128))


@internal
@view
def _to_shares(assets: uint256, roundup: bool) -> uint256:
    return math._mul_div(assets, shares.totalSupply + VIRTUAL_SHARES, self._total_assets() + VIRTUAL_ASSETS, roundup)


@internal
@view
def _to_assets(shares_: uint256, roundup: bool) -> uint256:
    return math._mul_div(shares_, self._total_assets() + VIRTUAL_ASSETS, shares.totalSupply + VIRTUAL_SHARES, roundup)


@internal
@view
def _fee_config() -> fees.FeeConfig:
    return fees._unpack(self._flags >> _TERMS_SHIFT)


@internal
@pure
def _pps(total: uint256, supply: uint256) -> uint256:
    # pps = (total + 1) * 1e18 / (supply + 1), rounded down
    return math._mul_div(total + VIRTUAL_ASSETS, PPS_SCALE, supply + VIRTUAL_SHARES, False)


@internal
def _accrue_transaction_fee(payer: address, fee: uint256, is_exit: bool):
    if fee == 0:
        return
    manager_part: uint256 = 0
    protocol_part: uint256 = 0
    manager_part, protocol_part = fees._split(fee, convert(self._fee_config().protocol_share_bps, uint256))
    self.accrued_manager_fees += manager_part
    self.accrued_protocol_fees += protocol_part
    log TransactionFeeCharged(payer=payer, is_exit=is_exit, assets=fee, manager_part=manager_part,
                              protocol_part=protocol_part)


@internal
def _pull(owner: address, amount: uint256):
    assert extcall IERC20(asset).transferFrom(owner, self, amount, default_return_value=True), "vault: transfer failed"


@internal
def _push(receiver: address, amount: uint256):
    assert receiver != empty(address), "vault: zero receiver"
    assert extcall IERC20(asset).transfer(receiver, amount, default_return_value=True), "vault: transfer failed"


@internal
@pure
def _pack(low: uint256, high: uint256) -> uint256:
    assert low <= _U128 and high <= _U128, "vault: amount too large"
    return low | (high << 128)


@internal
@pure
def _unpack(word: uint256) -> (uint256, uint256):
    return word & _U128, word >> 128




# ---------------------------------------------------------------- internal: roles


@internal
def _release_fee_shares(recipient: address, offset: uint256) -> uint256:
    # Moves one part of the escrowed fee shares (offset 0: fee recipient, 120: platform) to `recipient`.
    word: uint256 = self._fee_shares
    amount: uint256 = (word >> offset) & _U120
    if amount != 0:
        self._fee_shares = word & ~(_U120 << offset)
        shares._transfer_locked(self, recipient, amount, 0)
        log FeeSharesClaimed(recipient=recipient, shares=amount)
    return amount


@internal
def _set_role(role: Role, account: address):
    assert account != empty(address), "vault: zero address"
    previous: address = empty(address)
    if role == Role.MANAGER:
        previous = self.manager
        self.manager = account
    elif role == Role.GUARDIAN:
        previous = self.guardian
        self.guardian = account
    elif role == Role.FEE_RECIPIENT:
        previous = self.fee_recipient
        # Fee shares earned so far belong to who earned them, not to the next holder of the role.
        self._release_fee_shares(previous, 0)
        self.fee_recipient = account
    elif role == Role.PROTOCOL_FEE_RECIPIENT:
        previous = self.protocol_fee_recipient
        self._release_fee_shares(previous, 120)
        self.protocol_fee_recipient = account
    elif role == Role.WHITELIST_MANAGER:
        previous = self.whitelist_manager
        self.whitelist_manager = account
    else:
        raise "vault: unknown role"
    log RoleSet(role=role, previous=previous, current=account)


@internal
def _set_limits(deposit_cap: uint256, lockup: uint256, min_manager_bps: uint256, sync_max_age: uint256):
    assert lockup <= MAX_LOCKUP, "vault: lockup too long"
    assert min_manager_bps <= BPS, "vault: bps above 100%"
    self.deposit_cap = deposit_cap
    self._flags = (self._flags & ~(_U32 << _LOCKUP_SHIFT)) | (lockup << _LOCKUP_SHIFT)
    self.min_manager_bps = min_manager_bps
    self.sync_max_age = sync_max_age
    self._limits = min(deposit_cap, _U112) | (self._limits & (_U112 << _PENDING_SHIFT)) \
        | (min(sync_max_age, _U32) << _MAX_AGE_SHIFT)
    log LimitsSet(deposit_cap=deposit_cap, lockup=lockup, min_manager_bps=min_manager_bps,
                  sync_max_age=sync_max_age)


@internal
def _set_flag(flag: uint256, enabled: bool):
    if enabled:
        self._flags |= flag
    else:
        self._flags &= ~flag


@internal
@pure
def _check_cap(limits: uint256, assets_after: uint256):
    # The cap field saturates at 2**112 - 1, which also keeps pending deposits inside their field.
    assert assets_after <= limits & _U112, "vault: deposit cap"


@internal
@view
def _check_whitelisted(account: address):
    assert self.whitelisted[account], "vault: not whitelisted"


@internal
@view
def _epoch() -> uint256:
    return (self._flags >> _EPOCH_SHIFT) & _U40


@internal
@view
def _batch() -> uint256:
    return (self._flags >> _BATCH_SHIFT) & _U40


@internal
@view
def _lockup() -> uint256:
    return (self._flags >> _LOCKUP_SHIFT) & _U32


@internal
@view
def _deposit_settled(req_epoch: uint256) -> bool:
    # A past epoch without a settlement record was skipped by a shutdown: its requests stay
    # pending (and cancellable) instead of becoming claims on shares that were never minted.
    return req_epoch != 0 and req_epoch < self._epoch() and self._epoch_deposit[req_epoch] != 0
