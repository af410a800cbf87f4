"""Trade commitments and the per-vault trade-log hash chain.

c = keccak(abi.encode(TRADE, chainid, vault, epoch, seq, ts, venue, instrument, side, qty, price, fee,
                      venue_fill_id_hash, salt))
head_n = keccak(head_{n-1} ‖ c_n ‖ keccak(ciphertext_n)), head_0 = 32 zero bytes, seq numbers start at 1
(entry n is seq n, so the head after seq n covers exactly n trades).

qty, price and fee are integers in the caller's fixed-point units; the keeper uses 10**8-scaled integers
(see zk.fixedpoint.fixed_units for exact conversion from decimal strings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum

from .abi import bytes32, decode_int256, decode_uint256, int256, uint256
from .context import VaultContext
from .errors import EncodingError
from .fixedpoint import KEEPER_DECIMALS, fixed_units
from .keccak import keccak256
from .tags import TRADE, ZERO32

FIRST_SEQ = 1
EMPTY_CIPHERTEXT_HASH = keccak256(b"")
FILL_ENCODING_BYTES = 10 * 32


class Side(IntEnum):
    BUY = 0
    SELL = 1


@dataclass(frozen=True)
class TradeFill:
    """One venue fill as committed on-chain. Amounts are fixed-point integers; hashes/ids are bytes32."""

    seq: int
    ts: int
    venue: bytes
    instrument: bytes
    side: Side
    qty: int
    price: int
    fee: int
    venue_fill_id_hash: bytes
    salt: bytes

    def __post_init__(self) -> None:
        # Validate eagerly so a bad fill fails where it is made, not later inside a commitment or ciphertext.
        if not isinstance(self.side, int) or isinstance(self.side, bool) or self.side not in (0, 1):
            raise EncodingError("side: expected 0 (buy) or 1 (sell)")
        object.__setattr__(self, "side", Side(self.side))
        self.encode()

    @classmethod
    def from_amounts(
        cls,
        *,
        seq: int,
        ts: int,
        venue: bytes,
        instrument: bytes,
        side: Side | int,
        qty: int | str | Decimal,
        price: int | str | Decimal,
        fee: int | str | Decimal,
        venue_fill_id_hash: bytes,
        salt: bytes,
        decimals: int = KEEPER_DECIMALS,
    ) -> TradeFill:
        """Build a fill from int units or exact decimal strings (see fixed_units); floats are refused."""
        return cls(
            seq,
            ts,
            venue,
            instrument,
            Side(side),
            fixed_units(qty, decimals),
            fixed_units(price, decimals),
            fixed_units(fee, decimals),
            venue_fill_id_hash,
            salt,
        )

    def encode(self) -> bytes:
        """Canonical 320-byte encoding of the fill fields (seq..salt): the envelope plaintext."""
        return (
            uint256(self.seq, "seq")
            + uint256(self.ts, "ts")
            + bytes32(self.venue, "venue")
            + bytes32(self.instrument, "instrument")
            + uint256(int(self.side), "side")
            + uint256(self.qty, "qty")
            + uint256(self.price, "price")
            + int256(self.fee, "fee")
            + bytes32(self.venue_fill_id_hash, "venue_fill_id_hash")
            + bytes32(self.salt, "salt")
        )

    @classmethod
    def decode(cls, data: bytes) -> TradeFill:
        if len(data) != FILL_ENCODING_BYTES:
            raise EncodingError(f"fill encoding must be {FILL_ENCODING_BYTES} bytes")
        w = [data[i : i + 32] for i in range(0, FILL_ENCODING_BYTES, 32)]
        side = decode_uint256(w[4])
        if side > 1:
            raise EncodingError("side: expected 0 (buy) or 1 (sell)")
        return cls(
            decode_uint256(w[0]),
            decode_uint256(w[1]),
            w[2],
            w[3],
            Side(side),
            decode_uint256(w[5]),
            decode_uint256(w[6]),
            decode_int256(w[7]),
            w[8],
            w[9],
        )


def venue_fill_id_hash(venue_fill_id: str) -> bytes:
    """keccak of the venue's fill id (UTF-8), so the id itself stays off-chain for private vaults."""
    if not venue_fill_id:
        raise EncodingError("venue fill id must be non-empty")
    return keccak256(venue_fill_id.encode("utf-8"))


def commitment_preimage(fill: TradeFill, ctx: VaultContext) -> bytes:
    return TRADE + ctx.encoded + fill.encode()


def trade_commitment(fill: TradeFill, ctx: VaultContext) -> bytes:
    return keccak256(commitment_preimage(fill, ctx))


# ------------------------------------------------------------------------------------------------ hash chain


@dataclass(frozen=True)
class ChainLink:
    """One trade-log event as seen on-chain; `head` is the head the contract reported after it, if known."""

    seq: int
    commitment: bytes
    ciphertext_hash: bytes
    head: bytes | None = None


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    first_bad_seq: int | None
    reason: str | None
    head: bytes
    count: int


def chain_step(head: bytes, commitment: bytes, ciphertext_hash: bytes) -> bytes:
    return keccak256(
        bytes32(head, "head")
        + bytes32(commitment, "commitment")
        + bytes32(ciphertext_hash, "ciphertext_hash")
    )


def chain_heads(
    entries: Iterable[tuple[bytes, bytes]], start_head: bytes = ZERO32
) -> list[bytes]:
    """Heads after each (commitment, ciphertext_hash) entry, in order."""
    heads = []
    head = start_head
    for commitment, ct_hash in entries:
        head = chain_step(head, commitment, ct_hash)
        heads.append(head)
    return heads


def verify_chain(
    links: Sequence[ChainLink],
    *,
    start_head: bytes = ZERO32,
    first_seq: int = FIRST_SEQ,
    expected_head: bytes | None = None,
) -> ChainVerdict:
    """Replay the chain; stop at the first link whose seq is not the next one or whose head disagrees."""
    head = start_head
    expected_seq = first_seq
    for link in links:
        if link.seq != expected_seq:
            kind = "duplicate or reordered seq" if link.seq < expected_seq else "gap before seq"
            return ChainVerdict(False, link.seq, kind, head, expected_seq - first_seq)
        head = chain_step(head, link.commitment, link.ciphertext_hash)
        if link.head is not None and link.head != head:
            return ChainVerdict(False, link.seq, "head mismatch", head, expected_seq - first_seq)
        expected_seq += 1
    count = expected_seq - first_seq
    if expected_head is not None and expected_head != head:
        return ChainVerdict(False, expected_seq - 1 if count else None, "final head mismatch", head, count)
    return ChainVerdict(True, None, None, head, count)
