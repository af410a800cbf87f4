"""NavOracle k-of-n EIP-712 signatures (quorum 2 of 3)."""

import boa
import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils import keccak

from tests.fixtures.boa_protocol import actor_key, one_event
from vaultcraft.protocol import nav_report_typed_data

TYPEHASH = keccak(
    text=(
        "NavReport(uint256 epoch,uint256 externalAssets,uint256 equity,uint256 debt,bytes32 positionRoot,"
        "bytes32 holderRoot,uint256 holderSum,bytes32 tradeHead,uint256 tradeCount,uint256 custodyOut,"
        "uint256 custodyIn,bytes32 reportHash,uint256 timestamp)"
    )
)
FIELD_TYPES = [
    "uint256",
    "uint256",
    "uint256",
    "uint256",
    "bytes32",
    "bytes32",
    "uint256",
    "bytes32",
    "uint256",
    "uint256",
    "uint256",
    "bytes32",
    "uint256",
]


def _ready(p):
    boa.env.time_travel(seconds=3_600)
    return p.report()


def test_post_report__with_two_of_three_keepers__is_accepted_and_emits(priced):
    p = priced
    report = _ready(p)

    assert p.oracle.post_report(report.as_tuple(), p.sign(report, p.keeper_keys[:2]), sender=p.keeper)

    event = one_event(p.oracle, "ReportAccepted")
    struct_hash = p.oracle.report_struct_hash(report.as_tuple())
    assert (event.epoch, event.struct_hash, event.share_price) == (2, struct_hash, 10**18)
    assert tuple(event.report) == report.as_tuple()
    assert p.oracle.report_of(2) == struct_hash
    assert p.oracle.is_accepted(report.as_tuple())
    assert p.oracle.last_report_at() == boa.env.evm.patch.timestamp
    assert p.vault.epoch() == 3


@pytest.mark.parametrize("pair", [(0, 2), (1, 2), (0, 1, 2)], ids=["k0k2", "k1k2", "all_three"])
def test_post_report__with_any_quorum_of_keepers__is_accepted(priced, pair):
    p = priced
    report = _ready(p)
    assert p.post(report, [p.keeper_keys[i] for i in pair])


def test_post_report__with_one_signature__reverts_below_quorum(priced):
    p = priced
    report = _ready(p)
    with boa.reverts("nav: below quorum"):
        p.post(report, p.keeper_keys[:1])


def test_post_report__with_the_same_signer_twice__reverts(priced):
    p = priced
    report = _ready(p)
    signature = p.sign(report, p.keeper_keys[:1])[0]
    with boa.reverts("nav: signers not ascending"):
        p.oracle.post_report(report.as_tuple(), [signature, signature], sender=p.keeper)


def test_post_report__with_signers_in_descending_order__reverts(priced):
    p = priced
    report = _ready(p)
    signatures = p.sign(report, p.keeper_keys[:2])
    with boa.reverts("nav: signers not ascending"):
        p.oracle.post_report(report.as_tuple(), list(reversed(signatures)), sender=p.keeper)


def test_post_report__signed_by_a_non_keeper__reverts(priced):
    p = priced
    report = _ready(p)
    with boa.reverts("nav: signer not keeper"):
        p.post(report, [p.keeper_keys[0], actor_key("attacker")])


def test_post_report__signed_for_another_chain__reverts(priced):
    p = priced
    report = _ready(p)
    signatures = p.sign_as(report, p.keeper_keys[:2], chain_id=boa.env.evm.patch.chain_id + 1)
    with boa.reverts("nav: signer not keeper"):
        p.oracle.post_report(report.as_tuple(), signatures, sender=p.keeper)


def test_post_report__signed_for_another_oracle__reverts(priced):
    p = priced
    report = _ready(p)
    signatures = p.sign_as(report, p.keeper_keys[:2], oracle=p.vault.address)
    with boa.reverts("nav: signer not keeper"):
        p.oracle.post_report(report.as_tuple(), signatures, sender=p.keeper)


@pytest.mark.parametrize("field", ["external_assets", "report_hash", "timestamp"])
def test_post_report__with_a_field_changed_after_signing__reverts(priced, field):
    p = priced
    report = _ready(p)
    signatures = p.sign(report)
    changed = {
        "external_assets": dict(external_assets=1, equity=1),
        "report_hash": dict(report_hash=b"\x07" * 32),
        "timestamp": dict(timestamp=report.timestamp - 1),
    }[field]
    from dataclasses import replace

    with boa.reverts("nav: signer not keeper"):
        p.oracle.post_report(replace(report, **changed).as_tuple(), signatures, sender=p.keeper)


def test_post_report__with_an_empty_signature__reverts(priced):
    p = priced
    report = _ready(p)
    with boa.reverts("nav: signers not ascending"):
        p.oracle.post_report(report.as_tuple(), [b"", b""], sender=p.keeper)


def test_post_report__submitted_by_a_non_keeper__reverts(priced, attacker):
    p = priced
    report = _ready(p)
    with boa.reverts("nav: not keeper"):
        p.oracle.post_report(report.as_tuple(), p.sign(report), sender=attacker)


def test_post_report__signed_by_a_removed_keeper__reverts(priced, admin):
    p = priced
    removed = Account.from_key(p.keeper_keys[1]).address
    p.oracle.set_keeper(removed, False, sender=admin)
    report = _ready(p)
    with boa.reverts("nav: signer not keeper"):
        p.post(report, p.keeper_keys[:2])
    assert p.post(report, [p.keeper_keys[0], p.keeper_keys[2]])


def test_report_digest__is_the_eip712_digest_keepers_sign(priced):
    p = priced
    report = _ready(p)
    typed = nav_report_typed_data(report, boa.env.evm.patch.chain_id, p.oracle.address)
    assert p.oracle.report_digest(report.as_tuple()) == _hash_eip191_message(
        encode_typed_data(full_message=typed)
    )


def test_report_struct_hash__binds_every_field(priced):
    p = priced
    report = _ready(p)
    expected = keccak(encode(["bytes32", *FIELD_TYPES], [TYPEHASH, *report.as_tuple()]))
    assert p.oracle.report_struct_hash(report.as_tuple()) == expected


def test_eip712_domain__names_the_oracle_and_chain(priced):
    p = priced
    domain = p.oracle.eip712Domain()
    assert domain[1:5] == ("VaultCraft NAV", "1", boa.env.evm.patch.chain_id, p.oracle.address)


def test_is_accepted__for_a_report_never_posted__is_false(priced):
    p = priced
    report = _ready(p)
    assert not p.oracle.is_accepted(report.as_tuple())
    assert p.oracle.report_of(report.epoch) == b"\x00" * 32
