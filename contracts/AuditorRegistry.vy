# pragma version ~=0.4.3
# pragma nonreentrancy on
"""
@title VaultCraft auditor registry
@license MIT
@author VaultCraft
@notice One per chain, keyed by vault. Each vault's admin (`Vault.owner()`) registers auditors'
        HPKE X25519 public keys with a validity window; the vault's keepers (its NavOracle's
        keeper set) commit each epoch's view key on-chain and emit one HPKE wrap of it per active
        auditor (ciphertexts only). A later public reveal of an epoch key is checked against its
        commitment: keccak(abi.encode(EPOCH_KEY_COMMIT, chainid, vault, epoch, keccak(epoch_key)))
        (zk/view_keys.py). Optionally, k-of-n auditors attest an epoch's audit with EIP-712
        signatures over (vault, epoch, trade_head, clean) from the Ethereum signer key each
        auditor registered next to its HPKE key.
@custom:security - Only the vault's admin manages its auditors; only its keepers post wraps.
                 - Wraps go only to keys active at posting time; removal ends a window at once and
                   is forward-only (a key already wrapped to stays able to decrypt that epoch), and
                   a removed key cannot be registered again (rotate keys instead).
                 - The epoch-key commitment is write-once per (vault, epoch): later wraps (e.g. for
                   a newly added auditor) must name the same commitment.
                 - Attestations: `quorum` distinct signers (ascending order), each the registered
                   signer of an auditor active at submission; the EIP-712 domain binds chain and
                   this registry; one attestation per (vault, epoch).
@custom:kill No funds and no pause: a vault's admin removes every auditor to stop wraps (and
             sets the attestation quorum to 0); its keepers are managed in the vault's NavOracle.
"""


from snekmate.utils import ecdsa
from snekmate.utils import eip712_domain_separator as eip712

initializes: ecdsa
initializes: eip712

exports: eip712.eip712Domain


interface IVault:
    def owner() -> address: view
    def nav_oracle() -> address: view


interface INavOracle:
    def is_keeper(account: address) -> bool: view


MAX_WRAPS: constant(uint256) = 32
MAX_SIGNERS: constant(uint256) = 16
# HPKE wire: enc (32) ‖ ciphertext of the 32-byte epoch key (32) ‖ tag (16).
WRAP_BYTES: constant(uint256) = 80
# keccak256("vaultcraft.epochkey.commit.v1") (zk.tags.EPOCH_KEY_COMMIT)
EPOCH_KEY_COMMIT: constant(bytes32) = keccak256("vaultcraft.epochkey.commit.v1")
AUDIT_ATTESTATION_TYPEHASH: constant(bytes32) = keccak256(
    "AuditAttestation(address vault,uint256 epoch,bytes32 tradeHead,bool clean)"
)


struct Window:
    # first second the key is active
    valid_from: uint64
    # first second it is no longer active; 0 = never registered
    valid_until: uint64


struct Attestation:
    # trade-log head the auditors checked
    trade_head: bytes32
    # true: everything matched; false: mismatches found
    clean: bool
    # number of signers
    signers: uint256


struct KeyWrap:
    # the auditor's X25519 public key
    auditor_key: bytes32
    # HPKE wire bytes: enc ‖ ct ‖ tag
    wrap: Bytes[WRAP_BYTES]


# @dev vault => auditor X25519 public key => validity window.
window: public(HashMap[address, HashMap[bytes32, Window]])
# @dev vault => number of keys ever registered (windows may have ended).
auditor_count: public(HashMap[address, uint256])
# @dev vault => epoch => commitment to the epoch's view key (zero until posted).
epoch_key_commitment: public(HashMap[address, HashMap[uint256, bytes32]])
# @dev vault => epoch => the epoch key, once publicly revealed (zero until then).
revealed_epoch_key: public(HashMap[address, HashMap[uint256, bytes32]])
# @dev vault => auditor key => the Ethereum address that signs its attestations (zero: none).
signer_of: public(HashMap[address, HashMap[bytes32, address]])
# @dev vault => signer address => the auditor key it signs for.
auditor_of_signer: public(HashMap[address, HashMap[address, bytes32]])
# @dev vault => signatures required for an attestation (0 = attestations off).
attestation_quorum: public(HashMap[address, uint256])
# @dev vault => epoch => the attestation (signers == 0 while none).
attestation: public(HashMap[address, HashMap[uint256, Attestation]])


event AuditorAdded:
    vault: indexed(address)
    auditor_key: indexed(bytes32)
    valid_from: uint256
    valid_until: uint256

event AuditorRemoved:
    vault: indexed(address)
    auditor_key: indexed(bytes32)
    valid_until: uint256

event EpochKeyCommitted:
    vault: indexed(address)
    epoch: indexed(uint256)
    commitment: bytes32

event EpochKeyWrapped:
    vault: indexed(address)
    epoch: indexed(uint256)
    auditor_key: indexed(bytes32)
    wrap: Bytes[WRAP_BYTES]

event AuditorSignerSet:
    vault: indexed(address)
    auditor_key: indexed(bytes32)
    signer: indexed(address)

