"""Per-leaf and per-trade salts: HMAC-SHA256 keyed by a keeper secret.

salt = HMAC-SHA256(salt_secret, b"vaultcraft.salt.v1" ‖ abi.encode(chainid, vault, epoch) ‖ kind ‖ item_id32)

Leaves are published as hashes; without a salt, a small share balance could be recovered by hashing every
candidate value. Deriving the salt (instead of drawing it at random) lets the keeper regenerate any investor
statement from the secret alone, while the secret never leaves the keeper.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from .abi import address, bytes32, uint256
from .context import VaultContext
from .errors import EncodingError
from .tags import SALT_DOMAIN, SALT_KIND_HOLDER, SALT_KIND_POSITION, SALT_KIND_TRADE

MIN_SECRET_BYTES = 32


def derive_salt(salt_secret: bytes, ctx: VaultContext, kind: int, item_id: bytes) -> bytes:
    if not isinstance(salt_secret, bytes) or len(salt_secret) < MIN_SECRET_BYTES:
        raise EncodingError(f"salt secret must be at least {MIN_SECRET_BYTES} bytes")
    if kind not in (SALT_KIND_HOLDER, SALT_KIND_POSITION, SALT_KIND_TRADE):
        raise EncodingError("unknown salt kind")
    msg = SALT_DOMAIN + ctx.encoded + bytes([kind]) + bytes32(item_id, "item_id")
    return hmac.digest(salt_secret, msg, hashlib.sha256)


def holder_salt(salt_secret: bytes, ctx: VaultContext, account: str | bytes) -> bytes:
    return derive_salt(salt_secret, ctx, SALT_KIND_HOLDER, address(account))


def holder_salts(salt_secret: bytes, ctx: VaultContext, accounts: Iterable[str | bytes]) -> list[bytes]:
    """`[holder_salt(salt_secret, ctx, a) for a in accounts]`, same bytes, with the per-call checks of the
    secret and the kind done once (an epoch close derives one salt per holder)."""
    accounts = list(accounts)
    if not accounts:
        return []  # like the per-item calls: no item, no secret check
    if not isinstance(salt_secret, bytes) or len(salt_secret) < MIN_SECRET_BYTES:
        raise EncodingError(f"salt secret must be at least {MIN_SECRET_BYTES} bytes")
    prefix = SALT_DOMAIN + ctx.encoded + bytes([SALT_KIND_HOLDER])
    sha256 = hashlib.sha256
    return [hmac.digest(salt_secret, prefix + address(a), sha256) for a in accounts]


def position_salt(salt_secret: bytes, ctx: VaultContext, instrument: bytes) -> bytes:
    return derive_salt(salt_secret, ctx, SALT_KIND_POSITION, instrument)


def trade_salt(salt_secret: bytes, ctx: VaultContext, seq: int) -> bytes:
    """Trade salts use item id = seq as a uint256 word (kind 0x03), a choice documented in docs/proofs.md."""
    return derive_salt(salt_secret, ctx, SALT_KIND_TRADE, uint256(seq, "seq"))
