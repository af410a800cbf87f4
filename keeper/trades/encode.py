"""A stored venue fill as the trade log's entry: the zk TradeFill, its commitment and (private) ciphertext."""

from __future__ import annotations

from dataclasses import dataclass

from keeper.store.models import Fill
from zk.abi import bytes32_from_text
from zk.commitments import Side, TradeFill, trade_commitment, venue_fill_id_hash
from zk.context import VaultContext
from zk.envelope import seal_record
from zk.salts import trade_salt
from zk.view_keys import EpochKey


@dataclass(frozen=True)
class LogEntry:
    fill_id: int
    fill: TradeFill
    commitment: bytes
    ciphertext: bytes  # empty for public vaults


def trade_fill(fill: Fill, seq: int, ctx: VaultContext, salt_secret: bytes) -> TradeFill:
    # Venue fill times are ms; the log stores seconds (the commitment format fixes uint256 seconds).
    return TradeFill(
        seq=seq,
        ts=fill.time_ms // 1000,
        venue=bytes32_from_text(fill.venue),
        instrument=bytes32_from_text(fill.coin),
        side=Side.BUY if fill.is_buy else Side.SELL,
        qty=fill.sz,
        price=fill.px,
        fee=fill.fee,
        venue_fill_id_hash=venue_fill_id_hash(str(fill.tid)),
        salt=trade_salt(salt_secret, ctx, seq),
    )


def log_entry(
    fill: Fill, seq: int, ctx: VaultContext, salt_secret: bytes, epoch_key: EpochKey | None
) -> LogEntry:
    tf = trade_fill(fill, seq, ctx, salt_secret)
    if epoch_key is None:
        return LogEntry(fill.id, tf, trade_commitment(tf, ctx), b"")
    sealed = seal_record(epoch_key, tf)
    return LogEntry(fill.id, tf, sealed.commitment, sealed.ciphertext)


def public_fill_args(tf: TradeFill) -> tuple:
    """TradeLog.Fill as the ABI tuple (ts, venue, instrument, side, qty, price, fee, fill id hash, salt)."""
    return (
        tf.ts,
        tf.venue,
        tf.instrument,
        int(tf.side),
        tf.qty,
        tf.price,
        tf.fee,
        tf.venue_fill_id_hash,
        tf.salt,
    )
