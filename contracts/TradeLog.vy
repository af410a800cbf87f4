# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title VaultCraft trade log
@license MIT
@author VaultCraft
@notice One per vault: the append-only hash chain of the vault's venue fills,
        head_n = keccak(head_{n-1} ‖ c_n ‖ keccak(ciphertext_n)), head_0 = 0, seq starting at 1
        (exactly zk/commitments.py). Public vaults post the fills in clear and this contract
        computes each commitment c = keccak(abi.encode(TRADE, chainid, vault, epoch, seq, fill...)),
        so the emitted fields and the chain cannot disagree; their ciphertext is empty.
        Private vaults post only the commitments and the 337-byte envelope ciphertexts.
        The running state costs one storage write per batch (`trade_count`) plus one record
        (`head_at[count]`, the head at each batch end), which is what a NAV report's
        (trade_head, trade_count) is checked against (`covers`).
@custom:security - Gaps, duplicates, reordering: a batch must start at `trade_count + 1`.
                 - Forged fills: only the keepers registered in the vault's NavOracle may post.
                 - Cross-vault / cross-chain replay: public commitments bind chain id and vault here;
                   private commitments bind them off-chain (auditors recompute them).
                 - NAV/trade binding: a report may only name a head recorded at a batch end.
@custom:kill No admin and no pause: the log is append-only. The vault's admin stops posting by
             removing keepers from the NavOracle; a replaced vault gets a new log.