event AttestationQuorumSet:
    vault: indexed(address)
    quorum: uint256

event AuditAttested:
    vault: indexed(address)
    epoch: indexed(uint256)
    trade_head: bytes32
    clean: bool
    signers: uint256

event EpochKeyRevealed:
    vault: indexed(address)
    epoch: indexed(uint256)
    epoch_key: bytes32


@deploy
def __init__():
    """
    @dev EIP-712 domain "VaultCraft Auditors", version "1", bound to this chain and address.
    """
    ecdsa.__init__()
    eip712.__init__("VaultCraft Auditors", "1")


@external
def add_auditor(vault: address, auditor_key: bytes32, valid_from: uint64, valid_until: uint64):
    """
    @notice Registers an auditor's HPKE X25519 public key for `vault`, active in
            [valid_from, valid_until). Only the vault's admin.
    @param vault The vault.
    @param auditor_key The auditor's X25519 public key (32 bytes).
    @param valid_from Start of the window (unix seconds).
    @param valid_until End of the window (exclusive), after now.
    """
    self._check_admin(vault)
    assert auditor_key != empty(bytes32), "auditors: empty key"
    assert valid_from < valid_until, "auditors: bad window"
    assert convert(valid_until, uint256) > block.timestamp, "auditors: window ended"
    assert self.window[vault][auditor_key].valid_until == 0, "auditors: key exists"
    self.window[vault][auditor_key] = Window(valid_from=valid_from, valid_until=valid_until)
    self.auditor_count[vault] += 1
    log AuditorAdded(vault=vault, auditor_key=auditor_key, valid_from=convert(valid_from, uint256),
                     valid_until=convert(valid_until, uint256))


@external
def remove_auditor(vault: address, auditor_key: bytes32):
    """
    @notice Ends an auditor's window now (forward-only: no later wraps). Only the vault's admin.
    @param vault The vault.
    @param auditor_key The registered key.
    """
    self._check_admin(vault)
    w: Window = self.window[vault][auditor_key]
    now: uint64 = convert(block.timestamp, uint64)
    assert w.valid_until > now, "auditors: not active"
    w.valid_until = now
    if w.valid_from > now:
        w.valid_from = now
    self.window[vault][auditor_key] = w
    log AuditorRemoved(vault=vault, auditor_key=auditor_key, valid_until=block.timestamp)


@external
def post_key_wraps(vault: address, epoch: uint256, commitment: bytes32, wraps: DynArray[KeyWrap, MAX_WRAPS]):
    """
    @notice Commits the epoch's view key (first post) and emits one HPKE wrap of it per auditor.
            Only the vault's keepers. Every wrap must be to a key active now.
    @param vault The vault.
    @param epoch The vault epoch the key belongs to.
    @param commitment keccak(abi.encode(EPOCH_KEY_COMMIT, chainid, vault, epoch, keccak(epoch_key))).
    @param wraps (auditor key, 80-byte HPKE wrap) pairs; may be empty to only commit.
    """
    oracle: address = staticcall IVault(vault).nav_oracle()
    assert staticcall INavOracle(oracle).is_keeper(msg.sender), "auditors: not keeper"
    assert commitment != empty(bytes32), "auditors: empty commitment"
    existing: bytes32 = self.epoch_key_commitment[vault][epoch]
    if existing == empty(bytes32):
        self.epoch_key_commitment[vault][epoch] = commitment
        log EpochKeyCommitted(vault=vault, epoch=epoch, commitment=commitment)
    else:
        assert existing == commitment, "auditors: commitment mismatch"
        assert len(wraps) != 0, "auditors: nothing to post"
    for w: KeyWrap in wraps:
        assert len(w.wrap) == WRAP_BYTES, "auditors: bad wrap length"
        assert self._is_active(vault, w.auditor_key, block.timestamp), "auditors: key not active"
        log EpochKeyWrapped(vault=vault, epoch=epoch, auditor_key=w.auditor_key, wrap=w.wrap)


@external
def reveal_epoch_key(vault: address, epoch: uint256, epoch_key: bytes32):
    """
    @notice Publishes an epoch key (the T+N public reveal); anyone may call, the key must match
            the committed value.
    @param vault The vault.
    @param epoch The epoch.
    @param epoch_key The 32-byte epoch key.
    """
    commitment: bytes32 = self.epoch_key_commitment[vault][epoch]
    assert commitment != empty(bytes32), "auditors: no commitment"
    assert self.revealed_epoch_key[vault][epoch] == empty(bytes32), "auditors: already revealed"
    assert self._commitment(vault, epoch, epoch_key) == commitment, "auditors: key mismatch"
    self.revealed_epoch_key[vault][epoch] = epoch_key
    log EpochKeyRevealed(vault=vault, epoch=epoch, epoch_key=epoch_key)


