"""Auditor checks over a vault's trade log: pure functions over dataclasses, no I/O.

Inputs are the on-chain trade-log events (in log order) and what the auditor recovered for each seq
(the published ciphertext, and the fill it decrypted to, or None if it did not open). The audit replays the
hash chain exactly as the contract would, recomputes every commitment, and lists every problem by kind
rather than stopping at the first, so one report shows the whole damage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .commitments import FIRST_SEQ, TradeFill, chain_step, trade_commitment
from .context import VaultId
from .envelope import decrypt_record
from .errors import DecryptionError
from .keccak import keccak256
from .tags import ZERO32
from .view_keys import EpochKey


class IssueKind(StrEnum):
    BAD_CIPHERTEXT = "bad_ciphertext"  # hash differs from the event, or it does not decrypt
    COMMITMENT_MISMATCH = "commitment_mismatch"  # decrypted fill does not hash to the posted commitment
    GAP = "gap"  # seq numbers skipped (seq = first missing one)
    DUPLICATE = "duplicate"  # the same seq appears twice in the log
    OUT_OF_ORDER = "out_of_order"  # a seq appears after a later one
    CHAIN_HEAD_MISMATCH = "chain_head_mismatch"  # reported head (or final head/count) differs from the replay
    MISSING_RECORD = "missing_record"  # an event for which the auditor has no record
    UNEXPECTED_RECORD = "unexpected_record"  # a record with no event (or a second record for one seq)


@dataclass(frozen=True)
class TradeEvent:
    """One on-chain trade-log event; `head` is the head the contract emitted after it, when it emits one."""

    seq: int
    commitment: bytes
    ciphertext_hash: bytes
    head: bytes | None = None


@dataclass(frozen=True)
class DecryptedRecord:
    """What the auditor holds for one seq. Public vaults: ciphertext b"" and the fill read in clear."""

    seq: int
    epoch: int
    ciphertext: bytes
    fill: TradeFill | None


@dataclass(frozen=True)
class AuditIssue:
    kind: IssueKind
    seq: int
    detail: str


@dataclass(frozen=True)
class AuditReport:
    issues: tuple[AuditIssue, ...]
    head: bytes
    count: int
    checked: int
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", not self.issues)

    def seqs(self, kind: IssueKind) -> list[int]:
        return sorted({i.seq for i in self.issues if i.kind == kind})

    def by_kind(self) -> dict[str, list[int]]:
        return {k.value: self.seqs(k) for k in IssueKind if self.seqs(k)}


def decrypt_for_audit(epoch_key: EpochKey, event: TradeEvent, ciphertext: bytes) -> DecryptedRecord:
    """Decrypt one record without raising: a ciphertext that does not open becomes fill=None."""
    try:
        fill: TradeFill | None = decrypt_record(epoch_key, event.seq, event.commitment, ciphertext)
    except DecryptionError:
        fill = None
    return DecryptedRecord(event.seq, epoch_key.ctx.epoch, ciphertext, fill)


def _check_record(vault: VaultId, ev: TradeEvent, rec: DecryptedRecord) -> list[AuditIssue]:
    issues = []
    if keccak256(rec.ciphertext) != ev.ciphertext_hash:
        issues.append(AuditIssue(IssueKind.BAD_CIPHERTEXT, ev.seq, "ciphertext hash differs from the event"))
    if rec.fill is None:
        issues.append(AuditIssue(IssueKind.BAD_CIPHERTEXT, ev.seq, "ciphertext does not decrypt"))
        return issues
    if rec.fill.seq != ev.seq:
        issues.append(AuditIssue(IssueKind.COMMITMENT_MISMATCH, ev.seq, f"fill carries seq {rec.fill.seq}"))
    elif trade_commitment(rec.fill, vault.at(rec.epoch)) != ev.commitment:
        issues.append(AuditIssue(IssueKind.COMMITMENT_MISMATCH, ev.seq, "recomputed commitment differs"))
    return issues


def audit_trade_log(
    vault: VaultId,
    events: Sequence[TradeEvent],
    records: Iterable[DecryptedRecord],
    *,
    start_head: bytes = ZERO32,
    first_seq: int = FIRST_SEQ,
    expected_head: bytes | None = None,
    expected_count: int | None = None,
) -> AuditReport:
    """Replay the chain over `events` (log order) and check each against the auditor's records.

    `expected_head` / `expected_count` are what a NAV record claims to cover; pass them to check the binding.
    """
    issues: list[AuditIssue] = []
    by_seq: dict[int, DecryptedRecord] = {}
    for rec in records:
        if rec.seq in by_seq:
            issues.append(AuditIssue(IssueKind.UNEXPECTED_RECORD, rec.seq, "second record for this seq"))
        else:
            by_seq[rec.seq] = rec

    head = start_head
    expected = first_seq
    seen: set[int] = set()
    for ev in events:
        if ev.seq in seen:
            issues.append(AuditIssue(IssueKind.DUPLICATE, ev.seq, "seq already logged"))
        elif ev.seq > expected:
            issues.append(AuditIssue(IssueKind.GAP, expected, f"seqs {expected}..{ev.seq - 1} missing"))
            expected = ev.seq + 1
        elif ev.seq < expected:
            issues.append(AuditIssue(IssueKind.OUT_OF_ORDER, ev.seq, "logged after a later seq"))
        else:
            expected += 1
        # The contract chains events in log order, so replay them in that order whatever their seq says.
        head = chain_step(head, ev.commitment, ev.ciphertext_hash)
        if ev.head is not None and ev.head != head:
            issues.append(AuditIssue(IssueKind.CHAIN_HEAD_MISMATCH, ev.seq, "event head differs from replay"))
        if ev.seq in seen:
            continue
        seen.add(ev.seq)
        rec = by_seq.get(ev.seq)
        if rec is None:
            issues.append(AuditIssue(IssueKind.MISSING_RECORD, ev.seq, "no record for this event"))
        else:
            issues.extend(_check_record(vault, ev, rec))

    for seq in sorted(set(by_seq) - seen):
        issues.append(AuditIssue(IssueKind.UNEXPECTED_RECORD, seq, "record has no on-chain event"))
    last = events[-1].seq if events else first_seq - 1
    if expected_head is not None and expected_head != head:
        issues.append(AuditIssue(IssueKind.CHAIN_HEAD_MISMATCH, last, "final head differs from the claim"))
    if expected_count is not None and expected_count != len(events):
        issues.append(
            AuditIssue(
                IssueKind.CHAIN_HEAD_MISMATCH, last, f"log has {len(events)} entries, claim {expected_count}"
            )
        )
    return AuditReport(tuple(issues), head, len(events), len(seen))
