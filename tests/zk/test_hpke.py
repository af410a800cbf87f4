"""HPKE: the library suite matches RFC 9180 A.2 and an independent reference implementation."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from tests.zk import hpke_reference as ref
from zk.errors import DecryptionError, EncodingError
from zk.hpke import AuditorPrivateKey, AuditorPublicKey, open_sealed, seal

# RFC 9180 Appendix A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, mode_base.
RFC = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skEm": "f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
    "pkEm": "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    "skRm": "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
    "pkRm": "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
    "enc": "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
    "shared_secret": "0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
    "key_schedule_context": "00431df6cd95e11ff49d7013563baf7f11588c75a6611ee2a4404a49306ae4cfc5"
    "b69c5718a60cc5876c358d3f7fc31ddb598503f67be58ea1e798c0bb19eb9796",
    "secret": "5b9cd775e64b437a2335cf499361b2e0d5e444d5cb41a8a53336d8fe402282c6",
    "key": "ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
    "base_nonce": "5c4d98150661b848853b547f",
    "exporter_secret": "a3b010d4994890e2c6968a36f64470d3c824c8f5029942feb11e7a74b2921922",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "aad0": "436f756e742d30",
    "ct0": "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28",
}


def _b(name: str) -> bytes:
    return bytes.fromhex(RFC[name])


def _sk(name: str) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(_b(name))


def test_reference_key_schedule__rfc9180_a2_vector__matches_every_intermediate() -> None:
    dh = _sk("skRm").exchange(_sk("skEm").public_key())
    shared = ref.shared_secret(dh, _b("enc"), _b("pkRm"))
    assert shared == _b("shared_secret")
    ks = ref.key_schedule(shared, _b("info"))
    for name in ("key_schedule_context", "secret", "key", "base_nonce", "exporter_secret"):
        assert ks[name] == _b(name), name


def test_reference_seal__rfc9180_a2_vector__reproduces_sequence_zero_ciphertext() -> None:
    enc, ct = ref.seal(_b("pkRm"), _b("info"), _b("aad0"), _b("pt"), _sk("skEm"))
    assert enc == _b("enc")
    assert ct == _b("ct0")


def test_library_open__rfc9180_a2_key_schedule__opens_with_rfc_key_and_nonce() -> None:
    # The library's single-shot API fixes AAD to empty, so the RFC's ct0 (AAD "Count-0") cannot be fed to it
    # directly; instead seal under the RFC's key/base_nonce with empty AAD. Opening proves the library
    # derives exactly the RFC key schedule from (enc, skRm, info).
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    ct = ChaCha20Poly1305(_b("key")).encrypt(_b("base_nonce"), _b("pt"), b"")
    key = AuditorPrivateKey.from_bytes(_b("skRm"))
    assert key.public_key().raw == _b("pkRm")
    assert open_sealed(key, _b("enc") + ct, _b("info")) == _b("pt")


def test_library_open__rfc9180_a2_ciphertext_with_aad__matches_when_private_api_present() -> None:
    from cryptography.hazmat.bindings._rust import openssl as rust_openssl
    from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

    decrypt_with_aad = getattr(rust_openssl.hpke, "_decrypt_with_aad", None)
    if decrypt_with_aad is None:
        pytest.skip("this cryptography build has no AAD-capable HPKE entry point")
    suite = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
    pt = decrypt_with_aad(suite, _b("enc") + _b("ct0"), _sk("skRm"), info=_b("info"), aad=_b("aad0"))
    assert pt == _b("pt")


@given(pt=st.binary(max_size=256), info=st.binary(max_size=64))
def test_seal__library_output__opens_with_reference_implementation(pt: bytes, info: bytes) -> None:
    key = AuditorPrivateKey.from_bytes(_b("skRm"))
    sealed = seal(key.public_key(), pt, info)
    assert ref.open_(_sk("skRm"), sealed[:32], info, b"", sealed[32:]) == pt


@given(pt=st.binary(max_size=256), info=st.binary(max_size=64))
def test_open__reference_ciphertext__opens_with_library(pt: bytes, info: bytes) -> None:
    enc, ct = ref.seal(_b("pkRm"), info, b"", pt, X25519PrivateKey.generate())
    assert open_sealed(AuditorPrivateKey.from_bytes(_b("skRm")), enc + ct, info) == pt


def test_open__other_info__rejected() -> None:
    key = AuditorPrivateKey.generate()
    sealed = seal(key.public_key(), b"epoch key", b"info-a")
    with pytest.raises(DecryptionError):
        open_sealed(key, sealed, b"info-b")


def test_open__other_recipient__rejected() -> None:
    sealed = seal(AuditorPrivateKey.generate().public_key(), b"epoch key", b"i")
    with pytest.raises(DecryptionError):
        open_sealed(AuditorPrivateKey.generate(), sealed, b"i")


@pytest.mark.parametrize("position", [0, 31, 32, -1])
def test_open__flipped_byte__rejected(position: int) -> None:
    key = AuditorPrivateKey.generate()
    sealed = bytearray(seal(key.public_key(), b"epoch key", b"i"))
    sealed[position] ^= 0x01
    with pytest.raises(DecryptionError):
        open_sealed(key, bytes(sealed), b"i")


def test_open__truncated_message__rejected() -> None:
    with pytest.raises(DecryptionError):
        open_sealed(AuditorPrivateKey.generate(), bytes(40), b"i")


def test_private_key__repr__does_not_contain_key_bytes() -> None:
    key = AuditorPrivateKey.generate()
    text = repr(key) + str(key)
    assert key.to_bytes().hex() not in text
    assert key.public_key().hex() in text


def test_public_key__wrong_length__rejected() -> None:
    with pytest.raises(EncodingError):
        AuditorPublicKey(bytes(31))
