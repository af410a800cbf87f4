"""Fixed-depth Merkle-sum trees with the node layout the Vyper verifiers recompute.

Single-sum node: keccak(abi.encode(SUM_NODE, left_hash, left_sum, right_hash, right_sum)).
Two-sum node:    keccak(abi.encode(SUM2_NODE, lh, l_equity, l_debt, rh, r_equity, r_debt)).

Each node hashes *both* children's sums, not only their total: if only the total were hashed, a prover could
show the users on each side of a node a different split of that total (the known flaw of the original
Maxwell scheme) and understate liabilities. Empty leaf slots are (0x00..00, 0); an empty subtree of height
k+1 hashes two empty subtrees of height k, so every internal node follows the one rule above.

Storage: each level is one bytes blob of fixed-size records (hash ‖ sum word(s)). Two neighbouring records are
exactly the ABI words of their parent's preimage after the tag, so hashing a node is one slice and one keccak,
with no per-node Python objects kept alive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .abi import UINT256_MAX, hex32
from .errors import EncodingError, InvalidProofError, SumOverflowError, TreeError
from .keccak import keccak256
from .tags import SUM2_NODE, SUM_NODE, ZERO32

MAX_DEPTH = 32
_WORD0 = bytes(32)


def _check_depth(depth: object) -> int:
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= MAX_DEPTH:
        raise TreeError(f"depth must be an int in 1..{MAX_DEPTH}")
    return depth


def _zero_subtrees(tag: bytes, width: int, depth: int) -> list[bytes]:
    """Hash of an all-empty subtree of each height 0..depth (height 0 is the empty leaf, all zero)."""
    zero_sums = _WORD0 * width
    out = [ZERO32]
    for _ in range(depth):
        z = out[-1]
        out.append(keccak256(tag + z + zero_sums + z + zero_sums))
    return out


def _valid_sum(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= UINT256_MAX


# --------------------------------------------------------------------------------------------------- proofs


def _json_uint(value: object) -> int:
    """A JSON uint256: a decimal string or an int (never a float, never negative)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("expected decimal string or int")
    number = int(value) if isinstance(value, int) else int(value, 10)
    if not 0 <= number <= UINT256_MAX:
        raise ValueError("outside uint256")
    return number