@external
def set_auditor_signer(vault: address, auditor_key: bytes32, signer: address):
    """
    @notice Sets the Ethereum address that signs `auditor_key`'s attestations (zero clears it).
            Only the vault's admin; the key must be registered and the signer unused in this vault.
    @param vault The vault.
    @param auditor_key A registered auditor key.
    @param signer The signing address, or zero.
    """
    self._check_admin(vault)
    assert self.window[vault][auditor_key].valid_until != 0, "auditors: unknown key"
    old: address = self.signer_of[vault][auditor_key]
    if old != empty(address):
        self.auditor_of_signer[vault][old] = empty(bytes32)
    if signer != empty(address):
        assert self.auditor_of_signer[vault][signer] == empty(bytes32), "auditors: signer in use"
        self.auditor_of_signer[vault][signer] = auditor_key
    self.signer_of[vault][auditor_key] = signer
    log AuditorSignerSet(vault=vault, auditor_key=auditor_key, signer=signer)


@external
def set_attestation_quorum(vault: address, quorum: uint256):
    """
    @notice Number of auditor signatures an attestation needs (0 turns attestations off).
            Only the vault's admin.
    @param vault The vault.
    @param quorum 0..16.
    """
    self._check_admin(vault)
    assert quorum <= MAX_SIGNERS, "auditors: quorum too large"
    self.attestation_quorum[vault] = quorum
    log AttestationQuorumSet(vault=vault, quorum=quorum)


@external
def attest(vault: address, epoch: uint256, trade_head: bytes32, clean: bool,
           signatures: DynArray[Bytes[65], MAX_SIGNERS]):
    """
    @notice Records the auditors' verdict on an epoch: `quorum` signatures over the EIP-712
            AuditAttestation(vault, epoch, tradeHead, clean), signers in ascending order, each the
            signer of an auditor active now. Anyone may submit; once per (vault, epoch).
    @param vault The vault.
    @param epoch The audited epoch.
    @param trade_head The trade-log head the auditors rebuilt.
    @param clean True if every record matched its commitment and the chain.
    @param signatures 65-byte (r, s, v) signatures over `attestation_digest(...)`.
    """
    quorum: uint256 = self.attestation_quorum[vault]
    assert quorum != 0, "auditors: attestations off"
    assert self.attestation[vault][epoch].signers == 0, "auditors: already attested"
    assert len(signatures) >= quorum, "auditors: below quorum"
    digest: bytes32 = self._attestation_digest(vault, epoch, trade_head, clean)
    previous: address = empty(address)
    for signature: Bytes[65] in signatures:
        signer: address = ecdsa._recover_sig(digest, signature)
        assert convert(signer, uint160) > convert(previous, uint160), "auditors: signers not ascending"
        key: bytes32 = self.auditor_of_signer[vault][signer]
        assert key != empty(bytes32), "auditors: signer not auditor"
        assert self._is_active(vault, key, block.timestamp), "auditors: signer not active"
        previous = signer
    self.attestation[vault][epoch] = Attestation(trade_head=trade_head, clean=clean, signers=len(signatures))
    log AuditAttested(vault=vault, epoch=epoch, trade_head=trade_head, clean=clean, signers=len(signatures))


@external
@view
def attestation_digest(vault: address, epoch: uint256, trade_head: bytes32, clean: bool) -> bytes32:
    """
    @notice The EIP-712 digest each auditor signs.
    @param vault The vault.
    @param epoch The epoch.
    @param trade_head The trade-log head.
    @param clean The verdict.
    @return bytes32 The typed-data digest bound to this registry and chain.
    """
    return self._attestation_digest(vault, epoch, trade_head, clean)


@external
@view
def is_active(vault: address, auditor_key: bytes32, at: uint256) -> bool:
    """
    @notice Whether `auditor_key` is an active auditor of `vault` at time `at`.
    @param vault The vault.
    @param auditor_key The key.
    @param at Unix seconds.
    @return bool valid_from <= at < valid_until.
    """
    return self._is_active(vault, auditor_key, at)


@external
@view
def epoch_key_commitment_of(vault: address, epoch: uint256, epoch_key: bytes32) -> bytes32:
    """
    @notice The commitment to `epoch_key` for (this chain, vault, epoch), as zk/view_keys.py computes it.
    @param vault The vault.
    @param epoch The epoch.
    @param epoch_key The epoch key.
    @return bytes32 keccak(abi.encode(EPOCH_KEY_COMMIT, chainid, vault, epoch, keccak(epoch_key))).
    """
    return self._commitment(vault, epoch, epoch_key)


@internal
@view
def _check_admin(vault: address):
    assert msg.sender == staticcall IVault(vault).owner(), "auditors: not admin"


@internal
@view
def _is_active(vault: address, auditor_key: bytes32, at: uint256) -> bool:
    w: Window = self.window[vault][auditor_key]
    return convert(w.valid_from, uint256) <= at and at < convert(w.valid_until, uint256)


@internal
@view
def _attestation_digest(vault: address, epoch: uint256, trade_head: bytes32, clean: bool) -> bytes32:
    return eip712._hash_typed_data_v4(
        keccak256(abi_encode(AUDIT_ATTESTATION_TYPEHASH, vault, epoch, trade_head, clean))
    )


@internal
@view
def _commitment(vault: address, epoch: uint256, epoch_key: bytes32) -> bytes32:
    return keccak256(abi_encode(EPOCH_KEY_COMMIT, chain.id, vault, epoch, keccak256(epoch_key)))
