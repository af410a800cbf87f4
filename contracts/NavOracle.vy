# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title VaultCraft NAV oracle
@license MIT
@author VaultCraft
@notice The NAV side of one vault: registered keeper keys and their quorum, EIP-712 report
        verification, the safeguards (minimum delay, maximum staleness, per-update and windowed
        price-per-share bounds), quarantine, and the per-epoch record of accepted reports that
        proofs are checked against. The vault deploys its oracle in its constructor and accepts
        settlement only from it. It is a separate contract because vault and NAV logic together
        exceed the EIP-170 code-size limit (36.8 kB measured); the split follows the trust line:
        this contract decides whether a report is acceptable, the vault moves the money.
@custom:security - Forged or replayed reports: `quorum` distinct registered keepers must sign the
                   EIP-712 digest, which binds chain id, this oracle, the epoch and every field.
                 - Manipulated NAV: a report moving the price per share beyond the per-update or
                   windowed bound is quarantined and new vault requests pause until the vault's
                   guardian accepts or rejects it. Bounds compare by cross-multiplication.
                 - Stale NAV: snapshots older than `max_report_staleness` are refused.
@custom:kill Follows its vault: nothing settles while the vault is paused; the vault's admin
             manages keepers and safeguards here.
"""

from snekmate.utils import ecdsa
from snekmate.utils import eip712_domain_separator as eip712

initializes: ecdsa
initializes: eip712

exports: eip712.eip712Domain


interface IVault:
    def owner() -> address: view
    def guardian() -> address: view
    def epoch() -> uint256: view
    def totalSupply() -> uint256: view
    def preview_settlement_price(external_assets: uint256, custody_out: uint256, custody_in: uint256) -> uint256: view
    def settle(epoch: uint256, external_assets: uint256, custody_out: uint256, custody_in: uint256) -> uint256: nonpayable
    def set_quarantined(quarantined: bool): nonpayable


BPS: constant(uint256) = 10_000
MAX_KEEPERS: constant(uint256) = 16
NAV_REPORT_TYPEHASH: constant(bytes32) = keccak256(
    "NavReport(uint256 epoch,uint256 externalAssets,uint256 equity,uint256 debt,bytes32 positionRoot,bytes32 holderRoot,uint256 holderSum,bytes32 tradeHead,uint256 tradeCount,uint256 custodyOut,uint256 custodyIn,bytes32 reportHash,uint256 timestamp)"
)


struct NavReport:
    # epoch this report closes
    epoch: uint256
    # assets held outside the vault at the snapshot: equity - debt
    external_assets: uint256
    # sums of the position tree
    equity: uint256
    debt: uint256
    position_root: bytes32
    holder_root: bytes32
    # sum of the holder tree; must equal the vault's totalSupply when posted
    holder_sum: uint256
    # trade-log hash-chain head and length this NAV covers
    trade_head: bytes32
    trade_count: uint256
    # cumulative assets sent to / returned from custody that `external_assets` already reflects
    custody_out: uint256
    custody_in: uint256
    # keccak of the full off-chain report document
    report_hash: bytes32
    # snapshot time (unix seconds)
    timestamp: uint256


# @dev The vault this oracle settles (its deployer).
vault: public(immutable(address))
# @dev Registered keeper keys, their number and the signatures a report needs.
is_keeper: public(HashMap[address, bool])
keeper_count: public(uint256)
quorum: public(uint256)
# @dev Safeguards: seconds between reports, snapshot age, bps bounds and the window length.
min_report_delay: public(uint256)
max_report_staleness: public(uint256)
max_pps_change_bps: public(uint256)
pps_window: public(uint256)
max_pps_window_change_bps: public(uint256)
# @dev epoch => EIP-712 struct hash of the report that closed it (what proofs are checked against).
report_of: public(HashMap[uint256, bytes32])
# @dev Struct hash of the quarantined report, empty when none.
quarantined: public(bytes32)
# @dev Block time of the last accepted report and its snapshot time.
last_report_at: public(uint256)
last_snapshot_at: public(uint256)
# @dev Trade-log length covered by the last accepted report.
reported_trade_count: public(uint256)
# @dev Price per share (1e18) after the last settlement; rolling window start and its price.
last_pps: public(uint256)
window_start_at: public(uint256)
window_start_pps: public(uint256)


event KeeperSet:
    keeper: indexed(address)
    enabled: bool
    keeper_count: uint256

event QuorumSet:
    quorum: uint256

event NavGuardsSet:
    min_report_delay: uint256
    max_report_staleness: uint256
    max_pps_change_bps: uint256
    pps_window: uint256
    max_pps_window_change_bps: uint256

event ReportAccepted:
    epoch: indexed(uint256)
    struct_hash: indexed(bytes32)
    share_price: uint256
    report: NavReport

event ReportQuarantined:
    epoch: indexed(uint256)
    struct_hash: indexed(bytes32)
    share_price: uint256
    last_share_price: uint256
    report: NavReport

event QuarantineResolved:
    epoch: indexed(uint256)
    struct_hash: indexed(bytes32)
    accepted: bool


@deploy
def __init__(keepers: DynArray[address, MAX_KEEPERS], quorum: uint256):
    """
    @dev Deployed by the vault's constructor from a blueprint; defaults: 1 h between reports,
         24 h staleness, 10% per update, 30% per 7-day window.
    """
    ecdsa.__init__()
    eip712.__init__("VaultCraft NAV", "1")
    vault = msg.sender
    for keeper: address in keepers:
        self._set_keeper(keeper, True)
    self._set_quorum(quorum)
    self._set_nav_guards(3_600, 86_400, 1_000, 7 * 86_400, 3_000)


@external
def post_report(report: NavReport, signatures: DynArray[Bytes[65], MAX_KEEPERS]) -> bool:
    """
    @notice Closes the vault's open epoch with a report signed by `quorum` distinct keepers.
            Inside the bounds it is applied (the vault charges fees and settles the epoch);
            outside them it is quarantined: stored, not applied, vault requests paused.
    @param report The report; `report.epoch` must be the vault's open epoch.
    @param signatures Keeper signatures over `report_digest(report)`, signers in ascending order.
    @return bool True if applied, False if quarantined.
    """
    assert self.is_keeper[msg.sender], "nav: not keeper"
    assert self.quarantined == empty(bytes32), "nav: quarantine pending"
    struct_hash: bytes32 = self._check_report(report)
    self._check_signatures(eip712._hash_typed_data_v4(struct_hash), signatures)
    pps: uint256 = staticcall IVault(vault).preview_settlement_price(
        report.external_assets, report.custody_out, report.custody_in
    )
    if not self._within_bounds(pps):
        self.quarantined = struct_hash
        extcall IVault(vault).set_quarantined(True)
        log ReportQuarantined(epoch=report.epoch, struct_hash=struct_hash, share_price=pps,
                              last_share_price=self.last_pps, report=report)
        return False
    self._apply(report, struct_hash)
    return True


@external
def resolve_quarantine(report: NavReport, accept: bool):
    """
    @notice The vault's guardian accepts (applies as posted) or rejects (discards) the
            quarantined report; after a rejection keepers post a new report for the same epoch.
    @param report The quarantined report; its struct hash must match.
    @param accept Apply or discard.
    """
    assert msg.sender == staticcall IVault(vault).guardian(), "nav: not guardian"
    struct_hash: bytes32 = self.quarantined
    assert struct_hash != empty(bytes32), "nav: nothing quarantined"
    assert self._struct_hash(report) == struct_hash, "nav: not the quarantined report"
    self.quarantined = empty(bytes32)
    extcall IVault(vault).set_quarantined(False)
    log QuarantineResolved(epoch=report.epoch, struct_hash=struct_hash, accepted=accept)
    if accept:
        self._apply(report, struct_hash)


@external
@view
def report_struct_hash(report: NavReport) -> bytes32:
    """
    @notice The EIP-712 struct hash of `report` (what `report_of` stores).
    @param report The report.
    @return bytes32 keccak256(abi.encode(NAV_REPORT_TYPEHASH, report fields...)).
    """
    return self._struct_hash(report)


@external
@view
def report_digest(report: NavReport) -> bytes32:
    """
    @notice The EIP-712 digest each keeper signs.
    @param report The report.
    @return bytes32 The typed-data digest bound to this oracle and chain.
    """
    return eip712._hash_typed_data_v4(self._struct_hash(report))


@external
@view
def is_accepted(report: NavReport) -> bool:
    """
    @notice Whether `report` is the accepted report of its epoch (for proof verifiers).
    @param report The report.
    @return bool True if `report_of[report.epoch]` is its struct hash.
    """
    return self.report_of[report.epoch] == self._struct_hash(report)


@external
def set_keeper(keeper: address, enabled: bool):
    """
    @notice The vault's admin registers or removes a keeper key; removal may not drop below quorum.
    @param keeper The keeper address.
    @param enabled Register or remove.
    """
    self._check_admin()
    self._set_keeper(keeper, enabled)
    assert self.keeper_count >= self.quorum, "nav: below quorum"


@external
def set_quorum(quorum: uint256):
    """
    @notice The vault's admin sets the number of keeper signatures a report needs.
    @param quorum 1..keeper_count.
    """
    self._check_admin()
    self._set_quorum(quorum)


@external
def set_nav_guards(min_report_delay: uint256, max_report_staleness: uint256, max_pps_change_bps: uint256,
                   pps_window: uint256, max_pps_window_change_bps: uint256):
    """
    @notice The vault's admin sets the safeguards.
    @param min_report_delay Minimum seconds between accepted reports.
    @param max_report_staleness Maximum age of a snapshot when posted (non-zero).
    @param max_pps_change_bps Largest price-per-share move per report (1..10,000).
    @param pps_window Length of the rolling window in seconds (non-zero).
    @param max_pps_window_change_bps Largest move within the window (1..10,000).
    """
    self._check_admin()
    self._set_nav_guards(min_report_delay, max_report_staleness, max_pps_change_bps, pps_window,
                         max_pps_window_change_bps)


@internal
@view
def _check_admin():
    assert msg.sender == staticcall IVault(vault).owner(), "nav: not admin"


@internal
@pure
def _struct_hash(report: NavReport) -> bytes32:
    return keccak256(abi_encode(NAV_REPORT_TYPEHASH, report))


@internal
@view
def _check_report(report: NavReport) -> bytes32:
    assert report.epoch == staticcall IVault(vault).epoch(), "nav: wrong epoch"
    assert block.timestamp >= self.last_report_at + self.min_report_delay, "nav: too soon"
    assert report.timestamp <= block.timestamp, "nav: snapshot in the future"
    assert report.timestamp > self.last_snapshot_at, "nav: snapshot not newer"
    assert block.timestamp - report.timestamp <= self.max_report_staleness, "nav: stale report"
    assert report.equity >= report.debt and report.equity - report.debt == report.external_assets, \
        "nav: external != equity - debt"
    assert report.holder_sum == staticcall IVault(vault).totalSupply(), "nav: holder sum != supply"
    assert report.trade_count >= self.reported_trade_count, "nav: trade count went back"
    return self._struct_hash(report)


@internal
@view
def _check_signatures(digest: bytes32, signatures: DynArray[Bytes[65], MAX_KEEPERS]):
    assert len(signatures) >= self.quorum, "nav: below quorum"
    previous: address = empty(address)
    for signature: Bytes[65] in signatures:
        signer: address = ecdsa._recover_sig(digest, signature)
        # Ascending order makes the signers distinct without a seen-set.
        assert convert(signer, uint160) > convert(previous, uint160), "nav: signers not ascending"
        assert self.is_keeper[signer], "nav: signer not keeper"
        previous = signer


@internal
@view
def _within_bounds(pps: uint256) -> bool:
    last: uint256 = self.last_pps
    if last == 0:
        return True
    # |pps - last| * BPS <= last * max_bps: exact, no division
    if self._abs_diff(pps, last) * BPS > last * self.max_pps_change_bps:
        return False
    start: uint256 = self.window_start_pps
    if block.timestamp >= self.window_start_at + self.pps_window:
        start = last
    return self._abs_diff(pps, start) * BPS <= start * self.max_pps_window_change_bps


@internal
def _apply(report: NavReport, struct_hash: bytes32):
    self.report_of[report.epoch] = struct_hash
    self.last_report_at = block.timestamp
    self.last_snapshot_at = report.timestamp
    self.reported_trade_count = report.trade_count
    pps: uint256 = extcall IVault(vault).settle(
        report.epoch, report.external_assets, report.custody_out, report.custody_in
    )
    last: uint256 = self.last_pps
    if last == 0 or block.timestamp >= self.window_start_at + self.pps_window:
        self.window_start_at = block.timestamp
        self.window_start_pps = last if last != 0 else pps
    self.last_pps = pps
    log ReportAccepted(epoch=report.epoch, struct_hash=struct_hash, share_price=pps, report=report)


@internal
@pure
def _abs_diff(a: uint256, b: uint256) -> uint256:
    if a >= b:
        return a - b
    return b - a


@internal
def _set_keeper(keeper: address, enabled: bool):
    assert keeper != empty(address), "nav: zero address"
    assert self.is_keeper[keeper] != enabled, "nav: keeper unchanged"
    self.is_keeper[keeper] = enabled
    count: uint256 = self.keeper_count
    if enabled:
        assert count < MAX_KEEPERS, "nav: too many keepers"
        count += 1
    else:
        count -= 1
    self.keeper_count = count
    log KeeperSet(keeper=keeper, enabled=enabled, keeper_count=count)


@internal
def _set_quorum(quorum: uint256):
    assert quorum != 0 and quorum <= self.keeper_count, "nav: bad quorum"
    self.quorum = quorum
    log QuorumSet(quorum=quorum)


@internal
def _set_nav_guards(min_report_delay: uint256, max_report_staleness: uint256, max_pps_change_bps: uint256,
                    pps_window: uint256, max_pps_window_change_bps: uint256):
    assert max_report_staleness != 0 and pps_window != 0, "nav: zero guard"
    assert max_pps_change_bps != 0 and max_pps_change_bps <= BPS, "nav: bad bps bound"
    assert max_pps_window_change_bps != 0 and max_pps_window_change_bps <= BPS, "nav: bad bps bound"
    self.min_report_delay = min_report_delay
    self.max_report_staleness = max_report_staleness
    self.max_pps_change_bps = max_pps_change_bps
    self.pps_window = pps_window
    self.max_pps_window_change_bps = max_pps_window_change_bps
    log NavGuardsSet(min_report_delay=min_report_delay, max_report_staleness=max_report_staleness,
                     max_pps_change_bps=max_pps_change_bps, pps_window=pps_window,
                     max_pps_window_change_bps=max_pps_window_change_bps)
