"""Pedersen commitments on BN254 G1 and a Schnorr proof that hidden PnLs add up to the published total.

Curve: y^2 = x^3 + 3 over F_p (the EVM's alt_bn128, precompiles 0x06 ecAdd / 0x07 ecMul). Points travel as
affine (x, y) uint256 pairs, the point at infinity as (0, 0), exactly the precompile format.

Generators (nobody knows log_G(H)): try-and-increment from a tag, for counter = 0, 1, ...:
    x = uint256(keccak(tag ‖ uint256(counter))) mod p
    if x^3 + 3 is a square mod p: y = its square root with y <= (p - 1) / 2  (the smaller of y, p - y)
G uses tag PEDERSEN_G, H uses PEDERSEN_H. G1 has cofactor 1, so every curve point is in the group.

Commitment: C = v·G + r·H, v an int256 PnL taken mod the group order n, r uniform in [1, n).

Schnorr proof that C_sum − V·G = R·H for a known R = Σr (so Σv ≡ V mod n):
    T = k·H
    e = keccak(abi.encode(SCHNORR, chainid, vault, epoch, V:int256, C_sum.x, C_sum.y, T.x, T.y,
               keccak(C_1.x ‖ C_1.y ‖ … ‖ C_m.x ‖ C_m.y))) mod n
    s = k + e·R mod n;   verify: s·H == T + e·(C_sum − V·G), with s < n and T a finite curve point.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from py_ecc import optimized_bn128 as bn

from .abi import int256, uint256
from .context import VaultContext
from .errors import CurveError, EncodingError, SchnorrError
from .keccak import keccak256
from .tags import PEDERSEN_G, PEDERSEN_H, SCHNORR

P = bn.field_modulus
N = bn.curve_order
_SQRT_EXP = (P + 1) // 4  # p ≡ 3 (mod 4), so a square root is a single exponentiation
_NONCE_LABEL = b"vaultcraft.schnorr.nonce.v1"

_Jac = tuple[Any, Any, Any]


@dataclass(frozen=True)
class G1Point:
    """Affine BN254 G1 point; (0, 0) is the point at infinity. Construction checks it is on the curve."""

    x: int
    y: int

    def __post_init__(self) -> None:
        for name, v in (("x", self.x), ("y", self.y)):
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < P:
                raise CurveError(f"point {name} must be an int in [0, p)")
        if (self.x, self.y) != (0, 0) and (self.y * self.y - self.x * self.x * self.x - 3) % P:
            raise CurveError("point is not on BN254 G1")

    @property
    def is_infinity(self) -> bool:
        return self.x == 0 and self.y == 0

    def to_words(self) -> bytes:
        return self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    @classmethod
    def from_words(cls, data: bytes) -> G1Point:
        if len(data) != 64:
            raise CurveError("point encoding must be 64 bytes")
        return cls(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:], "big"))

    def to_json(self) -> list[str]:
        return [str(self.x), str(self.y)]

    def _jac(self) -> _Jac:
        if self.is_infinity:
            return bn.Z1
        return (bn.FQ(self.x), bn.FQ(self.y), bn.FQ.one())

    @classmethod
    def _from_jac(cls, pt: _Jac) -> G1Point:
        if bn.is_inf(pt):
            return INFINITY
        x, y = bn.normalize(pt)
        return cls(int(x), int(y))


INFINITY = G1Point(0, 0)


def hash_to_curve(tag: bytes) -> G1Point:
    """Try-and-increment map described in the module docstring."""
    for counter in range(256):
        x = int.from_bytes(keccak256(tag + uint256(counter)), "big") % P
        rhs = (x * x * x + 3) % P
        y = pow(rhs, _SQRT_EXP, P)
        if y * y % P == rhs:
            return G1Point(x, min(y, P - y))
    raise CurveError("no curve point found in 256 tries")  # pragma: no cover - probability 2**-256


G = hash_to_curve(PEDERSEN_G)
H = hash_to_curve(PEDERSEN_H)


def point_add(a: G1Point, b: G1Point) -> G1Point:
    return G1Point._from_jac(bn.add(a._jac(), b._jac()))


def point_neg(a: G1Point) -> G1Point:
    return a if a.is_infinity else G1Point(a.x, (P - a.y) % P)


def point_mul(a: G1Point, k: int) -> G1Point:
    k %= N
    if k == 0 or a.is_infinity:
        return INFINITY
    return G1Point._from_jac(bn.multiply(a._jac(), k))


def scalar_of_pnl(v: int) -> int:
    """Map an int256 PnL into Z_n (negative values wrap, so sums of mixed-sign PnLs stay additive)."""
    int256(v, "pnl")
    return v % N


def random_blinding() -> int:
    return secrets.randbelow(N - 1) + 1


def commit(v: int, r: int) -> G1Point:
    """C = v·G + r·H."""
    if not isinstance(r, int) or isinstance(r, bool) or not 0 <= r < N:
        raise CurveError("blinding must be an int in [0, n)")
    return point_add(point_mul(G, scalar_of_pnl(v)), point_mul(H, r))


def sum_commitments(points: Sequence[G1Point]) -> G1Point:
    acc = bn.Z1
    for p in points:
        acc = bn.add(acc, p._jac())
    return G1Point._from_jac(acc)


def commitments_digest(points: Sequence[G1Point]) -> bytes:
    return keccak256(b"".join(p.to_words() for p in points))


@dataclass(frozen=True)
class SchnorrProof:
    t: G1Point
    s: int

    def to_json(self) -> dict[str, Any]:
        return {"t": self.t.to_json(), "s": str(self.s)}


def schnorr_challenge(
    ctx: VaultContext, total_pnl: int, c_sum: G1Point, t: G1Point, commitments: Sequence[G1Point]
) -> int:
    transcript = (
        SCHNORR
        + ctx.encoded
        + int256(total_pnl, "total_pnl")
        + c_sum.to_words()
        + t.to_words()
        + commitments_digest(commitments)
    )
    return int.from_bytes(keccak256(transcript), "big") % N


def _nonce(blinding_sum: int, ctx: VaultContext, total_pnl: int, digest: bytes, aux: bytes) -> int:
    # Hedged nonce (RFC 6979 in spirit): HMAC keyed by the secret over the whole statement plus fresh
    # randomness. A broken RNG still gives distinct k for distinct statements; a good RNG gives distinct k
    # even for the same statement. 512 bits reduced mod n make the bias negligible.
    key = blinding_sum.to_bytes(32, "big")
    msg = _NONCE_LABEL + ctx.encoded + int256(total_pnl) + digest + aux
    for counter in range(256):
        k = int.from_bytes(hmac.digest(key, msg + bytes([counter]), hashlib.sha512), "big") % N
        if k:
            return k
    raise SchnorrError("nonce derivation failed")  # pragma: no cover


def prove_sum(
    ctx: VaultContext,
    commitments: Sequence[G1Point],
    total_pnl: int,
    blinding_sum: int,
    *,
    aux_rand: bytes | None = None,
) -> SchnorrProof:
    """Prove that `commitments` open to values summing to `total_pnl`, knowing R = Σr mod n.

    aux_rand defaults to 32 bytes from os.urandom; pass fixed bytes only for reproducible test vectors.
    """
    R = blinding_sum % N
    c_sum = sum_commitments(commitments)
    target = point_add(c_sum, point_neg(point_mul(G, scalar_of_pnl(total_pnl))))
    if target != point_mul(H, R):
        raise SchnorrError("commitments do not open to total_pnl with the given blinding sum")
    aux = os.urandom(32) if aux_rand is None else aux_rand
    if len(aux) != 32:
        raise EncodingError("aux_rand must be 32 bytes")
    k = _nonce(R, ctx, total_pnl, commitments_digest(commitments), aux)
    t = point_mul(H, k)
    e = schnorr_challenge(ctx, total_pnl, c_sum, t, commitments)
    return SchnorrProof(t, (k + e * R) % N)


def verify_sum(
    ctx: VaultContext, commitments: Sequence[G1Point], total_pnl: int, proof: SchnorrProof
) -> bool:
    """True iff `proof` shows the commitments add up to `total_pnl` for this (chainid, vault, epoch)."""
    if not isinstance(proof.s, int) or not 0 <= proof.s < N or proof.t.is_infinity:
        return False
    try:
        v = scalar_of_pnl(total_pnl)
    except EncodingError:
        return False
    c_sum = sum_commitments(commitments)
    e = schnorr_challenge(ctx, total_pnl, c_sum, proof.t, commitments)
    lhs = point_mul(H, proof.s)
    rhs = point_add(proof.t, point_mul(point_add(c_sum, point_neg(point_mul(G, v))), e))
    return lhs == rhs
