"""Typed, double-hashed holder and position leaves.

inner = keccak(abi.encode(TAG, chainid, vault, epoch, fields..., salt)); leaf = keccak(inner).
The type tag keeps holder and position leaves apart. Hashing twice means a leaf is the hash of a 32-byte
message while every internal node hashes a tagged 160- or 224-byte one, so no node can be passed off as a
leaf (second-preimage defence). Binding (chainid, vault, epoch) stops a leaf from one snapshot being replayed
as a member of another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .abi import address, bytes32, int256, parse_address, uint256
from .context import VaultContext
from .keccak import keccak256
from .merkle_sum import Sum2Tree, SumTree
from .salts import holder_salt, position_salt
from .tags import HOLDER_LEAF, POSITION_LEAF


@dataclass(frozen=True)
class HolderLeaf:
    """One investor's shares at the epoch snapshot; `account` is the 20-byte address."""

    account: bytes
    shares: int
    salt: bytes

    def __post_init__(self) -> None:
        # Normalise a hex address to its 20 bytes and fail on bad fields here, not deep inside a tree build.
        object.__setattr__(self, "account", parse_address(self.account))
        uint256(self.shares, "shares")
        bytes32(self.salt, "salt")

    def inner_preimage(self, ctx: VaultContext) -> bytes:
        return (
            HOLDER_LEAF
            + ctx.encoded
            + address(self.account)
            + uint256(self.shares, "shares")
            + bytes32(self.salt, "salt")
        )

    def inner_hash(self, ctx: VaultContext) -> bytes:
        return keccak256(self.inner_preimage(ctx))

    def leaf_hash(self, ctx: VaultContext) -> bytes:
        return keccak256(self.inner_hash(ctx))


@dataclass(frozen=True)
class PositionLeaf:
    """One instrument's position; all amounts are integers in the keeper's fixed-point units."""

    instrument: bytes
    size: int
    mark_price: int
    equity: int
    debt: int
    salt: bytes

    def __post_init__(self) -> None:
        bytes32(self.instrument, "instrument")
        int256(self.size, "size")
        for name in ("mark_price", "equity", "debt"):
            uint256(getattr(self, name), name)
        bytes32(self.salt, "salt")

    def inner_preimage(self, ctx: VaultContext) -> bytes:
        return (
            POSITION_LEAF
            + ctx.encoded
            + bytes32(self.instrument, "instrument")
            + int256(self.size, "size")
            + uint256(self.mark_price, "mark_price")
            + uint256(self.equity, "equity")
            + uint256(self.debt, "debt")
            + bytes32(self.salt, "salt")
        )

    def inner_hash(self, ctx: VaultContext) -> bytes:
        return keccak256(self.inner_preimage(ctx))

    def leaf_hash(self, ctx: VaultContext) -> bytes:
        return keccak256(self.inner_hash(ctx))


def holder_leaves(
    ctx: VaultContext, holdings: Iterable[tuple[str | bytes, int]], salt_secret: bytes
) -> list[HolderLeaf]:
    """Salted leaves in the given order (the caller fixes the order, e.g. sorted by account)."""
    out = []
    for account, shares in holdings:
        raw = parse_address(account)
        out.append(HolderLeaf(raw, shares, holder_salt(salt_secret, ctx, raw)))
    return out


def holder_leaf_hashes(
    ctx: VaultContext, accounts: Sequence[bytes], shares: Sequence[int], salts: Sequence[bytes]
) -> list[bytes]:
    """`[HolderLeaf(a, s, salt).leaf_hash(ctx) ...]` without a per-leaf object: the same preimage and the
    same field checks, for callers (the epoch close) that hash every holder of a vault."""
    prefix = HOLDER_LEAF + ctx.encoded
    return [
        keccak256(keccak256(prefix + address(a) + uint256(s, "shares") + bytes32(salt, "salt")))
        for a, s, salt in zip(accounts, shares, salts, strict=True)
    ]


def position_leaves(
    ctx: VaultContext, positions: Iterable[tuple[bytes, int, int, int, int]], salt_secret: bytes
) -> list[PositionLeaf]:
    """positions: (instrument, size, mark_price, equity, debt) tuples."""
    return [
        PositionLeaf(inst, size, mark, eq, debt, position_salt(salt_secret, ctx, inst))
        for inst, size, mark, eq, debt in positions
    ]


def build_holder_tree(ctx: VaultContext, leaves: Sequence[HolderLeaf], depth: int) -> SumTree:
    return SumTree.build([(lf.leaf_hash(ctx), lf.shares) for lf in leaves], depth)


def build_position_tree(ctx: VaultContext, leaves: Sequence[PositionLeaf], depth: int) -> Sum2Tree:
    return Sum2Tree.build([(lf.leaf_hash(ctx), lf.equity, lf.debt) for lf in leaves], depth)
