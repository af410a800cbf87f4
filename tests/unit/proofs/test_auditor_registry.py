"""AuditorRegistry: per-vault auditor keys with validity windows, epoch-key commitments and HPKE wraps."""

from __future__ import annotations

import boa
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.fixtures.boa_protocol import actor, events, now, one_event, warp
from tests.unit.proofs.helpers import ctx_of, deployer
from zk.envelope import unwrap_epoch_key, wrap_epoch_key
from zk.hpke import AuditorPrivateKey
from zk.keccak import keccak256
from zk.view_keys import EpochKey, epoch_key_commitment

DAY = 86_400


@pytest.fixture
def registry(private_protocol):
    return deployer("AuditorRegistry").deploy()


@pytest.fixture
def auditor():
    return AuditorPrivateKey.from_bytes(keccak256(b"auditor one"))


def _key(private: AuditorPrivateKey) -> bytes:
    return private.public_key().raw


def _epoch_key(p):
    return EpochKey(ctx_of(p.vault.address, p.vault.epoch()), keccak256(b"epoch key %d" % p.vault.epoch()))


def _add(registry, p, key, start=None, length=30 * DAY):
    start = now() if start is None else start
    registry.add_auditor(p.vault.address, key, start, start + length, sender=p.admin)


def test_add_auditor__by_the_vault_admin__registers_the_window_and_emits(registry, private_protocol, auditor):
    p, key = private_protocol, _key(auditor)
    start = now()
    registry.add_auditor(p.vault.address, key, start, start + DAY, sender=p.admin)
    event = one_event(registry, "AuditorAdded")
    assert (event.vault, event.auditor_key, event.valid_from, event.valid_until) == (
        p.vault.address,
        key,
        start,
        start + DAY,
    )
    assert tuple(registry.window(p.vault.address, key)) == (start, start + DAY)
    assert registry.auditor_count(p.vault.address) == 1
    assert registry.is_active(p.vault.address, key, start)
    assert not registry.is_active(p.vault.address, key, start + DAY)
    assert not registry.is_active(p.vault.address, key, start - 1)


def test_add_auditor__by_anyone_but_the_admin__reverts(
    registry, private_protocol, auditor, manager, attacker
):
    for sender in (manager, attacker, private_protocol.keeper):
        with boa.reverts("auditors: not admin"):
            registry.add_auditor(
                private_protocol.vault.address, _key(auditor), now(), now() + DAY, sender=sender
            )


def test_add_auditor__with_bad_input__reverts(registry, private_protocol, auditor):
    p, key, t = private_protocol, _key(auditor), now()
    with boa.reverts("auditors: empty key"):
        registry.add_auditor(p.vault.address, b"\x00" * 32, t, t + DAY, sender=p.admin)
    with boa.reverts("auditors: bad window"):
        registry.add_auditor(p.vault.address, key, t + DAY, t + DAY, sender=p.admin)
    with boa.reverts("auditors: window ended"):
        registry.add_auditor(p.vault.address, key, t - 2 * DAY, t, sender=p.admin)
    registry.add_auditor(p.vault.address, key, t, t + DAY, sender=p.admin)
    with boa.reverts("auditors: key exists"):
        registry.add_auditor(p.vault.address, key, t, t + 2 * DAY, sender=p.admin)


def test_remove_auditor__ends_the_window_now_and_forbids_re_adding(registry, private_protocol, auditor):
    p, key = private_protocol, _key(auditor)
    _add(registry, p, key)
    warp(100)
    registry.remove_auditor(p.vault.address, key, sender=p.admin)
    event = one_event(registry, "AuditorRemoved")
    assert (event.vault, event.auditor_key, event.valid_until) == (p.vault.address, key, now())
    assert not registry.is_active(p.vault.address, key, now())
    with boa.reverts("auditors: not active"):
        registry.remove_auditor(p.vault.address, key, sender=p.admin)
    with boa.reverts("auditors: key exists"):
        _add(registry, p, key)


def test_remove_auditor__by_a_non_admin_or_for_an_unknown_key__reverts(
    registry, private_protocol, auditor, attacker
):
    p, key = private_protocol, _key(auditor)
    with boa.reverts("auditors: not active"):
        registry.remove_auditor(p.vault.address, key, sender=p.admin)
    _add(registry, p, key)
    with boa.reverts("auditors: not admin"):
        registry.remove_auditor(p.vault.address, key, sender=attacker)


