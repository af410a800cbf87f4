"""Auditor report over the trade log: each kind of damage is found and attributed to its seq."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eth_utils import keccak

from tests.zk.strategies import make_fill
from zk.audit import AuditReport, DecryptedRecord, IssueKind, TradeEvent, audit_trade_log, decrypt_for_audit
from zk.commitments import EMPTY_CIPHERTEXT_HASH, chain_heads, trade_commitment
from zk.context import VaultId
from zk.envelope import seal_record
from zk.view_keys import EpochKey

EPOCH = 7


@pytest.fixture
def epoch_key(vault_id: VaultId) -> EpochKey:
    return EpochKey(vault_id.at(EPOCH), bytes(range(32)))


@pytest.fixture
def log(epoch_key: EpochKey) -> tuple[list[TradeEvent], list[DecryptedRecord], list[bytes]]:
    sealed = [seal_record(epoch_key, make_fill(seq)) for seq in range(1, 7)]
    heads = chain_heads([(s.commitment, s.ciphertext_hash) for s in sealed])
    events = [
        TradeEvent(s.seq, s.commitment, s.ciphertext_hash, h) for s, h in zip(sealed, heads, strict=True)
    ]
    records = [decrypt_for_audit(epoch_key, ev, s.ciphertext) for ev, s in zip(events, sealed, strict=True)]
    return events, records, heads


def _audit(vault_id: VaultId, events: list, records: list, **kw: object) -> AuditReport:
    return audit_trade_log(vault_id, events, records, **kw)  # type: ignore[arg-type]


def test_audit__honest_private_log__ok(vault_id: VaultId, log: tuple) -> None:
    events, records, heads = log
    report = _audit(vault_id, events, records, expected_head=heads[-1], expected_count=6)
    assert report.ok and report.issues == () and report.head == heads[-1] and report.checked == 6


def test_audit__honest_public_log__ok(vault_id: VaultId) -> None:
    ctx = vault_id.at(EPOCH)
    fills = [make_fill(s) for s in (1, 2, 3)]
    commitments = [trade_commitment(f, ctx) for f in fills]
    heads = chain_heads([(c, EMPTY_CIPHERTEXT_HASH) for c in commitments])
    events = [
        TradeEvent(f.seq, c, EMPTY_CIPHERTEXT_HASH, h)
        for f, c, h in zip(fills, commitments, heads, strict=True)
    ]
    records = [DecryptedRecord(f.seq, EPOCH, b"", f) for f in fills]
    assert _audit(vault_id, events, records, expected_head=heads[-1]).ok


def test_audit__swapped_ciphertext__bad_ciphertext_at_that_seq(vault_id: VaultId, log: tuple,
                                                               epoch_key: EpochKey) -> None:
    events, records, _ = log
    # The auditor fetched seq 3's bytes from somewhere that served seq 4's ciphertext.
    records[2] = decrypt_for_audit(epoch_key, events[2], records[3].ciphertext)
    report = _audit(vault_id, events, records)
    assert report.by_kind() == {"bad_ciphertext": [3]}


def test_audit__undecryptable_record__bad_ciphertext(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    records[4] = replace(records[4], fill=None)
    assert _audit(vault_id, events, records).by_kind() == {"bad_ciphertext": [5]}


def test_audit__fill_not_matching_commitment__commitment_mismatch(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    records[1] = replace(records[1], fill=make_fill(2, qty=1))
    records[3] = replace(records[3], fill=make_fill(5))  # right content, wrong seq
    assert _audit(vault_id, events, records).by_kind() == {"commitment_mismatch": [2, 4]}


def test_audit__record_checked_under_wrong_epoch__commitment_mismatch(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    records[0] = replace(records[0], epoch=EPOCH + 1)
    assert _audit(vault_id, events, records).seqs(IssueKind.COMMITMENT_MISMATCH) == [1]


def test_audit__tampered_onchain_commitment__mismatch_and_head(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    events[2] = replace(events[2], commitment=keccak(b"forged"))
    report = _audit(vault_id, events, records)
    assert report.seqs(IssueKind.COMMITMENT_MISMATCH) == [3]
    assert report.seqs(IssueKind.CHAIN_HEAD_MISMATCH) == [3, 4, 5, 6]


def test_audit__gap__reports_first_missing_seq(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    report = _audit(vault_id, events[:2] + events[4:], records)
    assert report.seqs(IssueKind.GAP) == [3]
    assert report.seqs(IssueKind.UNEXPECTED_RECORD) == [3, 4]


def test_audit__duplicate__reported(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    report = _audit(vault_id, events[:3] + [events[2]] + events[3:], records)
    assert report.seqs(IssueKind.DUPLICATE) == [3]


def test_audit__reorder__out_of_order_and_head_mismatch(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    report = _audit(vault_id, [events[0], events[2], events[1], *events[3:]], records)
    assert report.seqs(IssueKind.GAP) == [2]
    assert report.seqs(IssueKind.OUT_OF_ORDER) == [2]
    assert 3 in report.seqs(IssueKind.CHAIN_HEAD_MISMATCH)


def test_audit__claimed_head_or_count_differs__chain_head_mismatch(vault_id: VaultId, log: tuple) -> None:
    events, records, heads = log
    wrong_head = _audit(vault_id, events, records, expected_head=heads[-2])
    assert wrong_head.seqs(IssueKind.CHAIN_HEAD_MISMATCH) == [6]
    assert _audit(vault_id, events, records, expected_count=5).seqs(IssueKind.CHAIN_HEAD_MISMATCH) == [6]


def test_audit__event_without_record__missing_record(vault_id: VaultId, log: tuple) -> None:
    events, records, _ = log
    assert _audit(vault_id, events, records[:-1]).by_kind() == {"missing_record": [6]}
