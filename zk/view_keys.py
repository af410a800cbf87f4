"""One-way view-key hierarchy: vault root -> year -> month -> epoch -> record.

Each step is HKDF-Expand-SHA256 (RFC 5869 §2.3) with L = 32, i.e. a single HMAC-SHA256(parent, info ‖ 0x01),
where `info` is a per-level label followed by ABI words naming the child. Parents are already uniform 32-byte
keys, so no Extract step is needed. HMAC is a PRF, so a child reveals nothing about its parent or siblings:
an auditor given a month key can derive exactly the epochs that start in that month and nothing else.

Epoch keys bind the epoch's start timestamp. A month-key holder who lies about an epoch's start time gets a
key derived from the wrong parent, which opens nothing; the explicit KeyScopeError is there to make honest
mistakes loud, the cryptography does not depend on it.

Revocation is forward-only: a disclosed key cannot be taken back, only future periods can be withheld.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .abi import bytes32, uint256
from .context import VaultContext, VaultId
from .errors import EncodingError, KeyScopeError
from .keccak import keccak256
from .tags import EPOCH_KEY_COMMIT, VIEWKEY_EPOCH, VIEWKEY_MONTH, VIEWKEY_RECORD, VIEWKEY_YEAR

KEY_BYTES = 32
MIN_YEAR = 1970
MAX_YEAR = 9998  # month_bounds of December needs January of the next year to exist


def hkdf_expand32(prk: bytes, info: bytes) -> bytes:
    """HKDF-Expand(prk, info, 32): with L <= HashLen the output is T(1) = HMAC(prk, info ‖ 0x01)."""
    return hmac.digest(prk, info + b"\x01", hashlib.sha256)


def _check_secret(secret: object) -> None:
    if not isinstance(secret, bytes) or len(secret) != KEY_BYTES:
        raise EncodingError(f"view key must be {KEY_BYTES} bytes")


def _check_year(year: int) -> None:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise EncodingError(f"year must be an int in {MIN_YEAR}..{MAX_YEAR}")


def _check_month(month: int) -> None:
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise EncodingError("month must be an int in 1..12")


def month_of(ts: int) -> tuple[int, int]:
    """(year, month) of a UTC unix timestamp in seconds."""
    if not isinstance(ts, int) or isinstance(ts, bool) or ts < 0:
        raise EncodingError("timestamp must be a non-negative int (unix seconds)")
    try:
        dt = datetime.fromtimestamp(ts, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise EncodingError("timestamp out of range") from None
    return dt.year, dt.month


def month_bounds(year: int, month: int) -> tuple[int, int]:
    """[start, end) unix seconds of a UTC calendar month, in integers (calendar.timegm, no floats)."""
    _check_year(year)
    _check_month(month)
    start = calendar.timegm((year, month, 1, 0, 0, 0, 0, 0, 0))
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    end = calendar.timegm((ny, nm, 1, 0, 0, 0, 0, 0, 0))
    return start, end


@dataclass(frozen=True, repr=False)
class EpochKey:
    """Key for one vault epoch; wrapped to auditors and committed on-chain. repr() hides the secret."""

    ctx: VaultContext
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_secret(self.secret)

    def record_key(self, seq: int) -> bytes:
        return hkdf_expand32(self.secret, VIEWKEY_RECORD + self.ctx.encoded + uint256(seq, "seq"))

    def __repr__(self) -> str:
        return f"EpochKey(chainid={self.ctx.chainid}, vault={self.ctx.vault_hex}, epoch={self.ctx.epoch})"


@dataclass(frozen=True, repr=False)
class MonthKey:
    """Discloses the epochs whose start timestamp lies in one UTC calendar month."""

    vault: VaultId
    year: int
    month: int
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_year(self.year)
        _check_month(self.month)
        _check_secret(self.secret)

    def covers(self, ts: int) -> bool:
        start, end = month_bounds(self.year, self.month)
        return start <= ts < end

    def epoch_key(self, epoch: int, epoch_start_ts: int) -> EpochKey:
        if month_of(epoch_start_ts) != (self.year, self.month):
            raise KeyScopeError(
                f"epoch {epoch} starts outside {self.year:04d}-{self.month:02d}; "
                "this month key cannot derive it"
            )
        ctx = self.vault.at(epoch)
        info = VIEWKEY_EPOCH + ctx.encoded + uint256(epoch_start_ts, "epoch_start_ts")
        return EpochKey(ctx, hkdf_expand32(self.secret, info))

    def __repr__(self) -> str:
        v = self.vault
        return f"MonthKey(chainid={v.chainid}, vault=0x{v.vault.hex()}, {self.year}-{self.month:02d})"


@dataclass(frozen=True, repr=False)
class YearKey:
    vault: VaultId
    year: int
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_year(self.year)
        _check_secret(self.secret)

    def month_key(self, month: int) -> MonthKey:
        _check_month(month)
        info = VIEWKEY_MONTH + self.vault.encoded() + uint256(self.year) + uint256(month)
        return MonthKey(self.vault, self.year, month, hkdf_expand32(self.secret, info))

    def epoch_key(self, epoch: int, epoch_start_ts: int) -> EpochKey:
        year, month = month_of(epoch_start_ts)
        if year != self.year:
            raise KeyScopeError(f"epoch {epoch} starts outside {self.year}; this year key cannot derive it")
        return self.month_key(month).epoch_key(epoch, epoch_start_ts)

    def __repr__(self) -> str:
        return f"YearKey(chainid={self.vault.chainid}, vault=0x{self.vault.vault.hex()}, {self.year})"


@dataclass(frozen=True, repr=False)
class VaultRootKey:
    """The keeper's per-vault root view key. Never handed to auditors."""

    vault: VaultId
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_secret(self.secret)

    @classmethod
    def generate(cls, vault: VaultId) -> VaultRootKey:
        return cls(vault, os.urandom(KEY_BYTES))

    def year_key(self, year: int) -> YearKey:
        _check_year(year)
        info = VIEWKEY_YEAR + self.vault.encoded() + uint256(year)
        return YearKey(self.vault, year, hkdf_expand32(self.secret, info))

    def month_key(self, year: int, month: int) -> MonthKey:
        return self.year_key(year).month_key(month)

    def epoch_key(self, epoch: int, epoch_start_ts: int) -> EpochKey:
        year, month = month_of(epoch_start_ts)
        return self.month_key(year, month).epoch_key(epoch, epoch_start_ts)

    def __repr__(self) -> str:
        return f"VaultRootKey(chainid={self.vault.chainid}, vault=0x{self.vault.vault.hex()})"


def epoch_key_commitment(ctx: VaultContext, epoch_key_secret: bytes) -> bytes:
    """keccak(abi.encode(EPOCH_KEY_COMMIT, chainid, vault, epoch, keccak(epoch_key))), posted on-chain.

    Hashing the key first keeps the on-chain value a commitment (the key has 256 bits of entropy, so the
    hash is hiding), and a later public reveal can be checked against it.
    """
    _check_secret(epoch_key_secret)
    return keccak256(EPOCH_KEY_COMMIT + ctx.encoded + keccak256(epoch_key_secret))


def check_revealed_epoch_key(ctx: VaultContext, revealed_secret: bytes, onchain_commitment: bytes) -> bool:
    """True iff a revealed epoch key matches the commitment posted for (chainid, vault, epoch)."""
    if not isinstance(revealed_secret, bytes) or len(revealed_secret) != KEY_BYTES:
        return False
    expected = epoch_key_commitment(ctx, revealed_secret)
    return hmac.compare_digest(expected, bytes32(onchain_commitment, "commitment"))