def test_post_key_wraps__commits_the_epoch_key_and_emits_wraps_each_auditor_can_open(
    registry, private_protocol, auditor
):
    p = private_protocol
    second = AuditorPrivateKey.from_bytes(keccak256(b"auditor two"))
    for a in (auditor, second):
        _add(registry, p, _key(a))
    key = _epoch_key(p)
    commitment = epoch_key_commitment(key.ctx, key.secret)
    wraps = [(_key(a), wrap_epoch_key(key, a.public_key())) for a in (auditor, second)]
    registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, wraps, sender=p.keeper)
    committed = one_event(registry, "EpochKeyCommitted")
    wrapped = events(registry, "EpochKeyWrapped")
    assert (committed.vault, committed.epoch, committed.commitment) == (
        p.vault.address,
        key.ctx.epoch,
        commitment,
    )
    assert registry.epoch_key_commitment(p.vault.address, key.ctx.epoch) == commitment
    assert registry.epoch_key_commitment_of(p.vault.address, key.ctx.epoch, key.secret) == commitment
    assert [(w.auditor_key, w.wrap) for w in wrapped] == wraps
    for a, w in zip((auditor, second), wrapped, strict=True):
        assert unwrap_epoch_key(w.wrap, key.ctx, a, expected_commitment=commitment).secret == key.secret


def test_post_key_wraps__later_for_a_new_auditor__needs_the_same_commitment(
    registry, private_protocol, auditor
):
    p = private_protocol
    key = _epoch_key(p)
    commitment = epoch_key_commitment(key.ctx, key.secret)
    registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [], sender=p.keeper)
    _add(registry, p, _key(auditor))
    wrap = (_key(auditor), wrap_epoch_key(key, auditor.public_key()))
    with boa.reverts("auditors: commitment mismatch"):
        registry.post_key_wraps(p.vault.address, key.ctx.epoch, keccak256(b"other"), [wrap], sender=p.keeper)
    with boa.reverts("auditors: nothing to post"):
        registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [], sender=p.keeper)
    registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [wrap], sender=p.keeper)
    assert events(registry, "EpochKeyCommitted") == []
    assert len(events(registry, "EpochKeyWrapped")) == 1


def test_post_key_wraps__to_an_inactive_or_removed_key__reverts(registry, private_protocol, auditor):
    p = private_protocol
    key = _epoch_key(p)
    commitment = epoch_key_commitment(key.ctx, key.secret)
    wrap = (_key(auditor), wrap_epoch_key(key, auditor.public_key()))
    with boa.reverts("auditors: key not active"):
        registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [wrap], sender=p.keeper)
    _add(registry, p, _key(auditor), start=now() + DAY)
    with boa.reverts("auditors: key not active"):
        registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [wrap], sender=p.keeper)
    warp(DAY)
    registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [wrap], sender=p.keeper)
    registry.remove_auditor(p.vault.address, _key(auditor), sender=p.admin)
    with boa.reverts("auditors: key not active"):
        registry.post_key_wraps(p.vault.address, key.ctx.epoch, commitment, [wrap], sender=p.keeper)


def test_post_key_wraps__with_bad_input_or_sender__reverts(registry, private_protocol, auditor, attacker):
    p = private_protocol
    _add(registry, p, _key(auditor))
    epoch = p.vault.epoch()
    with boa.reverts("auditors: not keeper"):
        registry.post_key_wraps(p.vault.address, epoch, keccak256(b"c"), [], sender=attacker)
    with boa.reverts("auditors: empty commitment"):
        registry.post_key_wraps(p.vault.address, epoch, b"\x00" * 32, [], sender=p.keeper)
    with boa.reverts("auditors: bad wrap length"):
        registry.post_key_wraps(
            p.vault.address, epoch, keccak256(b"c"), [(_key(auditor), b"\x01" * 79)], sender=p.keeper
        )


def test_post_key_wraps__keys_are_per_vault(registry, private_protocol, protocol, auditor):
    """A key registered for one vault is not an auditor of another."""
    _add(registry, private_protocol, _key(auditor))
    assert not registry.is_active(protocol.vault.address, _key(auditor), now())


