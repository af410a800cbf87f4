"""Auditor-side work on a private vault's trade log: unwrap epoch keys, decrypt records, and check them
against the chain (commitments, hash chain, the TradeLog's head).

Inputs are the JSON the auditor API serves (records: {seq, epoch, commitment, ciphertext}; wraps: {epoch,
auditor_key, wrap}) and the auditor's key file (zk.keyfiles). The crypto and the replay are zk/ (envelope,
audit); this module is the glue plus the on-chain reads, through `vaultcraft.verify.Chain`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from vaultcraft.verify import Chain, ChainError
from zk.abi import UINT256_MAX
from zk.audit import AuditReport, DecryptedRecord, TradeEvent, audit_trade_log
from zk.commitments import TradeFill, trade_commitment
from zk.context import VaultId
from zk.envelope import decrypt_record, unwrap_epoch_key
from zk.errors import CommitmentMismatchError, DecryptionError, EncodingError, ZkError
from zk.hpke import AuditorPrivateKey
from zk.keccak import keccak256
from zk.tags import ZERO32
from zk.view_keys import EpochKey

# TradeLog.vy events (checked against the compiled ABI by tests/unit/cli/test_audit.py).
TRADE_COMMITTED_TOPIC = keccak(text="TradeCommitted(uint256,bytes32,bytes)")
TRADES_POSTED_TOPIC = keccak(text="TradesPosted(uint256,uint256,uint256,uint256,bytes32,address)")
_SELECTORS = {
    name: function_signature_to_4byte_selector(f"{name}()")
    for name in ("head", "trade_count", "vault", "is_private")
}
_COMMITMENT_SELECTOR = function_signature_to_4byte_selector("epoch_key_commitment(address,uint256)")


class AuditInputError(ValueError):
    """A records/wraps file or key file is missing or malformed (exit code 2); the message names it."""


# ------------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Record:
    seq: int
    epoch: int
    commitment: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class Wrap:
    epoch: int
    auditor_key: bytes
    wrap: bytes


def _hex(value: Any, name: str, length: int | None = None) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise AuditInputError(f"{name}: expected 0x-hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise AuditInputError(f"{name}: not hex") from None
    if length is not None and len(raw) != length:
        raise AuditInputError(f"{name}: expected {length} bytes, got {len(raw)}")
    return raw


def _uint(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise AuditInputError(f"{name}: expected an integer")
    try:
        number = value if isinstance(value, int) else int(value, 10)
    except ValueError:
        raise AuditInputError(f"{name}: not a decimal integer") from None
    if not 0 <= number <= UINT256_MAX:
        raise AuditInputError(f"{name}: outside uint256")
    return number


def _items(data: Any, what: str) -> list[Mapping[str, Any]]:
    # The API pages lists as {"items": [...]}; a bare list is accepted too.
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
        raise AuditInputError(f"{what}: expected a JSON list of objects")
    return data


def _get(item: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in item:
        raise AuditInputError(f"{where}: field {name!r} missing")
    return item[name]


def parse_records(data: Any) -> list[Record]:
    out = []
    for i, item in enumerate(_items(data, "records")):
        where = f"records[{i}]"
        out.append(Record(
            seq=_uint(_get(item, "seq", where), f"{where}.seq"),
            epoch=_uint(_get(item, "epoch", where), f"{where}.epoch"),
            commitment=_hex(_get(item, "commitment", where), f"{where}.commitment", 32),
            ciphertext=_hex(_get(item, "ciphertext", where), f"{where}.ciphertext"),
        ))
    return out


def parse_wraps(data: Any) -> list[Wrap]:
    out = []
    for i, item in enumerate(_items(data, "wraps")):
        where = f"wraps[{i}]"
        out.append(Wrap(
            epoch=_uint(_get(item, "epoch", where), f"{where}.epoch"),
            auditor_key=_hex(_get(item, "auditor_key", where), f"{where}.auditor_key", 32),
            wrap=_hex(_get(item, "wrap", where), f"{where}.wrap"),
        ))
    return out


def load_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditInputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AuditInputError(f"{path} is not valid JSON") from None


# ------------------------------------------------------------------------------------------------ decrypt


@dataclass(frozen=True)
class KeyProblem:
    epoch: int
    detail: str


def unwrap_epoch_keys(
    key: AuditorPrivateKey, wraps: Sequence[Wrap], vault: VaultId,
    commitments: Mapping[int, bytes] | None = None,
) -> tuple[dict[int, EpochKey], list[KeyProblem]]:
    """Open every wrap addressed to `key` (others are skipped): epoch -> key, and the wraps that failed.
    With `commitments` (epoch -> the AuditorRegistry's epoch-key commitment), a key that does not match
    its on-chain commitment, or an epoch with none, is a problem too."""
    mine = key.public_key().raw
    keys: dict[int, EpochKey] = {}
    problems = []
    for w in wraps:
        if w.auditor_key != mine or w.epoch in keys:
            continue
        expected = None
        if commitments is not None:
            expected = commitments.get(w.epoch, ZERO32)
            if expected == ZERO32:
                problems.append(KeyProblem(w.epoch, "no epoch-key commitment on-chain"))
                continue
        try:
            keys[w.epoch] = unwrap_epoch_key(w.wrap, vault.at(w.epoch), key, expected)
        except (DecryptionError, EncodingError, CommitmentMismatchError) as exc:
            problems.append(KeyProblem(w.epoch, str(exc)))
    return keys, problems


def epoch_key_commitments(chain: Chain, registry: str, vault: str, epochs: Sequence[int]) -> dict[int, bytes]:
    """AuditorRegistry.epoch_key_commitment(vault, epoch) for each epoch (zero: never posted)."""
    out = {}
    for epoch in sorted(set(epochs)):
        data = _COMMITMENT_SELECTOR + encode(["address", "uint256"], [to_checksum_address(vault), epoch])
        answer = chain.call(registry, data)
        if len(answer) != 32:
            raise ChainError(f"{registry} has no epoch_key_commitment(): is it the AuditorRegistry?")
        out[epoch] = answer
    return out


class Status:
    OK = "ok"
    NO_KEY = "no epoch key"
    UNREADABLE = "does not decrypt"
    MISMATCH = "commitment mismatch"


@dataclass(frozen=True)
class Opened:
    record: Record
    status: str
    fill: TradeFill | None

    def to_json(self) -> dict[str, Any]:
        fill = None
        if self.fill is not None:
            f = self.fill
            fill = {
                "seq": f.seq, "ts": f.ts, "venue": _text32(f.venue), "instrument": _text32(f.instrument),
                "side": "sell" if int(f.side) else "buy", "qty": str(f.qty), "price": str(f.price),
                "fee": str(f.fee), "venue_fill_id_hash": "0x" + f.venue_fill_id_hash.hex(),
                "salt": "0x" + f.salt.hex(),
            }
        r = self.record
        return {"seq": r.seq, "epoch": r.epoch, "commitment": "0x" + r.commitment.hex(),
                "status": self.status, "fill": fill}


def _text32(raw: bytes) -> str:
    """A right-padded UTF-8 symbol back to text; anything else as 0x-hex."""
    stripped = raw.rstrip(b"\x00")
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        return "0x" + raw.hex()
    return text if text.isprintable() and stripped else "0x" + raw.hex()


def open_records(records: Sequence[Record], keys: Mapping[int, EpochKey], vault: VaultId) -> list[Opened]:
    """Decrypt each record with its epoch's key and recompute its commitment (never raises per record)."""
    out = []
    for r in records:
        key = keys.get(r.epoch)
        if key is None:
            out.append(Opened(r, Status.NO_KEY, None))
            continue
        try:
            fill = decrypt_record(key, r.seq, r.commitment, r.ciphertext)
        except (DecryptionError, EncodingError):
            out.append(Opened(r, Status.UNREADABLE, None))
            continue
        ok = fill.seq == r.seq and trade_commitment(fill, vault.at(r.epoch)) == r.commitment
        out.append(Opened(r, Status.OK if ok else Status.MISMATCH, fill))
    return out


# ------------------------------------------------------------------------------------------------ chain


@dataclass(frozen=True)
class LogState:
    """What the TradeLog says on-chain: its vault, current head and count, and its events."""

    vault: str
    is_private: bool
    head: bytes
    count: int
    events: list[TradeEvent]


def _word(chain: Chain, to: str, name: str) -> bytes:
    out = chain.call(to, _SELECTORS[name])
    if len(out) != 32:
        raise ChainError(f"{to} has no {name}(): is it a TradeLog?")
    return out


def decode_trade_log_events(raw_logs: Sequence[tuple[Sequence[bytes], bytes]]) -> list[TradeEvent]:
    """TradeCommitted logs -> TradeEvent(seq, commitment, keccak(ciphertext)), with the head each TradesPosted
    batch event names attached to the batch's last entry."""
    events: list[TradeEvent] = []
    for topics, data in raw_logs:
        if not topics:
            continue
        if topics[0] == TRADE_COMMITTED_TOPIC:
            seq = int.from_bytes(topics[1], "big")
            commitment, ciphertext = decode(["bytes32", "bytes"], data)
            events.append(TradeEvent(seq, bytes(commitment), keccak256(bytes(ciphertext))))
        elif topics[0] == TRADES_POSTED_TOPIC and events:
            _size, count, head, _keeper = decode(["uint256", "uint256", "bytes32", "address"], data)
            last = events[-1]
            if last.seq == count:
                events[-1] = TradeEvent(last.seq, last.commitment, last.ciphertext_hash, bytes(head))
    return events


def read_trade_log(chain: Chain, trade_log: str, from_block: int = 0) -> LogState:
    vault = to_checksum_address(decode(["address"], _word(chain, trade_log, "vault"))[0])
    is_private = bool(decode(["bool"], _word(chain, trade_log, "is_private"))[0])
    head = _word(chain, trade_log, "head")
    count = int.from_bytes(_word(chain, trade_log, "trade_count"), "big")
    events = decode_trade_log_events(chain.logs(trade_log, from_block)) if is_private else []
    return LogState(vault, is_private, head, count, events)


# ------------------------------------------------------------------------------------------------ check


@dataclass(frozen=True)
class CheckResult:
    report: AuditReport
    onchain_head: bytes
    onchain_count: int
    key_problems: list[KeyProblem]

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.key_problems


def check_against_chain(
    state: LogState, records: Sequence[Record], keys: Mapping[int, EpochKey], vault: VaultId,
    key_problems: Sequence[KeyProblem] = (),
) -> CheckResult:
    """Replay the on-chain events' hash chain, recompute every record's commitment from its decryption, and
    compare the final head and count with the TradeLog's (zk.audit.audit_trade_log lists every mismatch)."""
    decrypted = []
    for r in records:
        key = keys.get(r.epoch)
        fill = None
        if key is not None:
            try:
                fill = decrypt_record(key, r.seq, r.commitment, r.ciphertext)
            except (DecryptionError, EncodingError):
                fill = None
        decrypted.append(DecryptedRecord(r.seq, r.epoch, r.ciphertext, fill))
    report = audit_trade_log(vault, state.events, decrypted, expected_head=state.head,
                             expected_count=state.count)
    return CheckResult(report, state.head, state.count, list(key_problems))


def load_auditor_key(path: str | Path) -> AuditorPrivateKey:
    from zk.keyfiles import load_auditor_key as _load

    try:
        return _load(path)
    except ZkError as exc:
        raise AuditInputError(f"auditor key file: {exc}") from None


def vault_context(chainid: int, vault: str) -> VaultId:
    try:
        return VaultId.of(chainid, vault)
    except EncodingError as exc:
        raise AuditInputError(f"vault: {exc}") from None
