"""HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305.

cryptography >= 47 ships HPKE (`cryptography.hazmat.primitives.hpke`), so we use it rather than our own key
schedule; tests/zk/test_hpke.py checks it against the RFC 9180 A.2 vector and an independent reference
implementation. Its single-shot API seals one message with empty AAD, which is all a key wrap needs: the
context goes into `info`. Wire format: enc (32 bytes) ‖ ciphertext ‖ tag (16 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from .errors import DecryptionError, EncodingError

KEM_ID = 0x0020
KDF_ID = 0x0001
AEAD_ID = 0x0003
ENC_BYTES = 32
TAG_BYTES = 16

_RAW = serialization.Encoding.Raw


def _suite() -> Suite:
    return Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)


@dataclass(frozen=True)
class AuditorPublicKey:
    """An auditor's X25519 public key (32 raw bytes), as registered on-chain."""

    raw: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != 32:
            raise EncodingError("auditor public key must be 32 bytes")

    def hex(self) -> str:
        return "0x" + self.raw.hex()

    def _key(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(self.raw)


@dataclass(frozen=True, eq=False)
class AuditorPrivateKey:
    """An auditor's X25519 private key. repr() never shows the key."""

    _key: X25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> AuditorPrivateKey:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, raw: bytes) -> AuditorPrivateKey:
        if not isinstance(raw, bytes) or len(raw) != 32:
            raise EncodingError("auditor private key must be 32 bytes")
        return cls(X25519PrivateKey.from_private_bytes(raw))

    def to_bytes(self) -> bytes:
        return self._key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())

    def public_key(self) -> AuditorPublicKey:
        return AuditorPublicKey(self._key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw))

    def __repr__(self) -> str:
        return f"AuditorPrivateKey(public={self.public_key().hex()})"


def seal(recipient: AuditorPublicKey, plaintext: bytes, info: bytes) -> bytes:
    """Single-shot HPKE base-mode seal with a fresh ephemeral key: enc ‖ ct."""
    return _suite().encrypt(plaintext, recipient._key(), info=info)


def open_sealed(recipient: AuditorPrivateKey, sealed: bytes, info: bytes) -> bytes:
    """Inverse of seal; DecryptionError if the key, info or bytes do not match."""
    if len(sealed) < ENC_BYTES + TAG_BYTES:
        raise DecryptionError("sealed message too short")
    try:
        return _suite().decrypt(sealed, recipient._key, info=info)
    except (InvalidTag, ValueError):
        # ValueError covers a malformed or low-order enc point; both mean "does not open".
        raise DecryptionError("HPKE open failed (wrong key, wrong context or tampered)") from None
