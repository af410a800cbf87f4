"""Exceptions raised by the zk library.

Every error derives from ZkError so callers can catch the family. Messages name the field or check that failed
and never include key material, salts or plaintext.
"""

from __future__ import annotations


class ZkError(Exception):
    """Base class for all zk/ errors."""


class EncodingError(ZkError, ValueError):
    """A value cannot be ABI-encoded as the requested static type (range, length, type)."""


class InexactValueError(EncodingError):
    """A decimal value cannot be represented exactly in the requested fixed-point scale."""


class TreeError(ZkError, ValueError):
    """A Merkle-sum tree cannot be built from the given leaves (depth, capacity, empty leaf, bad index)."""


class SumOverflowError(TreeError):
    """A node sum does not fit in uint256, which the on-chain verifier would also reject."""


class InvalidProofError(ZkError):
    """A Merkle-sum proof does not verify; `reason` says which check failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DecryptionError(ZkError):
    """A ciphertext did not authenticate under the given key and context (wrong key, moved or tampered)."""


class CommitmentMismatchError(ZkError):
    """A decrypted record does not hash to the commitment it was published under."""


class KeyScopeError(ZkError):
    """A view key was asked for a key outside the period it covers."""


class KeyFileError(ZkError):
    """A key file is malformed, of the wrong kind, or inconsistent."""


class CurveError(ZkError, ValueError):
    """A BN254 point or scalar is invalid (not on the curve, out of range)."""


class SchnorrError(ZkError):
    """The prover's own inputs are inconsistent (commitments do not open to the claimed total)."""
