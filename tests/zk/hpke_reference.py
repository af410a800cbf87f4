"""Independent RFC 9180 base-mode HPKE for DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/ChaCha20-Poly1305.

Test-only: written from the RFC's pseudocode (§4, §5.1, §7.1) on top of cryptography's primitives, to check
the library's HPKE against the RFC vector and against each other. Supports a fixed ephemeral key so the RFC
vector's encryption side can be reproduced.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

KEM_SUITE_ID = b"KEM" + (0x0020).to_bytes(2, "big")
HPKE_SUITE_ID = b"HPKE" + bytes.fromhex("0020") + bytes.fromhex("0001") + bytes.fromhex("0003")
MODE_BASE = 0


def extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.digest(salt or bytes(32), ikm, hashlib.sha256)


def expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.digest(prk, block + info + bytes([counter]), hashlib.sha256)
        out += block
        counter += 1
    return out[:length]


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return extract(salt, b"HPKE-v1" + suite_id + label + ikm)


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return expand(prk, length.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info, length)


def _pub(sk: X25519PrivateKey) -> bytes:
    return sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def shared_secret(dh: bytes, enc: bytes, pk_r: bytes) -> bytes:
    eae_prk = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", enc + pk_r, 32)


def key_schedule(shared: bytes, info: bytes) -> dict[str, bytes]:
    psk_id_hash = labeled_extract(HPKE_SUITE_ID, b"", b"psk_id_hash", b"")
    info_hash = labeled_extract(HPKE_SUITE_ID, b"", b"info_hash", info)
    context = bytes([MODE_BASE]) + psk_id_hash + info_hash
    secret = labeled_extract(HPKE_SUITE_ID, shared, b"secret", b"")
    return {
        "key_schedule_context": context,
        "secret": secret,
        "key": labeled_expand(HPKE_SUITE_ID, secret, b"key", context, 32),
        "base_nonce": labeled_expand(HPKE_SUITE_ID, secret, b"base_nonce", context, 12),
        "exporter_secret": labeled_expand(HPKE_SUITE_ID, secret, b"exp", context, 32),
    }


def seal(pk_r: bytes, info: bytes, aad: bytes, pt: bytes, sk_e: X25519PrivateKey) -> tuple[bytes, bytes]:
    """Sequence-0 seal with the given ephemeral key; returns (enc, ct)."""
    enc = _pub(sk_e)
    dh = sk_e.exchange(X25519PublicKey.from_public_bytes(pk_r))
    ks = key_schedule(shared_secret(dh, enc, pk_r), info)
    return enc, ChaCha20Poly1305(ks["key"]).encrypt(ks["base_nonce"], pt, aad)


def open_(sk_r: X25519PrivateKey, enc: bytes, info: bytes, aad: bytes, ct: bytes) -> bytes:
    dh = sk_r.exchange(X25519PublicKey.from_public_bytes(enc))
    ks = key_schedule(shared_secret(dh, enc, _pub(sk_r)), info)
    return ChaCha20Poly1305(ks["key"]).decrypt(ks["base_nonce"], ct, aad)
