"""Holder/position leaves and salts: exact preimages and domain separation."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from eth_abi import encode
from eth_utils import keccak

from zk import tags
from zk.abi import bytes32_from_text
from zk.context import VaultContext
from zk.errors import EncodingError
from zk.leaves import (
    HolderLeaf,
    PositionLeaf,
    build_holder_tree,
    build_position_tree,
    holder_leaves,
    position_leaves,
)
from zk.merkle_sum import verify, verify2
from zk.salts import derive_salt, holder_salt, position_salt, trade_salt

ACCOUNT = bytes.fromhex("70997970C51812dc3A010C7d01b50e0d17dc79C8".lower())


def test_holder_leaf__hash__is_double_keccak_of_abi_encoding(ctx: VaultContext) -> None:
    leaf = HolderLeaf(ACCOUNT, 12345, b"\x07" * 32)
    inner = keccak(
        encode(
            ["bytes32", "uint256", "address", "uint256", "address", "uint256", "bytes32"],
            [tags.HOLDER_LEAF, ctx.chainid, ctx.vault, ctx.epoch, ACCOUNT, 12345, b"\x07" * 32],
        )
    )
    assert leaf.inner_hash(ctx) == inner
    assert leaf.leaf_hash(ctx) == keccak(inner)


def test_position_leaf__hash__is_double_keccak_of_abi_encoding_with_signed_size(ctx: VaultContext) -> None:
    inst = bytes32_from_text("ETH")
    leaf = PositionLeaf(inst, -15 * 10**8, 3200 * 10**8, 1000, 48000, b"\x09" * 32)
    types = ["bytes32", "uint256", "address", "uint256", "bytes32", "int256", "uint256", "uint256", "uint256",
             "bytes32"]
    values = [tags.POSITION_LEAF, ctx.chainid, ctx.vault, ctx.epoch, inst, -15 * 10**8, 3200 * 10**8, 1000,
              48000, b"\x09" * 32]
    assert leaf.leaf_hash(ctx) == keccak(keccak(encode(types, values)))


def test_holder_leaf__other_epoch_or_vault__hashes_differently(ctx: VaultContext) -> None:
    leaf = HolderLeaf(ACCOUNT, 1, b"\x01" * 32)
    assert leaf.leaf_hash(ctx) != leaf.leaf_hash(VaultContext(ctx.chainid, ctx.vault, ctx.epoch + 1))
    assert leaf.leaf_hash(ctx) != leaf.leaf_hash(VaultContext(ctx.chainid, b"\x01" * 20, ctx.epoch))
    assert leaf.leaf_hash(ctx) != leaf.leaf_hash(VaultContext(1, ctx.vault, ctx.epoch))


def test_holder_leaf__negative_shares__rejected(ctx: VaultContext) -> None:
    with pytest.raises(EncodingError):
        HolderLeaf(ACCOUNT, -1, b"\x01" * 32).leaf_hash(ctx)


def test_salt__definition__is_hmac_over_domain_context_kind_and_item(
    ctx: VaultContext, salt_secret: bytes
) -> None:
    msg = b"vaultcraft.salt.v1" + ctx.encoded + b"\x01" + bytes(12) + ACCOUNT
    assert holder_salt(salt_secret, ctx, ACCOUNT) == hmac.digest(salt_secret, msg, hashlib.sha256)


def test_salt__kind_epoch_and_item__all_separate_the_output(ctx: VaultContext, salt_secret: bytes) -> None:
    item = bytes(12) + ACCOUNT
    salts = {
        holder_salt(salt_secret, ctx, ACCOUNT),
        position_salt(salt_secret, ctx, item),  # same 32 bytes, other kind
        holder_salt(salt_secret, VaultContext(ctx.chainid, ctx.vault, ctx.epoch + 1), ACCOUNT),
        holder_salt(salt_secret, ctx, b"\x02" * 20),
        trade_salt(salt_secret, ctx, 1),
    }
    assert len(salts) == 5


def test_salt__short_secret_or_unknown_kind__rejected(ctx: VaultContext) -> None:
    with pytest.raises(EncodingError):
        holder_salt(b"short", ctx, ACCOUNT)
    with pytest.raises(EncodingError):
        derive_salt(bytes(32), ctx, 0x09, bytes(32))


def test_holder_tree__from_helpers__proves_each_holder(ctx: VaultContext, salt_secret: bytes) -> None:
    leaves = holder_leaves(ctx, [(ACCOUNT, 5), ("0x" + "22" * 20, 7), (b"\x33" * 20, 0)], salt_secret)
    tree = build_holder_tree(ctx, leaves, 2)
    assert tree.total == 12
    for i, lf in enumerate(leaves):
        assert verify(lf.leaf_hash(ctx), lf.shares, tree.proof(i), tree.root, tree.total, 2)


def test_position_tree__from_helpers__nav_is_equity_minus_debt(ctx: VaultContext, salt_secret: bytes) -> None:
    rows = [(bytes32_from_text("BTC"), 2, 65000, 130000, 0), (bytes32_from_text("ETH"), -3, 3200, 100, 9600)]
    leaves = position_leaves(ctx, rows, salt_secret)
    tree = build_position_tree(ctx, leaves, 1)
    assert (tree.total_equity, tree.total_debt, tree.nav) == (130100, 9600, 120500)
    lf = leaves[1]
    assert verify2(lf.leaf_hash(ctx), lf.equity, lf.debt, tree.proof(1), tree.root, *tree.total, 1)


def test_holder_leaf__hex_account__normalised_to_bytes_and_bad_fields_rejected() -> None:
    leaf = HolderLeaf("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1, b"\x01" * 32)  # type: ignore[arg-type]
    assert leaf.account == ACCOUNT
    with pytest.raises(EncodingError):
        HolderLeaf(ACCOUNT, 1, b"\x01" * 31)
    with pytest.raises(EncodingError):
        PositionLeaf(bytes32_from_text("BTC"), 2**255, 1, 1, 1, b"\x01" * 32)