@dataclass(frozen=True)
class SumProof:
    """Path for a single-sum tree: `siblings[k]` = (hash, sum) of the sibling at level k, bottom-up."""

    index: int
    siblings: tuple[tuple[bytes, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "siblings": [{"hash": "0x" + h.hex(), "sum": str(s)} for h, s in self.siblings],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SumProof:
        try:
            sibs = tuple((hex32(s["hash"]), _json_uint(s["sum"])) for s in data["siblings"])
            return cls(_json_uint(data["index"]), sibs)
        except (KeyError, TypeError, ValueError) as exc:
            raise EncodingError(f"malformed proof JSON: {type(exc).__name__}") from None


@dataclass(frozen=True)
class Sum2Proof:
    """Path for a two-sum tree: `siblings[k]` = (hash, equity, debt) of the sibling at level k, bottom-up."""

    index: int
    siblings: tuple[tuple[bytes, int, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "siblings": [
                {"hash": "0x" + h.hex(), "equity": str(e), "debt": str(d)} for h, e, d in self.siblings
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sum2Proof:
        try:
            sibs = tuple(
                (hex32(s["hash"]), _json_uint(s["equity"]), _json_uint(s["debt"])) for s in data["siblings"]
            )
            return cls(_json_uint(data["index"]), sibs)
        except (KeyError, TypeError, ValueError) as exc:
            raise EncodingError(f"malformed proof JSON: {type(exc).__name__}") from None


# --------------------------------------------------------------------------------------------------- trees


class _LevelTree:
    """Shared storage and proof extraction; subclasses fix the tag and the number of sums per record."""

    _TAG: bytes
    _WIDTH: int

    def __init__(self, depth: int, n_leaves: int, levels: list[bytes], zeros: list[bytes]) -> None:
        self._depth = depth
        self._n = n_leaves
        self._levels = levels
        self._zeros = zeros

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def n_leaves(self) -> int:
        return self._n

    @property
    def root(self) -> bytes:
        return self._levels[self._depth][:32]

    def _root_sums(self) -> tuple[int, ...]:
        top = self._levels[self._depth]
        return tuple(int.from_bytes(top[32 + 32 * j : 64 + 32 * j], "big") for j in range(self._WIDTH))

    def _record(self, level: int, index: int) -> tuple[bytes, tuple[int, ...]]:
        rec_size = 32 * (1 + self._WIDTH)
        blob = self._levels[level]
        off = index * rec_size
        if off >= len(blob):
            return self._zeros[level], (0,) * self._WIDTH
        rec = blob[off : off + rec_size]
        sums = tuple(int.from_bytes(rec[32 + 32 * j : 64 + 32 * j], "big") for j in range(self._WIDTH))
        return rec[:32], sums

    def _level_json(self, level: int, count: int) -> list[dict[str, str]]:
        """`to_json` sibling entries of records 0..count-1 at `level`; slots past the stored blob are the
        empty subtree with zero sums, as in `_record`."""
        rec_hex = 64 * (1 + self._WIDTH)
        text = self._levels[level].hex()
        stored = min(count, len(text) // rec_hex)
        at = range(0, stored * rec_hex, rec_hex)
        if self._WIDTH == 1:
            out = [{"hash": "0x" + text[o : o + 64], "sum": str(int(text[o + 64 : o + 128], 16))} for o in at]
            empty = {"hash": "0x" + self._zeros[level].hex(), "sum": "0"}
        else:
            out = [
                {
                    "hash": "0x" + text[o : o + 64],
                    "equity": str(int(text[o + 64 : o + 128], 16)),
                    "debt": str(int(text[o + 128 : o + 192], 16)),
                }
                for o in at
            ]
            empty = {"hash": "0x" + self._zeros[level].hex(), "equity": "0", "debt": "0"}
        out.extend(empty for _ in range(count - stored))
        return out

    def proofs_json(self, indices: Sequence[int]) -> list[dict[str, Any]]:
        """`[self.proof(i).to_json() for i in indices]`, equal value for value (every dict is a fresh object),
        but each distinct node is read and formatted once: 100k holder proofs share ~200k nodes, not 2M."""
        for i in indices:
            if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < self._n:
                raise TreeError(f"leaf index {i!r} is not a filled slot (tree has {self._n} leaves)")
        if not indices:
            return []
        top = max(indices)
        columns = []
        for k in range(self._depth):
            table = self._level_json(k, ((top >> k) | 1) + 1)
            columns.append([table[(i >> k) ^ 1].copy() for i in indices])
        return [
            {"index": i, "siblings": list(sibs)}
            for i, sibs in zip(indices, zip(*columns, strict=True), strict=True)
        ]

    def _path(self, index: int) -> list[tuple[bytes, tuple[int, ...]]]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self._n:
            raise TreeError(f"leaf index {index!r} is not a filled slot (tree has {self._n} leaves)")
        return [self._record(k, (index >> k) ^ 1) for k in range(self._depth)]

    @classmethod
    def _build_levels(cls, leaf_blob: bytes, leaf_sums: list[list[int]], depth: int) -> list[bytes]:
        tag = cls._TAG
        width = cls._WIDTH
        rec_size = 32 * (1 + width)
        pair_size = 2 * rec_size
        zeros = _zero_subtrees(tag, width, depth)
        zero_sums = _WORD0 * width
        levels: list[bytes] = []
        blob = leaf_blob
        sums = leaf_sums
        try:
            for k in range(depth):
                if len(sums[0]) % 2:
                    blob += zeros[k] + zero_sums
                    for col in sums:
                        col.append(0)
                levels.append(blob)
                hashes = [keccak256(tag + blob[o : o + pair_size]) for o in range(0, len(blob), pair_size)]
                new_sums = []
                for col in sums:
                    it = iter(col)
                    new_sums.append([a + b for a, b in zip(it, it, strict=True)])
                if width == 1:
                    words = [s.to_bytes(32, "big") for s in new_sums[0]]
                    blob = b"".join([x for pair in zip(hashes, words, strict=True) for x in pair])
                else:
                    eq = [s.to_bytes(32, "big") for s in new_sums[0]]
                    dt = [s.to_bytes(32, "big") for s in new_sums[1]]
                    blob = b"".join([x for trip in zip(hashes, eq, dt, strict=True) for x in trip])
                sums = new_sums
        except OverflowError:
            raise SumOverflowError("a node sum exceeds uint256") from None
        if not sums[0]:  # no leaves at all: the root is the all-empty subtree
            blob = zeros[depth] + zero_sums
        levels.append(blob)
        return levels


def _capacity_check(n: int, depth: int) -> None:
    if n > (1 << depth):
        raise TreeError(f"{n} leaves do not fit in a depth-{depth} tree")


class SumTree(_LevelTree):
    """Merkle-sum tree with one uint256 sum per node (holder shares)."""

    _TAG = SUM_NODE
    _WIDTH = 1

    @classmethod
    def build(cls, leaves: Sequence[tuple[bytes, int]], depth: int) -> SumTree:
        """Build from (leaf_hash, leaf_sum) pairs placed at indices 0..n-1."""
        _check_depth(depth)
        _capacity_check(len(leaves), depth)
        parts: list[bytes] = []
        col: list[int] = []
        for i, (h, s) in enumerate(leaves):
            if not isinstance(h, bytes) or len(h) != 32 or h == ZERO32:
                raise TreeError(f"leaf {i}: hash must be 32 non-zero bytes")
            if not _valid_sum(s):
                raise TreeError(f"leaf {i}: sum must be an int in uint256")
            parts.append(h)
            parts.append(s.to_bytes(32, "big"))
            col.append(s)
        levels = cls._build_levels(b"".join(parts), [col], depth)
        return cls(depth, len(leaves), levels, _zero_subtrees(cls._TAG, cls._WIDTH, depth))

    @property
    def total(self) -> int:
        return self._root_sums()[0]

    def leaf(self, index: int) -> tuple[bytes, int]:
        if not 0 <= index < self._n:
            raise TreeError(f"leaf index {index!r} is not a filled slot")
        h, (s,) = self._record(0, index)
        return h, s

    def proof(self, index: int) -> SumProof:
        return SumProof(index, tuple((h, s[0]) for h, s in self._path(index)))


class Sum2Tree(_LevelTree):
    """Merkle-sum tree with (equity, debt) per node (positions); NAV = total_equity - total_debt."""

    _TAG = SUM2_NODE
    _WIDTH = 2

    @classmethod
    def build(cls, leaves: Sequence[tuple[bytes, int, int]], depth: int) -> Sum2Tree:
        """Build from (leaf_hash, equity, debt) triples placed at indices 0..n-1."""
        _check_depth(depth)
        _capacity_check(len(leaves), depth)
        parts: list[bytes] = []
        eq: list[int] = []
        dt: list[int] = []
        for i, (h, e, d) in enumerate(leaves):
            if not isinstance(h, bytes) or len(h) != 32 or h == ZERO32:
                raise TreeError(f"leaf {i}: hash must be 32 non-zero bytes")
            if not (_valid_sum(e) and _valid_sum(d)):
                raise TreeError(f"leaf {i}: equity and debt must be ints in uint256")
            parts.append(h)
            parts.append(e.to_bytes(32, "big"))
            parts.append(d.to_bytes(32, "big"))
            eq.append(e)
            dt.append(d)
        levels = cls._build_levels(b"".join(parts), [eq, dt], depth)
        return cls(depth, len(leaves), levels, _zero_subtrees(cls._TAG, cls._WIDTH, depth))

    @property
    def total(self) -> tuple[int, int]:
        e, d = self._root_sums()
        return e, d

    @property
    def total_equity(self) -> int:
        return self._root_sums()[0]

    @property
    def total_debt(self) -> int:
        return self._root_sums()[1]

    @property
    def nav(self) -> int:
        e, d = self._root_sums()
        return e - d

    def leaf(self, index: int) -> tuple[bytes, int, int]:
        if not 0 <= index < self._n:
            raise TreeError(f"leaf index {index!r} is not a filled slot")
        h, (e, d) = self._record(0, index)
        return h, e, d

    def proof(self, index: int) -> Sum2Proof:
        return Sum2Proof(index, tuple((h, s[0], s[1]) for h, s in self._path(index)))


# ------------------------------------------------------------------------------------------------ verifying


def _check_common(leaf_hash: bytes, index: int, n_siblings: int, depth: int) -> None:
    _check_depth(depth)
    if n_siblings != depth:
        raise InvalidProofError("wrong depth: proof length differs from the committed depth")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < (1 << depth):
        raise InvalidProofError("index out of range for the depth")
    if not isinstance(leaf_hash, bytes) or len(leaf_hash) != 32:
        raise InvalidProofError("leaf hash must be 32 bytes")
    if leaf_hash == ZERO32:
        raise InvalidProofError("empty leaf is never a member")


def _expand_empty(sib_hash: bytes, sib_sums: tuple[int, ...], zero_subtree: bytes, level: int) -> bytes:
    """A zero sibling hash stands for the empty subtree of that height (compressed proofs, as the
    on-chain ProofVerifier reads them); no real node hashes to zero, so this is unambiguous."""
    if sib_hash != ZERO32:
        return sib_hash
    if any(sib_sums):
        raise InvalidProofError(f"empty sibling with a non-zero sum at level {level}")
    return zero_subtree


def check_proof(
    leaf_hash: bytes, leaf_sum: int, proof: SumProof, root: bytes, total: int, depth: int
) -> None:
    """Raise InvalidProofError unless `proof` places (leaf_hash, leaf_sum) under (root, total)."""
    _check_common(leaf_hash, proof.index, len(proof.siblings), depth)
    if not _valid_sum(leaf_sum):
        raise InvalidProofError("leaf sum outside uint256")
    h, s = leaf_hash, leaf_sum
    zeros = _zero_subtrees(SUM_NODE, 1, depth)
    for k, (sib_hash, sib_sum) in enumerate(proof.siblings):
        if not isinstance(sib_hash, bytes) or len(sib_hash) != 32 or not _valid_sum(sib_sum):
            raise InvalidProofError(f"malformed sibling at level {k}")
        sib_hash = _expand_empty(sib_hash, (sib_sum,), zeros[k], k)
        sw, hw = sib_sum.to_bytes(32, "big"), s.to_bytes(32, "big")
        if (proof.index >> k) & 1:
            h = keccak256(SUM_NODE + sib_hash + sw + h + hw)
        else:
            h = keccak256(SUM_NODE + h + hw + sib_hash + sw)
        s += sib_sum
        if s > UINT256_MAX:
            raise InvalidProofError(f"sum overflow at level {k}")
    if h != root:
        raise InvalidProofError("root hash mismatch")
    if s != total:
        raise InvalidProofError("root sum mismatch")


def check_proof2(
    leaf_hash: bytes,
    leaf_equity: int,
    leaf_debt: int,
    proof: Sum2Proof,
    root: bytes,
    total_equity: int,
    total_debt: int,
    depth: int,
) -> None:
    """Two-sum counterpart of check_proof."""
    _check_common(leaf_hash, proof.index, len(proof.siblings), depth)
    if not (_valid_sum(leaf_equity) and _valid_sum(leaf_debt)):
        raise InvalidProofError("leaf sums outside uint256")
    h, e, d = leaf_hash, leaf_equity, leaf_debt
    zeros = _zero_subtrees(SUM2_NODE, 2, depth)
    for k, (sh, se, sd) in enumerate(proof.siblings):
        if not isinstance(sh, bytes) or len(sh) != 32 or not (_valid_sum(se) and _valid_sum(sd)):
            raise InvalidProofError(f"malformed sibling at level {k}")
        sh = _expand_empty(sh, (se, sd), zeros[k], k)
        sib = sh + se.to_bytes(32, "big") + sd.to_bytes(32, "big")
        own = h + e.to_bytes(32, "big") + d.to_bytes(32, "big")
        h = keccak256(SUM2_NODE + (sib + own if (proof.index >> k) & 1 else own + sib))
        e += se
        d += sd
        if e > UINT256_MAX or d > UINT256_MAX:
            raise InvalidProofError(f"sum overflow at level {k}")
    if h != root:
        raise InvalidProofError("root hash mismatch")
    if (e, d) != (total_equity, total_debt):
        raise InvalidProofError("root sum mismatch")


def verify(leaf_hash: bytes, leaf_sum: int, proof: SumProof, root: bytes, total: int, depth: int) -> bool:
    """True iff the single-sum proof is valid for the committed (root, total) at `depth`."""
    try:
        check_proof(leaf_hash, leaf_sum, proof, root, total, depth)
    except (InvalidProofError, TreeError):
        return False
    return True


def verify2(
    leaf_hash: bytes,
    leaf_equity: int,
    leaf_debt: int,
    proof: Sum2Proof,
    root: bytes,
    total_equity: int,
    total_debt: int,
    depth: int,
) -> bool:
    """True iff the two-sum proof is valid for the committed (root, equity, debt) at `depth`."""
    try:
        check_proof2(leaf_hash, leaf_equity, leaf_debt, proof, root, total_equity, total_debt, depth)
    except (InvalidProofError, TreeError):
        return False
    return True
