"""Outbox handlers for trade batches and epoch key wraps: the on-chain call, and how to tell it landed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction

from keeper import logs
from keeper.chain.client import ChainClient
from keeper.chain.contracts import VaultContracts
from keeper.store.models import EpochKeyWrap, OutboxEntry, TradeCommitment

log = logs.get_logger(__name__)


def _b(value: str) -> bytes:
    return bytes.fromhex(value[2:])


class DivergedError(RuntimeError):
    """The chain holds different trade-log entries for seqs the store assigned: stop, a human must look."""


@dataclass
class TradeBatchHandler:
    client: ChainClient
    contracts: VaultContracts

    def call(self, entry: OutboxEntry) -> ContractFunction:
        p = entry.payload
        log_fns = self.contracts.trade_log.functions
        if "fills" in p:
            fills = [tuple(_b(v) if v.startswith("0x") else int(v) for v in row) for row in p["fills"]]
            return log_fns.post_fills(p["first_seq"], p["epoch"], fills)
        return log_fns.post_trades(
            p["first_seq"], p["epoch"], [_b(c) for c in p["commitments"]], _b(p["ciphertexts"])
        )

    def satisfied(self, entry: OutboxEntry) -> bool:
        last = int(entry.payload["last_seq"])
        if int(self.client.call(self.contracts.trade_log.functions.trade_count())) < last:
            return False
        onchain = bytes(self.client.call(self.contracts.trade_log.functions.head_at(last)))
        if onchain != _b(entry.payload["head"]):
            # Either a batch boundary differs (head_at is only written at batch ends) or the content does.
            raise DivergedError(
                f"trade log head at seq {last} is 0x{onchain.hex()}, store expects {entry.payload['head']}"
            )
        return True

    def confirmed(self, session: Session, entry: OutboxEntry, receipt: Mapping[str, Any] | None) -> None:
        return None  # the rows were written with the intent

    def failed(self, session: Session, entry: OutboxEntry, reason: str) -> None:
        # Unassign the seqs so the fills are batched again from the chain's real tail.
        session.execute(delete(TradeCommitment).where(TradeCommitment.outbox_id == entry.id))


@dataclass
class KeyWrapHandler:
    client: ChainClient
    contracts: VaultContracts

    def call(self, entry: OutboxEntry) -> ContractFunction:
        p = entry.payload
        wraps = [(_b(w["auditor_key"]), _b(w["wrap"])) for w in p["wraps"]]
        return self.contracts.registry.functions.post_key_wraps(
            self.contracts.address, p["epoch"], _b(p["commitment"]), wraps
        )

    def satisfied(self, entry: OutboxEntry) -> bool:
        fn = self.contracts.registry.functions.epoch_key_commitment(
            self.contracts.address, entry.payload["epoch"]
        )
        return bytes(self.client.call(fn)) == _b(entry.payload["commitment"])

    def confirmed(self, session: Session, entry: OutboxEntry, receipt: Mapping[str, Any] | None) -> None:
        return None

    def failed(self, session: Session, entry: OutboxEntry, reason: str) -> None:
        # e.g. an auditor key expired between enqueue and post: drop the wraps; the next tick re-enqueues.
        session.execute(delete(EpochKeyWrap).where(EpochKeyWrap.outbox_id == entry.id))
        session.delete(entry)
