"""Envelope encryption: round trips, moved or tampered ciphertexts, epoch-key wraps."""

from __future__ import annotations

import calendar

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from hypothesis import given

from tests.zk.strategies import fills, make_fill
from zk.commitments import TradeFill, trade_commitment
from zk.context import VaultContext, VaultId
from zk.envelope import (
    _record_nonce,
    decrypt_record,
    open_record,
    record_aad,
    seal_record,
    unwrap_epoch_key,
    wrap_epoch_key,
)
from zk.errors import CommitmentMismatchError, DecryptionError
from zk.hpke import AuditorPrivateKey
from zk.view_keys import EpochKey, VaultRootKey, epoch_key_commitment

MARCH_2026 = calendar.timegm((2026, 3, 1, 0, 0, 0, 0, 0, 0))
ROOT = bytes(range(32))


@pytest.fixture
def root(vault_id: VaultId) -> VaultRootKey:
    return VaultRootKey(vault_id, ROOT)


@pytest.fixture
def epoch_key(root: VaultRootKey) -> EpochKey:
    return root.epoch_key(7, MARCH_2026)


@given(fills)
def test_seal_then_open__random_fill__returns_same_fill(fill: TradeFill) -> None:
    ek = EpochKey(VaultContext.of(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7), ROOT)
    rec = seal_record(ek, fill)
    assert rec.commitment == trade_commitment(fill, ek.ctx)
    assert len(rec.ciphertext) == 1 + 320 + 16
    assert open_record(ek, rec.seq, rec.commitment, rec.ciphertext) == fill


def test_seal__same_fill_twice__identical_ciphertext(epoch_key: EpochKey) -> None:
    assert seal_record(epoch_key, make_fill(3)) == seal_record(epoch_key, make_fill(3))


def test_seal__different_fill_same_seq__uses_a_different_nonce(epoch_key: EpochKey) -> None:
    a, b = seal_record(epoch_key, make_fill(3, qty=1)), seal_record(epoch_key, make_fill(3, qty=2))
    assert _record_nonce(epoch_key, 3, a.commitment) != _record_nonce(epoch_key, 3, b.commitment)
    assert a.ciphertext != b.ciphertext


def test_open__ciphertext_moved_to_other_seq__rejected(epoch_key: EpochKey) -> None:
    rec = seal_record(epoch_key, make_fill(3))
    with pytest.raises(DecryptionError):
        decrypt_record(epoch_key, 4, rec.commitment, rec.ciphertext)


def test_open__ciphertext_moved_to_other_epoch__rejected(root: VaultRootKey, epoch_key: EpochKey) -> None:
    rec = seal_record(epoch_key, make_fill(3))
    other_epoch = root.epoch_key(8, MARCH_2026 + 86400)
    with pytest.raises(DecryptionError):
        decrypt_record(other_epoch, rec.seq, rec.commitment, rec.ciphertext)
    # Even with the right key material, a context naming another epoch changes the AAD.
    relabelled = EpochKey(VaultContext(epoch_key.ctx.chainid, epoch_key.ctx.vault, 8), epoch_key.secret)
    with pytest.raises(DecryptionError):
        decrypt_record(relabelled, rec.seq, rec.commitment, rec.ciphertext)


def test_open__ciphertext_moved_to_other_vault__rejected(epoch_key: EpochKey) -> None:
    rec = seal_record(epoch_key, make_fill(3))
    c = epoch_key.ctx
    for ctx in (VaultContext(c.chainid, b"\x42" * 20, 7), VaultContext(1, c.vault, 7)):
        with pytest.raises(DecryptionError):
            decrypt_record(EpochKey(ctx, epoch_key.secret), rec.seq, rec.commitment, rec.ciphertext)


def test_open__ciphertext_paired_with_other_commitment__rejected(epoch_key: EpochKey) -> None:
    rec = seal_record(epoch_key, make_fill(3))
    other = seal_record(epoch_key, make_fill(3, qty=999))
    with pytest.raises(DecryptionError):
        decrypt_record(epoch_key, 3, other.commitment, rec.ciphertext)


@pytest.mark.parametrize("position", [0, 1, 200, -1])
def test_open__tampered_ciphertext_byte__rejected(epoch_key: EpochKey, position: int) -> None:
    rec = seal_record(epoch_key, make_fill(3))
    raw = bytearray(rec.ciphertext)
    raw[position] ^= 0x80
    with pytest.raises(DecryptionError):
        decrypt_record(epoch_key, 3, rec.commitment, bytes(raw))


def test_open__keeper_sealed_under_wrong_commitment__reported_as_mismatch(epoch_key: EpochKey) -> None:
    # A dishonest keeper can AEAD-seal fill A next to commitment B; it decrypts, but the recomputed
    # commitment exposes it.
    fill, posted = make_fill(3), trade_commitment(make_fill(3, qty=1), epoch_key.ctx)
    aead = ChaCha20Poly1305(epoch_key.record_key(3))
    nonce = _record_nonce(epoch_key, 3, posted)
    body = aead.encrypt(nonce, fill.encode(), record_aad(epoch_key.ctx, 3, posted))
    ciphertext = b"\x01" + body
    assert decrypt_record(epoch_key, 3, posted, ciphertext) == fill
    with pytest.raises(CommitmentMismatchError):
        open_record(epoch_key, 3, posted, ciphertext)


def test_wrap__each_auditor__unwraps_the_epoch_key(epoch_key: EpochKey) -> None:
    auditors = [AuditorPrivateKey.generate() for _ in range(3)]
    wraps = [wrap_epoch_key(epoch_key, a.public_key()) for a in auditors]
    assert len(set(wraps)) == 3 and all(len(w) == 80 for w in wraps)
    posted = epoch_key_commitment(epoch_key.ctx, epoch_key.secret)
    for a, w in zip(auditors, wraps, strict=True):
        assert unwrap_epoch_key(w, epoch_key.ctx, a, expected_commitment=posted).secret == epoch_key.secret
    with pytest.raises(DecryptionError):
        unwrap_epoch_key(wraps[0], epoch_key.ctx, auditors[1])


def test_unwrap__wrap_presented_for_other_epoch_or_vault__rejected(epoch_key: EpochKey) -> None:
    auditor = AuditorPrivateKey.generate()
    wrapped = wrap_epoch_key(epoch_key, auditor.public_key())
    c = epoch_key.ctx
    others = (VaultContext(c.chainid, c.vault, c.epoch + 1), VaultContext(c.chainid, b"\x01" * 20, c.epoch))
    for ctx in others:
        with pytest.raises(DecryptionError):
            unwrap_epoch_key(wrapped, ctx, auditor)


def test_unwrap__key_not_matching_onchain_commitment__rejected(
    root: VaultRootKey, epoch_key: EpochKey
) -> None:
    auditor = AuditorPrivateKey.generate()
    wrong = EpochKey(epoch_key.ctx, root.epoch_key(9, MARCH_2026).secret)
    wrapped = wrap_epoch_key(wrong, auditor.public_key())
    with pytest.raises(CommitmentMismatchError):
        posted = epoch_key_commitment(epoch_key.ctx, epoch_key.secret)
        unwrap_epoch_key(wrapped, epoch_key.ctx, auditor, posted)


def test_month_key_auditor__record_in_its_month__opens(root: VaultRootKey, epoch_key: EpochKey) -> None:
    rec = seal_record(epoch_key, make_fill(5))
    auditor_epoch_key = root.month_key(2026, 3).epoch_key(7, MARCH_2026)
    assert open_record(auditor_epoch_key, 5, rec.commitment, rec.ciphertext) == make_fill(5)
