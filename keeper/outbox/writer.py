"""The chain writer: turns the oldest open intent into a confirmed transaction, one step at a time.

Each step reads the entry, talks to the chain, and records the outcome in one store transaction, so a kill
between any two lines leaves a state the next step resumes from:

    pending --sign, store raw bytes--> sent --receipt--> mined --depth--> confirmed
       ^                                 |  no receipt, our nonce used elsewhere, intent not on chain
       +---------------------------------+
    pending/sent --the chain already shows the intent (`satisfied`)--> confirmed (adopted, no duplicate)
    pending --estimate reverts / mined with status 0, intent not on chain--> failed (the handler decides)

The signed bytes are stored *before* they are broadcast: a restart rebroadcasts the same transaction instead
of signing a second one. Sequence numbers on-chain (trade log seq, vault epoch, key commitment) make even a
duplicate broadcast harmless: the second copy reverts and is recognised as `satisfied`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction

from keeper import logs
from keeper.chain.client import ChainClient, Reverted
from keeper.ingest.clock import Clock
from keeper.outbox.queue import next_open
from keeper.store.models import OutboxEntry
from keeper.store.repo import Store

log = logs.get_logger(__name__)


class IntentHandler(Protocol):
    """What one kind of intent means on-chain."""

    def call(self, entry: OutboxEntry) -> ContractFunction: ...

    def satisfied(self, entry: OutboxEntry) -> bool:
        """True when the chain already reflects the intent (posted by us earlier, or by another keeper)."""
        ...

    def confirmed(self, session: Session, entry: OutboxEntry, receipt: Mapping[str, Any] | None) -> None: ...

    def failed(self, session: Session, entry: OutboxEntry, reason: str) -> None: ...


@dataclass(frozen=True)
class WriterSettings:
    confirmations: int = 1
    resend_after_ms: int = 5_000  # rebroadcast the stored bytes (a restarted node may have lost its pool)
    bump_after_attempts: int = 3  # then re-sign the same nonce with a higher fee (replacement)
    fee_bump_pct: int = 25


@dataclass
class WriterStats:
    """Since this process started; shown in the keeper's status."""

    sent: int = 0
    confirmed: int = 0
    adopted: int = 0
    failed: int = 0
    rebroadcasts: int = 0
    fee_bumps: int = 0
    nonce_taken: int = 0  # our nonce went to another transaction: the intent was signed again
    reorged: int = 0


