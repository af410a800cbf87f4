"""Turns stored fills into trade-log batches (one outbox intent each) and, for private vaults, posts each
epoch's view-key commitment with its auditor wraps before the epoch's first batch.

Sequence numbers are assigned in the same store transaction that creates the intent, so a fill gets exactly
one seq and a batch is either fully recorded or not at all. Only one trade batch is open at a time: fills
arriving meanwhile wait for the next one, which keeps seqs contiguous without locking against the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keeper.outbox.queue import enqueue, has_open
from keeper.store.models import EpochKeyWrap, Fill, OutboxEntry, TradeCommitment
from keeper.store.repo import Store
from keeper.trades.encode import LogEntry, log_entry, public_fill_args
from keeper.trades.handlers import DivergedError
from zk.commitments import EMPTY_CIPHERTEXT_HASH, chain_step
from zk.context import VaultContext
from zk.envelope import wrap_epoch_key
from zk.hpke import AuditorPublicKey
from zk.keccak import keccak256
from zk.view_keys import EpochKey, VaultRootKey, epoch_key_commitment

MAX_BATCH = 128  # TradeLog.MAX_BATCH
ZERO32 = b"\x00" * 32


def hx(raw: bytes) -> str:
    return "0x" + raw.hex()


@dataclass(frozen=True)
class EpochInfo:
    epoch: int
    start_ts: int  # block time the epoch opened: the view-key derivation input auditors can read on-chain


@dataclass
class TradeMirror:
    store: Store
    chain_id: int
    vault: str
    venue: str
    account: str
    salt_secret: bytes
    root_key: VaultRootKey | None  # None for a public vault
    active_auditors: Callable[[], Sequence[AuditorPublicKey]]
    max_batch: int = MAX_BATCH

    def batch_once(self, epoch: EpochInfo, now_ms: int) -> int:
        """Enqueues the next batch if no batch is open; returns the number of fills batched."""
        with self.store.session() as session:
            if has_open(session, self.vault, ("trade", "key_wraps")):
                return 0
            fills = self._unbatched(session)
            if not fills:
                return 0
            ctx = VaultContext.of(self.chain_id, self.vault, epoch.epoch)
            epoch_key = None
            if self.root_key is not None:
                epoch_key = self.root_key.epoch_key(epoch.epoch, epoch.start_ts)
                if self._ensure_key_wraps(session, epoch_key, now_ms):
                    return 0  # the commitment and wraps go first; the batch follows on the next tick
            last_seq, head = self._tail(session)
            entries = [
                log_entry(f, last_seq + 1 + i, ctx, self.salt_secret, epoch_key) for i, f in enumerate(fills)
            ]
            for item in entries:
                ct_hash = keccak256(item.ciphertext) if item.ciphertext else EMPTY_CIPHERTEXT_HASH
                head = chain_step(head, item.commitment, ct_hash)
            entry = enqueue(
                session,
                kind="trade",
                vault=self.vault,
                seq=last_seq + 1,
                now_ms=now_ms,
                dedupe_key=f"trade:{self.vault}:{last_seq + 1}:{now_ms}",
                payload=self._payload(epoch.epoch, last_seq + 1, entries, head),
            )
            session.add_all(
                TradeCommitment(
                    vault=self.vault,
                    epoch=epoch.epoch,
                    seq=item.fill.seq,
                    fill_id=item.fill_id,
                    commitment=hx(item.commitment),
                    ciphertext=item.ciphertext,
                    enc_meta={"version": 1} if item.ciphertext else {},
                    created_ms=now_ms,
                    outbox_id=entry.id,
                )
                for item in entries
            )
            return len(entries)

    def has_unbatched(self) -> bool:
        with self.store.session() as session:
            return bool(self._unbatched(session, limit=1))

    def _unbatched(self, session: Session, limit: int | None = None) -> list[Fill]:
        taken = select(TradeCommitment.fill_id).where(TradeCommitment.vault == self.vault)
        query = (
            select(Fill)
            .where(Fill.venue == self.venue, Fill.account == self.account, Fill.id.not_in(taken))
            .order_by(Fill.time_ms, Fill.tid)
            .limit(limit or self.max_batch)
        )
        return list(session.scalars(query))

    def _tail(self, session: Session) -> tuple[int, bytes]:
        """The last assigned seq and the chain head after it (from the last batch's payload)."""
        last_seq = session.scalar(
            select(func.max(TradeCommitment.seq)).where(TradeCommitment.vault == self.vault)
        )
        if not last_seq:
            return 0, ZERO32
        payload = session.scalar(
            select(OutboxEntry.payload)
            .where(
                OutboxEntry.vault == self.vault, OutboxEntry.kind == "trade", OutboxEntry.status != "failed"
            )
            .order_by(OutboxEntry.id.desc())
            .limit(1)
        )
        if payload is None or payload["last_seq"] != last_seq:
            # Rows and their batch are written in one transaction; anything else is a corrupted store.
            raise DivergedError(f"store: trade seq {last_seq} has no matching batch intent")
        return int(last_seq), bytes.fromhex(payload["head"][2:])

    def _payload(self, epoch: int, first_seq: int, entries: list[LogEntry], head: bytes) -> dict:
        payload: dict = {
            "epoch": epoch,
            "first_seq": first_seq,
            "last_seq": first_seq + len(entries) - 1,
            "head": hx(head),
        }
        if self.root_key is None:
            payload["fills"] = [
                [str(v) if isinstance(v, int) else hx(v) for v in public_fill_args(e.fill)] for e in entries
            ]
        else:
            payload["commitments"] = [hx(e.commitment) for e in entries]
            payload["ciphertexts"] = hx(b"".join(e.ciphertext for e in entries))
        return payload

    def _ensure_key_wraps(self, session: Session, epoch_key: EpochKey, now_ms: int) -> bool:
        """Enqueues the epoch's key commitment and wraps once; True if it did so now."""
        epoch = epoch_key.ctx.epoch
        key = f"wraps:{self.vault}:{epoch}"
        if session.scalar(select(OutboxEntry.id).where(OutboxEntry.dedupe_key == key)) is not None:
            return False
        commitment = hx(epoch_key_commitment(epoch_key.ctx, epoch_key.secret))
        wraps = [(auditor.hex(), wrap_epoch_key(epoch_key, auditor)) for auditor in self.active_auditors()]
        entry = enqueue(
            session,
            kind="key_wraps",
            vault=self.vault,
            dedupe_key=key,
            now_ms=now_ms,
            payload={
                "epoch": epoch,
                "commitment": commitment,
                "wraps": [{"auditor_key": k, "wrap": hx(w)} for k, w in wraps],
            },
        )
        session.add_all(
            EpochKeyWrap(
                vault=self.vault,
                epoch=epoch,
                auditor_key=k,
                wrap=w,
                key_commitment=commitment,
                created_ms=now_ms,
                outbox_id=entry.id,
            )
            for k, w in wraps
        )
        return True