def test_reveal_epoch_key__checks_the_commitment_and_publishes_once(registry, private_protocol, attacker):
    p = private_protocol
    key = _epoch_key(p)
    epoch = key.ctx.epoch
    with boa.reverts("auditors: no commitment"):
        registry.reveal_epoch_key(p.vault.address, epoch, key.secret, sender=attacker)
    registry.post_key_wraps(
        p.vault.address, epoch, epoch_key_commitment(key.ctx, key.secret), [], sender=p.keeper
    )
    with boa.reverts("auditors: key mismatch"):
        registry.reveal_epoch_key(p.vault.address, epoch, keccak256(b"guess"), sender=attacker)
    registry.reveal_epoch_key(p.vault.address, epoch, key.secret, sender=actor("anyone"))
    event = one_event(registry, "EpochKeyRevealed")
    assert (event.vault, event.epoch, event.epoch_key) == (p.vault.address, epoch, key.secret)
    assert registry.revealed_epoch_key(p.vault.address, epoch) == key.secret
    with boa.reverts("auditors: already revealed"):
        registry.reveal_epoch_key(p.vault.address, epoch, key.secret, sender=attacker)


# ------------------------------------------------------------------------------------------------ attestation


def _signer_key(i: int) -> bytes:
    return keccak256(b"auditor signer %d" % i)


def _attestation_signatures(
    registry,
    vault: str,
    epoch: int,
    head: bytes,
    clean: bool,
    keys: list[bytes],
    chain: int | None = None,
    verifying: str | None = None,
) -> list[bytes]:
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "AuditAttestation": [
                {"name": "vault", "type": "address"},
                {"name": "epoch", "type": "uint256"},
                {"name": "tradeHead", "type": "bytes32"},
                {"name": "clean", "type": "bool"},
            ],
        },
        "primaryType": "AuditAttestation",
        "domain": {
            "name": "VaultCraft Auditors",
            "version": "1",
            "chainId": boa.env.evm.patch.chain_id if chain is None else chain,
            "verifyingContract": verifying or registry.address,
        },
        "message": {"vault": vault, "epoch": epoch, "tradeHead": head, "clean": clean},
    }
    signable = encode_typed_data(full_message=typed)
    signed = [(Account.from_key(k).address, Account.sign_message(signable, k).signature) for k in keys]
    return [bytes(sig) for _, sig in sorted(signed, key=lambda pair: int(pair[0], 16))]


@pytest.fixture
def attestors(registry, private_protocol):
    """Three auditors with signer keys registered; quorum 2."""
    p = private_protocol
    for i in range(3):
        key = _key(AuditorPrivateKey.from_bytes(keccak256(b"attestor %d" % i)))
        _add(registry, p, key)
        registry.set_auditor_signer(
            p.vault.address, key, Account.from_key(_signer_key(i)).address, sender=p.admin
        )
    registry.set_attestation_quorum(p.vault.address, 2, sender=p.admin)
    return [_signer_key(i) for i in range(3)]


def test_attestation_digest__matches_eth_account_typed_data(registry, private_protocol, attestors):
    p, head = private_protocol, keccak256(b"head")
    sig = _attestation_signatures(registry, p.vault.address, 5, head, True, attestors[:1])[0]
    digest = registry.attestation_digest(p.vault.address, 5, head, True)
    assert Account._recover_hash(digest, signature=sig) == Account.from_key(attestors[0]).address


def test_attest__with_quorum_signatures__records_the_verdict_and_emits(registry, private_protocol, attestors):
    p, head = private_protocol, keccak256(b"head")
    sigs = _attestation_signatures(registry, p.vault.address, 5, head, False, attestors[:2])
    registry.attest(p.vault.address, 5, head, False, sigs, sender=actor("anyone"))
    event = one_event(registry, "AuditAttested")
    assert (event.vault, event.epoch, event.trade_head, event.clean, event.signers) == (
        p.vault.address,
        5,
        head,
        False,
        2,
    )
    assert tuple(registry.attestation(p.vault.address, 5)) == (head, False, 2)
    with boa.reverts("auditors: already attested"):
        registry.attest(p.vault.address, 5, head, False, sigs)


def test_attest__below_quorum_or_with_attestations_off__reverts(registry, private_protocol, attestors):
    p, head = private_protocol, keccak256(b"head")
    with boa.reverts("auditors: below quorum"):
        registry.attest(
            p.vault.address,
            5,
            head,
            True,
            _attestation_signatures(registry, p.vault.address, 5, head, True, attestors[:1]),
        )
    registry.set_attestation_quorum(p.vault.address, 0, sender=p.admin)
    with boa.reverts("auditors: attestations off"):
        registry.attest(
            p.vault.address,
            5,
            head,
            True,
            _attestation_signatures(registry, p.vault.address, 5, head, True, attestors[:2]),
        )