"""


interface IVault:
    def nav_oracle() -> address: view
    def is_private() -> bool: view
    def epoch() -> uint256: view


interface INavOracle:
    def is_keeper(account: address) -> bool: view


# Most fills (or commitments) in one batch.
MAX_BATCH: constant(uint256) = 128
# Envelope record ciphertext v1: version byte ‖ 320-byte ciphertext ‖ 16-byte tag (docs/proofs.md).
RECORD_BYTES: constant(uint256) = 337
MAX_CIPHERTEXT_BYTES: constant(uint256) = MAX_BATCH * RECORD_BYTES
# keccak256("vaultcraft.trade.v1") (zk.tags.TRADE)
TRADE_TAG: constant(bytes32) = keccak256("vaultcraft.trade.v1")
# keccak256(b""): the ciphertext hash of every public-vault entry (zk.commitments.EMPTY_CIPHERTEXT_HASH)
EMPTY_CIPHERTEXT_HASH: constant(bytes32) = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
SIDE_SELL: constant(uint256) = 1


struct Fill:
    # venue fill time (unix seconds)
    ts: uint256
    # venue and instrument symbols, UTF-8 right-padded (zk.abi.bytes32_from_text)
    venue: bytes32
    instrument: bytes32
    # 0 buy, 1 sell
    side: uint256
    # 1e8-scaled quantity, price and fee (fee may be negative: a rebate)
    qty: uint256
    price: uint256
    fee: int256
    # keccak of the venue's fill id (UTF-8)
    venue_fill_id_hash: bytes32
    # commitment salt (zk.salts.trade_salt)
    salt: bytes32


# @dev The vault whose fills this log records.
VAULT: immutable(address)
# @dev The vault's NavOracle: its keeper set may post.
ORACLE: immutable(address)
# @dev Fixed at deployment from the vault: private vaults post commitments, public ones fills.
IS_PRIVATE: immutable(bool)

# @dev Number of entries in the log = seq of the last one; the only running-state write per batch.
trade_count: public(uint256)
# @dev Entry count at the end of each batch => chain head after it; head_at[trade_count] is the head.
head_at: public(HashMap[uint256, bytes32])


# One per public fill, in clear (the commitment is recomputable from these fields and the batch epoch).
event TradeFilled:
    seq: indexed(uint256)
    epoch: uint256
    ts: uint256
    venue: bytes32
    instrument: bytes32
    side: uint256
    qty: uint256
    price: uint256
    fee: int256
    venue_fill_id_hash: bytes32
    salt: bytes32

# One per private entry: only the commitment and the envelope ciphertext.
event TradeCommitted:
    seq: indexed(uint256)
    commitment: bytes32
    ciphertext: Bytes[RECORD_BYTES]

# One per batch: the state change (new count and head).
event TradesPosted:
    first_seq: indexed(uint256)
    epoch: indexed(uint256)
    size: uint256
    trade_count: uint256
    head: bytes32
    keeper: address


@deploy
def __init__(vault: address):
    """
    @dev The oracle and the public/private flag are read from the vault, so they cannot be mismatched.
    @param vault The vault whose fills are logged.
    """
    assert vault != empty(address), "tradelog: zero vault"
    VAULT = vault
    ORACLE = staticcall IVault(vault).nav_oracle()
    IS_PRIVATE = staticcall IVault(vault).is_private()
    assert ORACLE != empty(address), "tradelog: vault has no oracle"


@external
def post_fills(first_seq: uint256, epoch: uint256, fills: DynArray[Fill, MAX_BATCH]):
    """
    @notice Public vaults: appends `fills` as seqs first_seq.. and emits each in clear. The
            commitment of each is computed here, with `epoch` as its context epoch.
    @param first_seq Must be `trade_count + 1`.
    @param epoch The vault epoch the fills belong to (not after the vault's open epoch).
    @param fills 1..128 fills in seq order.
    """
    assert not IS_PRIVATE, "tradelog: private vault"
    count: uint256 = self._check_batch(first_seq, len(fills), epoch)
    head: bytes32 = self.head_at[count]
    seq: uint256 = count
    for f: Fill in fills:
        assert f.side <= SIDE_SELL, "tradelog: bad side"
        seq += 1
        c: bytes32 = keccak256(abi_encode(
            TRADE_TAG, chain.id, VAULT, epoch, seq, f.ts, f.venue, f.instrument, f.side, f.qty,
            f.price, f.fee, f.venue_fill_id_hash, f.salt,
        ))
        head = keccak256(concat(head, c, EMPTY_CIPHERTEXT_HASH))
        log TradeFilled(seq=seq, epoch=epoch, ts=f.ts, venue=f.venue, instrument=f.instrument,
                        side=f.side, qty=f.qty, price=f.price, fee=f.fee,
                        venue_fill_id_hash=f.venue_fill_id_hash, salt=f.salt)
    self._store(first_seq, seq, head, epoch)


@external
def post_trades(first_seq: uint256, epoch: uint256, commitments: DynArray[bytes32, MAX_BATCH],
                ciphertexts: Bytes[MAX_CIPHERTEXT_BYTES]):
    """
    @notice Private vaults: appends `commitments` as seqs first_seq.. with their envelope
            ciphertexts, emitting only commitment and ciphertext per entry.
    @param first_seq Must be `trade_count + 1`.
    @param epoch The vault epoch the entries belong to (for auditors' key derivation).
    @param commitments 1..128 trade commitments in seq order.
    @param ciphertexts The records' ciphertexts back to back, exactly 337 bytes each, in the
           same order (no length prefixes: the record size is fixed by the envelope version).
    """
    assert IS_PRIVATE, "tradelog: public vault"
    n: uint256 = len(commitments)
    count: uint256 = self._check_batch(first_seq, n, epoch)
    assert len(ciphertexts) == n * RECORD_BYTES, "tradelog: ciphertext length"
    head: bytes32 = self.head_at[count]
    seq: uint256 = count
    for i: uint256 in range(n, bound=MAX_BATCH):
        c: bytes32 = commitments[i]
        assert c != empty(bytes32), "tradelog: empty commitment"
        ciphertext: Bytes[RECORD_BYTES] = slice(ciphertexts, i * RECORD_BYTES, RECORD_BYTES)
        head = keccak256(concat(head, c, keccak256(ciphertext)))
        seq += 1
        log TradeCommitted(seq=seq, commitment=c, ciphertext=ciphertext)
    self._store(first_seq, seq, head, epoch)


@external
@view
def head() -> bytes32:
    """
    @notice The current chain head (zero while the log is empty).
    @return bytes32 head_{trade_count}.
    """
    return self.head_at[self.trade_count]


@external
@view
def covers(trade_head: bytes32, trade_count: uint256) -> bool:
    """
    @notice Whether (trade_head, trade_count) is a recorded prefix of this log: the head after
            exactly `trade_count` entries, cut at a batch end. A NAV report's pair must pass this.
    @param trade_head The head a report names.
    @param trade_count The entry count a report names.
    @return bool True iff head_at(trade_count) == trade_head (and 0 entries <=> zero head).
    """
    if trade_count == 0:
        return trade_head == empty(bytes32)
    # head_at is written only at batch ends up to trade_count, so a non-zero match implies both.
    return trade_head != empty(bytes32) and self.head_at[trade_count] == trade_head


@external
@view
def vault() -> address:
    """
    @notice The vault this log belongs to.
    @return address The vault.
    """
    return VAULT


@external
@view
def oracle() -> address:
    """
    @notice The NavOracle whose keepers may post.
    @return address The oracle.
    """
    return ORACLE


@external
@view
def is_private() -> bool:
    """
    @notice Whether entries are commitments + ciphertexts (private) or fills in clear (public).
    @return bool The vault's privacy flag at deployment.
    """
    return IS_PRIVATE


@internal
@view
def _check_batch(first_seq: uint256, size: uint256, epoch: uint256) -> uint256:
    assert size != 0, "tradelog: empty batch"
    assert staticcall INavOracle(ORACLE).is_keeper(msg.sender), "tradelog: not keeper"
    count: uint256 = self.trade_count
    assert first_seq > count, "tradelog: duplicate"
    assert first_seq == count + 1, "tradelog: gap"
    assert epoch <= staticcall IVault(VAULT).epoch(), "tradelog: future epoch"
    return count


@internal
def _store(first_seq: uint256, count: uint256, head: bytes32, epoch: uint256):
    self.trade_count = count
    self.head_at[count] = head
    log TradesPosted(first_seq=first_seq, epoch=epoch, size=count + 1 - first_seq, trade_count=count,
                     head=head, keeper=msg.sender)
