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
                 - NAV not bound to trades: once the vault's TradeLog is linked (`set_trade_log`,
                   once), a report's (trade_head, trade_count) must be a recorded prefix of it
                   (`TradeLog.covers`); before that, a report may claim no trades at all.
@custom:kill Follows its vault: nothing settles while the vault is paused; the vault's admin
             manages keepers and safeguards here.
"""

from snekmate.utils import ecdsa
from snekmate.utils import eip712_domain_separator as eip712

from .modules import fees

initializes: ecdsa
initializes: eip712
initializes: fees

exports: (
    eip712.eip712Domain,
    fees.config,
    fees.pending,
    fees.pending_effective_at,
    fees.notice_delay,
)


interface IVault:
    def owner() -> address: view
    def guardian() -> address: view
    def epoch() -> uint256: view
    def totalSupply() -> uint256: view
    def preview_settlement_price(external_assets: uint256, custody_out: uint256, custody_in: uint256) -> uint256: view
    def settle(epoch: uint256, external_assets: uint256, custody_out: uint256, custody_in: uint256) -> uint256: nonpayable
    def set_quarantined(quarantined: bool): nonpayable
    def set_fee_terms(terms: uint256): nonpayable


interface ITradeLog:
    def vault() -> address: view
    def oracle() -> address: view
    def covers(trade_head: bytes32, trade_count: uint256) -> bool: view


BPS: constant(uint256) = 10_000
MAX_KEEPERS: constant(uint256) = 16
_U8: constant(uint256) = 2**8 - 1
_U16: constant(uint256) = 2**16 - 1
_U32: constant(uint256) = 2**32 - 1
_U40: constant(uint256) = 2**40 - 1
_U64: constant(uint256) = 2**64 - 1
_U128: constant(uint256) = 2**128 - 1
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


struct Guards:
    # seconds between accepted reports
    min_report_delay: uint256
    # maximum snapshot age when posted, seconds
    max_report_staleness: uint256
    # rolling window length, seconds
    pps_window: uint256
    # largest price-per-share move per report and per window, bps
    max_pps_change_bps: uint256
    max_pps_window_change_bps: uint256
    # signatures a report needs, and registered keepers
    quorum: uint256
    keeper_count: uint256


struct Clock:
    # block time of the last accepted report
    last_report_at: uint256
    # snapshot time of the last accepted report
    last_snapshot_at: uint256
    # start of the current bound window
    window_start_at: uint256
    # trade-log length covered by the last accepted report
    reported_trade_count: uint256
    # a report waits in quarantine
    has_quarantine: bool
    # a fee change waits for its notice delay (mirrors `fees`, so settlements without one skip
    # reading the fee word)
    fees_scheduled: bool


# @dev The vault this oracle settles (its deployer).
vault: public(immutable(address))
# @dev Registered keeper keys.
is_keeper: public(HashMap[address, bool])
# @dev epoch => EIP-712 struct hash of the report that closed it (what proofs are checked against).
report_of: public(HashMap[uint256, bytes32])
# @dev Struct hash of the quarantined report, empty when none (read only when the clock flag says so).
quarantined: public(bytes32)
# @dev Safeguards and keeper counts in one word, read once per report (see `Guards`).
_guards: uint256
# @dev Report clock in one word (see `Clock`).
_clock: uint256
# @dev last_pps (low 128 bits) | window_start_pps (high 128 bits): prices per share, 1e18.
_prices: uint256
# @dev The vault's TradeLog, linked once by the admin (zero until then); read only for reports
#      that claim trades, so a trade-free report pays nothing for it.
trade_log: public(address)


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

event TradeLogLinked:
    trade_log: indexed(address)


@deploy
def __init__(keepers: DynArray[address, MAX_KEEPERS], quorum: uint256, initial_fees: fees.FeeConfig):
    """
    @dev Deployed by the vault's constructor from a blueprint; defaults: 1 h between reports,
         24 h staleness, 10% per update, 30% per 7-day window, 7-day notice for fee increases.
    """
    ecdsa.__init__()
    eip712.__init__("VaultCraft NAV", "1")
    fees.__init__(initial_fees, fees.DEFAULT_NOTICE_DELAY)
    vault = msg.sender
    guards: Guards = Guards(
        min_report_delay=3_600, max_report_staleness=86_400, pps_window=7 * 86_400,
        max_pps_change_bps=1_000, max_pps_window_change_bps=3_000, quorum=0, keeper_count=0,
    )
    for keeper: address in keepers:
        guards.keeper_count = self._set_keeper(keeper, True, guards.keeper_count)
    guards.quorum = quorum
    self._store_guards(guards)


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
    clock: Clock = self._load_clock()
    assert not clock.has_quarantine, "nav: quarantine pending"
    guards: Guards = self._load_guards()
    struct_hash: bytes32 = self._check_report(report, clock, guards)
    self._check_signatures(eip712._hash_typed_data_v4(struct_hash), signatures, guards.quorum)
    pps: uint256 = staticcall IVault(vault).preview_settlement_price(
        report.external_assets, report.custody_out, report.custody_in
    )
    prices: uint256 = self._prices
    if not self._within_bounds(pps, prices, clock, guards):
        self.quarantined = struct_hash
        clock.has_quarantine = True
        self._store_clock(clock)
        extcall IVault(vault).set_quarantined(True)
        log ReportQuarantined(epoch=report.epoch, struct_hash=struct_hash, share_price=pps,
                              last_share_price=prices & _U128, report=report)
        return False
    self._apply(report, struct_hash, clock, guards, prices)
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
    clock: Clock = self._load_clock()
    assert clock.has_quarantine, "nav: nothing quarantined"
    struct_hash: bytes32 = self.quarantined
    assert self._struct_hash(report) == struct_hash, "nav: not the quarantined report"
    self.quarantined = empty(bytes32)
    clock.has_quarantine = False
    self._store_clock(clock)
    extcall IVault(vault).set_quarantined(False)
    log QuarantineResolved(epoch=report.epoch, struct_hash=struct_hash, accepted=accept)
    if accept:
        self._apply(report, struct_hash, clock, self._load_guards(), self._prices)


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
@view
def guards() -> Guards:
    """
    @notice The safeguards, quorum and keeper count.
    @return Guards The unpacked configuration.
    """
    return self._load_guards()


@external
@view
def clock() -> Clock:
    """
    @notice Times of the last accepted report, the bound window start, the covered trade count
            and whether a report is quarantined.
    @return Clock The unpacked clock.
    """
    return self._load_clock()


@external
@view
def quorum() -> uint256:
    """
    @notice Keeper signatures a report needs.
    @return uint256 The quorum.
    """
    return self._load_guards().quorum


@external
@view
def keeper_count() -> uint256:
    """
    @notice Registered keeper keys.
    @return uint256 The count.
    """
    return self._load_guards().keeper_count


@external
@view
def min_report_delay() -> uint256:
    """
    @notice Minimum seconds between accepted reports.
    @return uint256 Seconds.
    """
    return self._load_guards().min_report_delay


@external
@view
def reported_trade_count() -> uint256:
    """
    @notice Trade-log length covered by the last accepted report.
    @return uint256 The count.
    """
    return self._load_clock().reported_trade_count


@external
@view
def last_report_at() -> uint256:
    """
    @notice Block time of the last accepted report.
    @return uint256 Unix seconds.
    """
    return self._load_clock().last_report_at


@external
@view
def last_pps() -> uint256:
    """
    @notice Price per share (1e18) after the last settlement.
    @return uint256 The price.
    """
    return self._prices & _U128


@external
def set_keeper(keeper: address, enabled: bool):
    """
    @notice The vault's admin registers or removes a keeper key; removal may not drop below quorum.
    @param keeper The keeper address.
    @param enabled Register or remove.
    """
    self._check_admin()
    guards: Guards = self._load_guards()
    guards.keeper_count = self._set_keeper(keeper, enabled, guards.keeper_count)
    assert guards.keeper_count >= guards.quorum, "nav: below quorum"
    self._store_guards(guards)


@external
def set_quorum(quorum: uint256):
    """
    @notice The vault's admin sets the number of keeper signatures a report needs.
    @param quorum 1..keeper_count.
    """
    self._check_admin()
    guards: Guards = self._load_guards()
    guards.quorum = quorum
    self._store_guards(guards)


@external
def set_nav_guards(min_report_delay: uint256, max_report_staleness: uint256, max_pps_change_bps: uint256,
                   pps_window: uint256, max_pps_window_change_bps: uint256):
    """
    @notice The vault's admin sets the safeguards.
    @param min_report_delay Minimum seconds between accepted reports (< 2**32).
    @param max_report_staleness Maximum age of a snapshot when posted (1 .. 2**32-1 s).
    @param max_pps_change_bps Largest price-per-share move per report (1..10,000).
    @param pps_window Length of the rolling window (1 .. 2**32-1 s).
    @param max_pps_window_change_bps Largest move within the window (1..10,000).
    """
    self._check_admin()
    guards: Guards = self._load_guards()
    guards.min_report_delay = min_report_delay
    guards.max_report_staleness = max_report_staleness
    guards.max_pps_change_bps = max_pps_change_bps
    guards.pps_window = pps_window
    guards.max_pps_window_change_bps = max_pps_window_change_bps
    self._store_guards(guards)


@external
def set_trade_log(new_log: address):
    """
    @notice The vault's admin links the vault's TradeLog, once. From then on every report's
            (trade_head, trade_count) must pass `new_log.covers(...)`; a link cannot be changed,
            so reports cannot be moved to a friendlier log later.
    @dev The TradeLog is deployed after the vault (it reads `nav_oracle()` from it), so it
         cannot be an immutable here. Unlinked, reports must claim zero trades (and so
         `reported_trade_count` is still 0 when the link is made).
    @param new_log The TradeLog; its `vault()` must be this oracle's vault and its `oracle()` this oracle.
    """
    self._check_admin()
    assert self.trade_log == empty(address), "nav: trade log already set"
    assert new_log != empty(address), "nav: zero address"
    assert staticcall ITradeLog(new_log).vault() == vault, "nav: trade log of another vault"
    assert staticcall ITradeLog(new_log).oracle() == self, "nav: trade log of another oracle"
    self.trade_log = new_log
    log TradeLogLinked(trade_log=new_log)


@external
def set_fees(new_config: fees.FeeConfig):
    """
    @notice The vault's admin changes fees: every component that favours holders applies now,
            the whole new configuration after the notice delay if anything increases.
    @param new_config The complete new configuration (caps enforced).
    """
    self._check_admin()
    before: uint256 = fees._pack(fees._config())
    fees._set_fees(new_config)
    self._push_fee_terms(before)
    clock: Clock = self._load_clock()
    clock.fees_scheduled = fees._current >> fees._WHEN_SHIFT != 0
    self._store_clock(clock)


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
def _check_report(report: NavReport, clock: Clock, guards: Guards) -> bytes32:
    assert report.epoch == staticcall IVault(vault).epoch(), "nav: wrong epoch"
    assert block.timestamp >= clock.last_report_at + guards.min_report_delay, "nav: too soon"
    assert report.timestamp <= block.timestamp, "nav: snapshot in the future"
    assert report.timestamp > clock.last_snapshot_at, "nav: snapshot not newer"
    assert block.timestamp - report.timestamp <= guards.max_report_staleness, "nav: stale report"
    assert report.equity >= report.debt and report.equity - report.debt == report.external_assets, \
        "nav: external != equity - debt"
    assert report.holder_sum == staticcall IVault(vault).totalSupply(), "nav: holder sum != supply"
    assert report.trade_count >= clock.reported_trade_count, "nav: trade count went back"
    assert report.trade_count <= _U64, "nav: trade count too large"
    self._check_trade_claim(report.trade_head, report.trade_count)
    return self._struct_hash(report)


@internal
@view
def _check_trade_claim(trade_head: bytes32, trade_count: uint256):
    # covers(head, 0) is `head == 0` for every log, so a trade-free report needs no call (and no link).
    if trade_count == 0:
        assert trade_head == empty(bytes32), "nav: trade log does not cover report"
        return
    linked: address = self.trade_log
    assert linked != empty(address), "nav: trade log not linked"
    assert staticcall ITradeLog(linked).covers(trade_head, trade_count), \
        "nav: trade log does not cover report"


@internal
@view
def _check_signatures(digest: bytes32, signatures: DynArray[Bytes[65], MAX_KEEPERS], quorum: uint256):
    assert len(signatures) >= quorum, "nav: below quorum"
    previous: address = empty(address)
    for signature: Bytes[65] in signatures:
        signer: address = ecdsa._recover_sig(digest, signature)
        # Ascending order makes the signers distinct without a seen-set.
        assert convert(signer, uint160) > convert(previous, uint160), "nav: signers not ascending"
        assert self.is_keeper[signer], "nav: signer not keeper"
        previous = signer


@internal
@view
def _within_bounds(pps: uint256, prices: uint256, clock: Clock, guards: Guards) -> bool:
    last: uint256 = prices & _U128
    if last == 0:
        return True
    # |pps - last| * BPS <= last * max_bps: exact, no division
    if self._abs_diff(pps, last) * BPS > last * guards.max_pps_change_bps:
        return False
    start: uint256 = prices >> 128
    if block.timestamp >= clock.window_start_at + guards.pps_window:
        start = last
    return self._abs_diff(pps, start) * BPS <= start * guards.max_pps_window_change_bps


@internal
def _apply(report: NavReport, struct_hash: bytes32, clock: Clock, guards: Guards, prices: uint256):
    self.report_of[report.epoch] = struct_hash
    pps: uint256 = extcall IVault(vault).settle(
        report.epoch, report.external_assets, report.custody_out, report.custody_in
    )
    # A scheduled increase whose notice has run out applies after this settlement: the period it
    # closes is charged at the rates that were in force during it.
    if clock.fees_scheduled:
        before: uint256 = fees._pack(fees._config())
        if fees._apply_due():
            self._push_fee_terms(before)
            clock.fees_scheduled = False
    assert pps <= _U128, "nav: price too large"
    last: uint256 = prices & _U128
    start: uint256 = prices >> 128
    if last == 0 or block.timestamp >= clock.window_start_at + guards.pps_window:
        clock.window_start_at = block.timestamp
        start = last if last != 0 else pps
    clock.last_report_at = block.timestamp
    clock.last_snapshot_at = report.timestamp
    clock.reported_trade_count = report.trade_count
    self._store_clock(clock)
    self._prices = pps | (start << 128)
    log ReportAccepted(epoch=report.epoch, struct_hash=struct_hash, share_price=pps, report=report)


@internal
@pure
def _abs_diff(a: uint256, b: uint256) -> uint256:
    if a >= b:
        return a - b
    return b - a


@internal
def _set_keeper(keeper: address, enabled: bool, count: uint256) -> uint256:
    assert keeper != empty(address), "nav: zero address"
    assert self.is_keeper[keeper] != enabled, "nav: keeper unchanged"
    self.is_keeper[keeper] = enabled
    new_count: uint256 = count
    if enabled:
        assert count < MAX_KEEPERS, "nav: too many keepers"
        new_count += 1
    else:
        new_count -= 1
    log KeeperSet(keeper=keeper, enabled=enabled, keeper_count=new_count)
    return new_count


@internal
@view
def _load_guards() -> Guards:
    word: uint256 = self._guards
    return Guards(
        min_report_delay=word & _U32,
        max_report_staleness=(word >> 32) & _U32,
        pps_window=(word >> 64) & _U32,
        max_pps_change_bps=(word >> 96) & _U16,
        max_pps_window_change_bps=(word >> 112) & _U16,
        quorum=(word >> 128) & _U8,
        keeper_count=(word >> 136) & _U8,
    )


@internal
def _store_guards(g: Guards):
    # Every setter funnels through here, so the limits are checked in one place.
    assert g.quorum != 0 and g.quorum <= g.keeper_count, "nav: bad quorum"
    assert g.max_report_staleness != 0 and g.pps_window != 0, "nav: zero guard"
    assert g.min_report_delay <= _U32 and g.max_report_staleness <= _U32 and g.pps_window <= _U32, \
        "nav: guard too long"
    assert g.max_pps_change_bps != 0 and g.max_pps_change_bps <= BPS, "nav: bad bps bound"
    assert g.max_pps_window_change_bps != 0 and g.max_pps_window_change_bps <= BPS, "nav: bad bps bound"
    previous: Guards = self._load_guards()
    self._guards = (
        g.min_report_delay | (g.max_report_staleness << 32) | (g.pps_window << 64)
        | (g.max_pps_change_bps << 96) | (g.max_pps_window_change_bps << 112)
        | (g.quorum << 128) | (g.keeper_count << 136)
    )
    if g.quorum != previous.quorum:
        log QuorumSet(quorum=g.quorum)
    if (g.min_report_delay != previous.min_report_delay
            or g.max_report_staleness != previous.max_report_staleness
            or g.max_pps_change_bps != previous.max_pps_change_bps
            or g.pps_window != previous.pps_window
            or g.max_pps_window_change_bps != previous.max_pps_window_change_bps):
        log NavGuardsSet(min_report_delay=g.min_report_delay, max_report_staleness=g.max_report_staleness,
                         max_pps_change_bps=g.max_pps_change_bps, pps_window=g.pps_window,
                         max_pps_window_change_bps=g.max_pps_window_change_bps)


@internal
@view
def _load_clock() -> Clock:
    word: uint256 = self._clock
    return Clock(
        last_report_at=word & _U40,
        last_snapshot_at=(word >> 40) & _U40,
        window_start_at=(word >> 80) & _U40,
        reported_trade_count=(word >> 120) & _U64,
        has_quarantine=(word >> 184) & 1 == 1,
        fees_scheduled=(word >> 185) & 1 == 1,
    )


@internal
def _store_clock(c: Clock):
    quarantine: uint256 = 1 if c.has_quarantine else 0
    scheduled: uint256 = 1 if c.fees_scheduled else 0
    self._clock = (
        c.last_report_at | (c.last_snapshot_at << 40) | (c.window_start_at << 80)
        | (c.reported_trade_count << 120) | (quarantine << 184) | (scheduled << 185)
    )


@internal
def _push_fee_terms(before: uint256):
    after: uint256 = fees._pack(fees._config())
    if after != before:
        extcall IVault(vault).set_fee_terms(after)