def test_attest__with_a_repeated_or_unordered_signer__reverts(registry, private_protocol, attestors):
    p, head = private_protocol, keccak256(b"head")
    sigs = _attestation_signatures(registry, p.vault.address, 5, head, True, attestors[:2])
    for bad in ([sigs[0], sigs[0]], sigs[::-1]):
        with boa.reverts("auditors: signers not ascending"):
            registry.attest(p.vault.address, 5, head, True, bad)


def test_attest__signed_over_another_verdict_head_or_domain__reverts(registry, private_protocol, attestors):
    """A signature over different content recovers to an unrelated address (quorum 1: one signature)."""
    p, head = private_protocol, keccak256(b"head")
    registry.set_attestation_quorum(p.vault.address, 1, sender=p.admin)
    vault, one = p.vault.address, attestors[:1]
    for sigs in (
        _attestation_signatures(registry, vault, 5, head, False, one),
        _attestation_signatures(registry, vault, 6, head, True, one),
        _attestation_signatures(registry, vault, 5, keccak256(b"other head"), True, one),
        _attestation_signatures(registry, vault, 5, head, True, one, chain=999),
        _attestation_signatures(registry, vault, 5, head, True, one, verifying=p.oracle.address),
    ):
        with boa.reverts("auditors: signer not auditor"):
            registry.attest(vault, 5, head, True, sigs)
    assert tuple(registry.attestation(vault, 5)) == (b"\x00" * 32, False, 0)
    registry.attest(vault, 5, head, True, _attestation_signatures(registry, vault, 5, head, True, one))


def test_attest__by_an_unregistered_or_removed_signer__reverts(registry, private_protocol, attestors):
    p, head = private_protocol, keccak256(b"head")
    outsider = keccak256(b"not an auditor")
    with boa.reverts("auditors: signer not auditor"):
        registry.attest(
            p.vault.address,
            5,
            head,
            True,
            _attestation_signatures(registry, p.vault.address, 5, head, True, [attestors[0], outsider]),
        )
    removed = _key(AuditorPrivateKey.from_bytes(keccak256(b"attestor 1")))
    registry.remove_auditor(p.vault.address, removed, sender=p.admin)
    with boa.reverts("auditors: signer not active"):
        registry.attest(
            p.vault.address,
            5,
            head,
            True,
            _attestation_signatures(registry, p.vault.address, 5, head, True, attestors[:2]),
        )


def test_set_auditor_signer__guards_its_inputs(registry, private_protocol, auditor, attacker):
    p, key = private_protocol, _key(auditor)
    signer = Account.from_key(_signer_key(9)).address
    with boa.reverts("auditors: unknown key"):
        registry.set_auditor_signer(p.vault.address, key, signer, sender=p.admin)
    _add(registry, p, key)
    with boa.reverts("auditors: not admin"):
        registry.set_auditor_signer(p.vault.address, key, signer, sender=attacker)
    registry.set_auditor_signer(p.vault.address, key, signer, sender=p.admin)
    event = one_event(registry, "AuditorSignerSet")
    assert (event.vault, event.auditor_key, event.signer) == (p.vault.address, key, signer)
    other = _key(AuditorPrivateKey.from_bytes(keccak256(b"auditor other")))
    _add(registry, p, other)
    with boa.reverts("auditors: signer in use"):
        registry.set_auditor_signer(p.vault.address, other, signer, sender=p.admin)
    registry.set_auditor_signer(
        p.vault.address, key, "0x0000000000000000000000000000000000000000", sender=p.admin
    )
    assert registry.auditor_of_signer(p.vault.address, signer) == b"\x00" * 32
    registry.set_auditor_signer(p.vault.address, other, signer, sender=p.admin)
    assert registry.auditor_of_signer(p.vault.address, signer) == other


def test_set_attestation_quorum__by_admin_only_and_bounded(registry, private_protocol, attacker):
    p = private_protocol
    with boa.reverts("auditors: not admin"):
        registry.set_attestation_quorum(p.vault.address, 1, sender=attacker)
    with boa.reverts("auditors: quorum too large"):
        registry.set_attestation_quorum(p.vault.address, 17, sender=p.admin)
    registry.set_attestation_quorum(p.vault.address, 3, sender=p.admin)
    assert one_event(registry, "AttestationQuorumSet").quorum == 3
    assert registry.attestation_quorum(p.vault.address) == 3