class ChainWriter:
    def __init__(
        self,
        store: Store,
        client: ChainClient,
        vault: str,
        handlers: Mapping[str, IntentHandler],
        clock: Clock,
        settings: WriterSettings | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.vault = vault
        self.handlers = handlers
        self.clock = clock
        self.settings = settings or WriterSettings()
        self.stats = WriterStats()

    def step(self) -> bool:
        """Advance the oldest open intent by one transition; False when there is nothing to do now."""
        with self.store.unit_of_work() as session:
            entry = next_open(session, self.vault)
            if entry is None:
                return False
            handler = self.handlers[entry.kind]
            if entry.status == "pending":
                return self._send(session, entry, handler)
            if entry.status == "sent":
                return self._check_sent(session, entry, handler)
            return self._check_depth(session, entry, handler)

    # --- transitions -------------------------------------------------------------------------------------

    def _send(self, session: Session, entry: OutboxEntry, handler: IntentHandler) -> bool:
        if handler.satisfied(entry):
            self._finish(session, entry, handler, None)
            return True
        nonce = self.client.nonce("pending")
        try:
            signed = self.client.sign(handler.call(entry), nonce)
        except Reverted as exc:
            self._fail(session, entry, handler, exc.reason)
            return True
        self._record_signed(entry, signed.raw, signed.tx_hash, nonce)
        session.commit()  # the bytes are durable before they leave the process
        self.client.broadcast(signed.raw)
        self.stats.sent += 1
        log.info("outbox_sent", kind=entry.kind, id=entry.id, nonce=nonce, tx=signed.tx_hash)
        return True

    def _check_sent(self, session: Session, entry: OutboxEntry, handler: IntentHandler) -> bool:
        assert entry.tx_hash is not None and entry.nonce is not None and entry.raw_tx is not None
        receipt = self.client.receipt(entry.tx_hash)
        if receipt is not None:
            if int(receipt["status"]) == 1:
                entry.status, entry.block_number = "mined", int(receipt["blockNumber"])
                entry.gas_used = int(receipt["gasUsed"])
                entry.updated_ms = self.clock.now_ms()
                return True
            if handler.satisfied(entry):
                self._finish(session, entry, handler, None)
            else:
                self._fail(session, entry, handler, f"transaction {entry.tx_hash} reverted")
            return True
        if self.client.nonce("latest") > entry.nonce:
            # Our nonce went to another transaction (a replacement of this one, or another instance's).
            if handler.satisfied(entry):
                self._finish(session, entry, handler, None)
            else:
                entry.status, entry.tx_hash, entry.raw_tx, entry.nonce = "pending", None, None, None
                entry.updated_ms = self.clock.now_ms()
                self.stats.nonce_taken += 1
            return True
        if self.clock.now_ms() - entry.updated_ms < self.settings.resend_after_ms:
            return False
        if entry.attempts >= self.settings.bump_after_attempts:
            try:
                bumped = self.client.sign(handler.call(entry), entry.nonce, self.settings.fee_bump_pct)
            except Reverted:
                bumped = None  # the original may be about to land; keep rebroadcasting it
            if bumped is not None:
                self._record_signed(entry, bumped.raw, bumped.tx_hash, entry.nonce)
                session.commit()
                self.stats.fee_bumps += 1
        entry.attempts += 1
        entry.updated_ms = self.clock.now_ms()
        session.commit()
        self.client.broadcast(entry.raw_tx)
        self.stats.rebroadcasts += 1
        log.warning(
            "outbox_rebroadcast", kind=entry.kind, id=entry.id, nonce=entry.nonce, attempts=entry.attempts
        )
        return True

    def _check_depth(self, session: Session, entry: OutboxEntry, handler: IntentHandler) -> bool:
        assert entry.block_number is not None and entry.tx_hash is not None
        if self.client.head() - entry.block_number + 1 < self.settings.confirmations:
            return False
        receipt = self.client.receipt(entry.tx_hash)
        if receipt is None or int(receipt["blockNumber"]) != entry.block_number:
            entry.status, entry.updated_ms = "sent", self.clock.now_ms()  # reorged out: wait or resend
            self.stats.reorged += 1
            return True
        self._finish(session, entry, handler, receipt)
        return True

    # --- outcomes -----------------------------------------------------------------------------------------

    def _record_signed(self, entry: OutboxEntry, raw: bytes, tx_hash: str, nonce: int) -> None:
        entry.status, entry.raw_tx, entry.tx_hash, entry.nonce = "sent", raw, tx_hash, nonce
        entry.attempts += 1
        entry.updated_ms = self.clock.now_ms()

    def _finish(
        self, session: Session, entry: OutboxEntry, handler: IntentHandler, receipt: Mapping[str, Any] | None
    ) -> None:
        entry.status, entry.updated_ms = "confirmed", self.clock.now_ms()
        self.stats.confirmed += 1
        if receipt is None:
            self.stats.adopted += 1
            entry.last_error = "adopted: the chain already reflected this intent"
        handler.confirmed(session, entry, receipt)
        log.info("outbox_confirmed", kind=entry.kind, id=entry.id, tx=entry.tx_hash, adopted=receipt is None)

    def _fail(self, session: Session, entry: OutboxEntry, handler: IntentHandler, reason: str) -> None:
        entry.status, entry.last_error, entry.updated_ms = "failed", reason, self.clock.now_ms()
        self.stats.failed += 1
        handler.failed(session, entry, reason)
        log.error("outbox_failed", kind=entry.kind, id=entry.id, reason=reason)
