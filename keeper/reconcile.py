"""Do the store and the chain agree? One function, used by the fault tests and by `/status`.

Checked: the store's trade-log seqs are 1..N without gaps; every confirmed batch is on-chain and the chain
head recomputed from the store's commitments (and ciphertext hashes) equals the chain's head at that count;
the chain holds no entry the store does not know; every posted report is the one the oracle accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from keeper.chain.client import ChainClient
from keeper.chain.contracts import VaultContracts
from keeper.store.models import OutboxEntry, Report, TradeCommitment
from keeper.store.repo import Store
from zk.commitments import EMPTY_CIPHERTEXT_HASH, chain_step
from zk.keccak import keccak256

ZERO32 = b"\x00" * 32


@dataclass
class Verdict:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    store_assigned: int = 0  # seqs assigned in the store (posted or in flight)
    store_confirmed: int = 0  # seqs in confirmed batches
    chain_count: int = 0
    reports_checked: int = 0

    def problem(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": "ok" if self.ok else "mismatch", **self.__dict__}


def reconcile(store: Store, client: ChainClient, contracts: VaultContracts) -> Verdict:
    verdict = Verdict()
    vault = contracts.address
    with store.session() as session:
        rows = session.execute(
            select(
                TradeCommitment.seq,
                TradeCommitment.commitment,
                TradeCommitment.ciphertext,
                OutboxEntry.status,
            )
            .join(OutboxEntry, OutboxEntry.id == TradeCommitment.outbox_id)
            .where(TradeCommitment.vault == vault)
            .order_by(TradeCommitment.seq)
        ).all()
        reports = session.execute(
            select(Report.epoch, Report.struct_hash).where(Report.vault == vault, Report.status == "posted")
        ).all()
    verdict.store_assigned = len(rows)
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            verdict.problem(f"store seqs not contiguous: expected {expected}, found {row.seq}")
            break
    confirmed = [r for r in rows if r.status == "confirmed"]
    verdict.store_confirmed = len(confirmed)
    log = contracts.trade_log.functions
    verdict.chain_count = int(client.call(log.trade_count()))
    if verdict.chain_count < verdict.store_confirmed:
        verdict.problem(f"chain has {verdict.chain_count} entries, store confirmed {verdict.store_confirmed}")
    if verdict.chain_count > verdict.store_assigned:
        verdict.problem(f"chain has {verdict.chain_count} entries, store knows only {verdict.store_assigned}")
    count = min(verdict.chain_count, verdict.store_assigned)
    if count:
        head = ZERO32
        for row in rows[:count]:
            ct_hash = keccak256(row.ciphertext) if row.ciphertext else EMPTY_CIPHERTEXT_HASH
            head = chain_step(head, bytes.fromhex(row.commitment[2:]), ct_hash)
        onchain = bytes(client.call(log.head_at(count)))
        # head_at is written at batch ends only; a count inside an in-flight batch has no head to compare.
        if onchain != ZERO32 and onchain != head:
            verdict.problem(f"trade log head at {count} differs from the store's commitments")
    for epoch, struct_hash in reports:
        accepted = "0x" + bytes(client.call(contracts.oracle.functions.report_of(epoch))).hex()
        verdict.reports_checked += 1
        if accepted != struct_hash:
            verdict.problem(f"epoch {epoch}: posted report {struct_hash} is not the accepted {accepted}")
    return verdict
