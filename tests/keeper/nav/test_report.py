"""The epoch report: statements prove holdings against the signed roots; signatures recover to the keepers."""

from __future__ import annotations

import secrets

from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from keeper.nav.report import Snapshot, build_report, report_from_json, report_json
from keeper.nav.valuation import PositionRow
from vaultcraft.protocol import nav_report_typed_data
from zk.context import VaultContext
from zk.leaves import HolderLeaf
from zk.merkle_sum import SumProof, verify

VAULT = "0x" + "12" * 20
ORACLE = "0x" + "34" * 20
SALT = bytes(range(32))
KEYS = ["0x" + "11" * 32, "0x" + "22" * 32]

holders = st.dictionaries(
    st.integers(1, 2**160 - 1).map(lambda n: Account.from_key(n.to_bytes(32, "big")).address),
    st.integers(0, 10**30),
    max_size=12,
)


def snapshot(holdings: dict[str, int]) -> Snapshot:
    rows = [
        PositionRow(b"BTC".ljust(32, b"\0"), 10**8, 6 * 10**12, 5, 0),
        PositionRow(b"USDC".ljust(32, b"\0"), 10**12, 10**8, 10**10, 0),
    ]
    return Snapshot(
        VaultContext.of(31337, VAULT, 7),
        1_800_000_000,
        list(holdings.items()),
        rows,
        secrets.token_bytes(32),
        42,
        10**10,
        0,
    )


@settings(max_examples=25)
@given(holdings=holders)
def test_every_statement_verifies_against_the_report(holdings: dict[str, int]) -> None:
    built = build_report(snapshot(holdings), SALT, ORACLE, KEYS)
    report = built.report
    assert report.holder_sum == sum(holdings.values())
    assert report.external_assets == report.equity - report.debt == 10**10 + 5
    assert {s.holder for s in built.statements} == {h for h, v in holdings.items() if v > 0}
    ctx = VaultContext.of(31337, VAULT, 7)
    for s in built.statements:
        leaf = HolderLeaf(s.holder, s.shares, bytes.fromhex(s.salt[2:])).leaf_hash(ctx)
        assert "0x" + leaf.hex() == s.leaf
        proof = SumProof.from_json(s.proof)
        assert verify(leaf, s.shares, proof, report.holder_root, report.holder_sum, len(proof.siblings))
        assert not verify(
            leaf, s.shares + 1, proof, report.holder_root, report.holder_sum, len(proof.siblings)
        )


def test_signatures_recover_to_the_keepers_in_ascending_order() -> None:
    built = build_report(snapshot({VAULT: 5}), SALT, ORACLE, KEYS)
    signable = encode_typed_data(full_message=nav_report_typed_data(built.report, 31337, ORACLE))
    signers = [Account.recover_message(signable, signature=sig) for sig in built.signatures]
    assert signers == sorted((Account.from_key(k).address for k in KEYS), key=lambda a: int(a, 16))
    assert bytes(signable.body) == built.struct_hash


def test_report_json_round_trips_and_is_deterministic() -> None:
    snap = snapshot({VAULT: 5, ORACLE: 7})
    first, second = build_report(snap, SALT, ORACLE, KEYS), build_report(snap, SALT, ORACLE, KEYS)
    assert first.report == second.report and first.statements == second.statements
    assert report_from_json(report_json(first.report)) == first.report
