"""Envelope encryption of private-vault trade records.

Per epoch: the keeper derives the epoch key (zk.view_keys) and wraps it once per auditor with HPKE, `info` =
"vaultcraft.hpke.epoch-key.v1" ‖ abi.encode(chainid, vault, epoch), so a wrap only opens for that epoch.

Per record: key = HKDF-Expand(epoch_key, "vaultcraft.viewkey.record.v1" ‖ ctx ‖ seq), ChaCha20-Poly1305 with
AAD = abi.encode(chainid, vault, epoch, seq, commitment). The AAD makes a ciphertext fail to open under any
other record's (vault, epoch, seq) or next to any other commitment. Plaintext = the 320-byte canonical fill
encoding (incl. salt), from which the auditor recomputes the commitment.

Ciphertext = 0x01 (format version) ‖ ChaCha20-Poly1305 ciphertext ‖ tag: 337 bytes, no nonce stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from .abi import bytes32, uint256
from .commitments import TradeFill, trade_commitment
from .context import VaultContext
from .errors import CommitmentMismatchError, DecryptionError, EncodingError
from .hpke import AuditorPrivateKey, AuditorPublicKey, open_sealed, seal
from .keccak import keccak256
from .tags import HPKE_EPOCH_KEY_INFO, RECORD_CIPHERTEXT_VERSION, RECORD_NONCE, TRADE
from .view_keys import EpochKey, check_revealed_epoch_key

NONCE_BYTES = 12
_VERSION = bytes([RECORD_CIPHERTEXT_VERSION])


@dataclass(frozen=True)
class SealedRecord:
    """What the keeper posts for one private fill: seq, commitment, and the ciphertext (or its hash)."""

    seq: int
    commitment: bytes
    ciphertext: bytes

    @property
    def ciphertext_hash(self) -> bytes:
        return keccak256(self.ciphertext)


def record_aad(ctx: VaultContext, seq: int, commitment: bytes) -> bytes:
    return ctx.encoded + uint256(seq, "seq") + bytes32(commitment, "commitment")


def _record_nonce(epoch_key: EpochKey, seq: int, commitment: bytes) -> bytes:
    # Each record key belongs to one (chain, vault, epoch, seq), so in normal operation it encrypts exactly
    # once and even a constant nonce would be safe. A crashed keeper may however re-seal the same seq with a
    # different plaintext (e.g. a corrected timestamp); with a fixed nonce that would reuse (key, nonce) and
    # break ChaCha20-Poly1305. Deriving the nonce from the commitment (a hash of the whole plaintext and
    # context) means a repeated (key, nonce) implies an identical plaintext and ciphertext, which leaks
    # nothing. The auditor recomputes the nonce from public data, so the ciphertext carries none.
    msg = RECORD_NONCE + epoch_key.ctx.encoded + uint256(seq, "seq") + commitment + b"\x01"
    return hmac.digest(epoch_key.secret, msg, hashlib.sha256)[:NONCE_BYTES]


def seal_record(epoch_key: EpochKey, fill: TradeFill) -> SealedRecord:
    ctx = epoch_key.ctx
    plaintext = fill.encode()
    commitment = keccak256(TRADE + ctx.encoded + plaintext)  # = trade_commitment(fill, ctx), encoded once
    aead = ChaCha20Poly1305(epoch_key.record_key(fill.seq))
    nonce = _record_nonce(epoch_key, fill.seq, commitment)
    body = aead.encrypt(nonce, plaintext, record_aad(ctx, fill.seq, commitment))
    return SealedRecord(fill.seq, commitment, _VERSION + body)


def decrypt_record(epoch_key: EpochKey, seq: int, commitment: bytes, ciphertext: bytes) -> TradeFill:
    """Open a record's ciphertext; DecryptionError if it was not sealed for exactly this record."""
    if not ciphertext or ciphertext[:1] != _VERSION:
        raise DecryptionError("unknown record ciphertext version")
    ctx = epoch_key.ctx
    try:
        aead = ChaCha20Poly1305(epoch_key.record_key(seq))
        nonce = _record_nonce(epoch_key, seq, bytes32(commitment, "commitment"))
        plaintext = aead.decrypt(nonce, ciphertext[1:], record_aad(ctx, seq, commitment))
    except InvalidTag:
        raise DecryptionError(f"record seq {seq} does not open under this epoch key and context") from None
    try:
        return TradeFill.decode(plaintext)
    except EncodingError:
        raise DecryptionError(f"record seq {seq} decrypted to a malformed fill") from None


def open_record(epoch_key: EpochKey, seq: int, commitment: bytes, ciphertext: bytes) -> TradeFill:
    """decrypt_record, then check the fill's seq and that it hashes to the posted commitment."""
    fill = decrypt_record(epoch_key, seq, commitment, ciphertext)
    if fill.seq != seq or trade_commitment(fill, epoch_key.ctx) != commitment:
        raise CommitmentMismatchError(f"record seq {seq} does not match its on-chain commitment")
    return fill


def epoch_wrap_info(ctx: VaultContext) -> bytes:
    return HPKE_EPOCH_KEY_INFO + ctx.encoded


def wrap_epoch_key(epoch_key: EpochKey, auditor: AuditorPublicKey) -> bytes:
    """HPKE-seal the 32-byte epoch key to one auditor (80 bytes: enc ‖ ct ‖ tag)."""
    return seal(auditor, epoch_key.secret, epoch_wrap_info(epoch_key.ctx))


def unwrap_epoch_key(
    wrapped: bytes,
    ctx: VaultContext,
    auditor: AuditorPrivateKey,
    expected_commitment: bytes | None = None,
) -> EpochKey:
    """Open an epoch-key wrap; with `expected_commitment`, also check it against the on-chain commitment."""
    secret = open_sealed(auditor, wrapped, epoch_wrap_info(ctx))
    if len(secret) != 32:
        raise DecryptionError("wrapped epoch key has the wrong length")
    if expected_commitment is not None and not check_revealed_epoch_key(ctx, secret, expected_commitment):
        raise CommitmentMismatchError(f"epoch {ctx.epoch} key does not match its on-chain commitment")
    return EpochKey(ctx, secret)
