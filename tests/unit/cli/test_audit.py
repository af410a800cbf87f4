"""`vaultcraft audit decrypt|check` and vaultcraft/audit.py against a private vault's TradeLog in titanoboa.

Records and wraps are built the way the keeper produces them (zk.envelope.seal_record / wrap_epoch_key) and
the auditor API serves them: {seq, epoch, commitment, ciphertext} and {epoch, auditor_key, wrap}, 0x-hex.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat

import boa
import pytest
from typer.testing import CliRunner

from tests.fixtures.boa_protocol import contract_deployer
from tests.unit.proofs.helpers import make_fill
from vaultcraft import audit
from vaultcraft.cli import app
from zk.context import VaultContext
from zk.envelope import seal_record, wrap_epoch_key
from zk.hpke import AuditorPrivateKey
from zk.keccak import keccak256
from zk.keyfiles import save_auditor_key
from zk.view_keys import EpochKey, epoch_key_commitment

RPC = "http://node.invalid:8545"
runner = CliRunner()


@dataclasses.dataclass
class AuditCase:
    log: object
    vault: str
    chain_id: int
    records: list[dict]
    wraps: list[dict]
    key_file: str
    fills: list
    epoch_keys: list


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


@pytest.fixture
def audit_case(private_protocol, boa_chain, tmp_path) -> AuditCase:
    """Two epochs of sealed fills (seqs 1-3 in epoch e, 4-5 in e+1) posted to the vault's private TradeLog,
    each epoch key wrapped to our auditor and to another one."""
    p = private_protocol
    log = contract_deployer("TradeLog").deploy(p.vault.address)
    chain_id = boa.env.evm.patch.chain_id
    auditor, other = AuditorPrivateKey.generate(), AuditorPrivateKey.generate()
    key_file = tmp_path / "auditor.json"
    save_auditor_key(key_file, auditor)
    records, wraps, fills, epoch_keys = [], [], [], []
    for seqs in ((1, 2, 3), (4, 5)):
        epoch = p.vault.epoch()
        ctx = VaultContext.of(chain_id, p.vault.address, epoch)
        epoch_key = EpochKey(ctx, keccak256(b"epoch key %d" % epoch))
        batch = [make_fill(s, s) for s in seqs]
        sealed = [seal_record(epoch_key, f) for f in batch]
        ciphertexts = b"".join(r.ciphertext for r in sealed)
        log.post_trades(seqs[0], epoch, [r.commitment for r in sealed], ciphertexts, sender=p.keeper)
        boa_chain.record(log)
        records += [{"seq": r.seq, "epoch": epoch, "commitment": _hex(r.commitment),
                     "ciphertext": _hex(r.ciphertext)} for r in sealed]
        for who in (other, auditor):
            wraps.append({"epoch": epoch, "auditor_key": who.public_key().hex(),
                          "wrap": _hex(wrap_epoch_key(epoch_key, who.public_key()))})
        fills += batch
        epoch_keys.append(epoch_key)
        assert p.settle()
    return AuditCase(log, p.vault.address, chain_id, records, wraps, str(key_file), fills, epoch_keys)


def _files(tmp_path, case, records=None, wraps=None):
    rpath, wpath = tmp_path / "records.json", tmp_path / "wraps.json"
    rpath.write_text(json.dumps(case.records if records is None else records))
    wpath.write_text(json.dumps(case.wraps if wraps is None else wraps))
    return str(rpath), str(wpath)


def _decrypt(tmp_path, case, records=None, wraps=None, key_file=None, extra=()):
    rpath, wpath = _files(tmp_path, case, records, wraps)
    out = tmp_path / "out.json"
    args = ["audit", "decrypt", "--key-file", key_file or case.key_file, "--records", rpath, "--wraps", wpath,
            "--vault", case.vault, "--chain-id", str(case.chain_id), "--out", str(out), *extra]
    return runner.invoke(app, args), out


def _check(tmp_path, case, records=None, wraps=None, trade_log=None, extra=()):
    rpath, wpath = _files(tmp_path, case, records, wraps)
    args = ["audit", "check", "--rpc", RPC, "--trade-log", trade_log or case.log.address, "--key-file",
            case.key_file, "--records", rpath, "--wraps", wpath, *extra]
    return runner.invoke(app, args)


# ------------------------------------------------------------------------------------------------ decrypt


def test_audit_decrypt__opens_every_record_and_writes_private_json(tmp_path, audit_case):
    result, out = _decrypt(tmp_path, audit_case)
    assert result.exit_code == 0, result.output
    assert "all 5 records decrypted" in result.output
    rows = json.loads(out.read_text())
    assert [r["status"] for r in rows] == ["ok"] * 5
    for row, fill in zip(rows, audit_case.fills, strict=True):
        assert row["fill"]["seq"] == fill.seq
        assert (row["fill"]["qty"], row["fill"]["price"], row["fill"]["fee"]) == (
            str(fill.qty), str(fill.price), str(fill.fee)
        )
        assert row["fill"]["salt"] == _hex(fill.salt)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_audit_decrypt__chain_id_from_the_node(tmp_path, audit_case, boa_chain):
    rpath, wpath = _files(tmp_path, audit_case)
    result = runner.invoke(app, ["audit", "decrypt", "--key-file", audit_case.key_file, "--records", rpath,
                                 "--wraps", wpath, "--vault", audit_case.vault, "--rpc", RPC, "--out",
                                 str(tmp_path / "o.json")])
    assert result.exit_code == 0, result.output
    assert boa_chain.urls == [RPC]


def test_audit_decrypt__an_epoch_without_a_wrap_for_this_auditor__exits_1(tmp_path, audit_case):
    second_epoch = audit_case.records[-1]["epoch"]
    wraps = [w for w in audit_case.wraps if w["epoch"] != second_epoch]
    result, out = _decrypt(tmp_path, audit_case, wraps=wraps)
    assert result.exit_code == 1, result.output
    rows = json.loads(out.read_text())
    assert [r["status"] for r in rows] == ["ok"] * 3 + [audit.Status.NO_KEY] * 2


def test_audit_decrypt__tampered_ciphertext_or_moved_commitment__exits_1(tmp_path, audit_case):
    records = json.loads(json.dumps(audit_case.records))
    ct = bytearray.fromhex(records[1]["ciphertext"][2:])
    ct[40] ^= 1
    records[1]["ciphertext"] = _hex(bytes(ct))
    records[3]["commitment"] = records[4]["commitment"]
    result, out = _decrypt(tmp_path, audit_case, records=records)
    assert result.exit_code == 1
    statuses = [r["status"] for r in json.loads(out.read_text())]
    assert statuses == ["ok", audit.Status.UNREADABLE, "ok", audit.Status.UNREADABLE, "ok"]


def test_audit_decrypt__with_another_auditors_key__decrypts_nothing_and_exits_1(tmp_path, audit_case):
    stranger = tmp_path / "stranger.json"
    save_auditor_key(stranger, AuditorPrivateKey.generate())
    result, out = _decrypt(tmp_path, audit_case, key_file=str(stranger))
    assert result.exit_code == 1
    assert {r["status"] for r in json.loads(out.read_text())} == {audit.Status.NO_KEY}


def test_audit_decrypt__a_corrupted_wrap__is_reported_and_exits_1(tmp_path, audit_case):
    wraps = json.loads(json.dumps(audit_case.wraps))
    mine = [w for w in wraps if w["auditor_key"] == wraps[1]["auditor_key"]]
    mine[0]["wrap"] = mine[0]["wrap"][:-2] + ("00" if mine[0]["wrap"][-2:] != "00" else "01")
    result, _ = _decrypt(tmp_path, audit_case, wraps=wraps)
    assert result.exit_code == 1
    assert "HPKE open failed" in " ".join(result.output.split())


@pytest.mark.parametrize(
    "records, wraps, message",
    [
        ({"not": "a list"}, None, "records: expected a JSON list"),
        ([{"seq": 1, "epoch": 1, "commitment": "0x" + "12" * 32}], None, "field 'ciphertext' missing"),
        ([{"seq": 1, "epoch": 1, "commitment": "0x12", "ciphertext": "0x"}], None, "expected 32 bytes"),
        (None, [{"epoch": "x", "auditor_key": "0x" + "00" * 32, "wrap": "0x"}], "not a decimal integer"),
    ],
    ids=["not-a-list", "missing-field", "short-commitment", "bad-epoch"],
)
def test_audit_decrypt__malformed_input__exits_2_naming_it(tmp_path, audit_case, records, wraps, message):
    result, out = _decrypt(tmp_path, audit_case, records=records, wraps=wraps)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_audit_decrypt__bad_key_file_or_missing_chain__exits_2(tmp_path, audit_case):
    bad = tmp_path / "bad-key.json"
    bad.write_text('{"kind": "something else"}')
    result, _ = _decrypt(tmp_path, audit_case, key_file=str(bad))
    assert result.exit_code == 2
    assert "auditor key file" in result.output
    rpath, wpath = _files(tmp_path, audit_case)
    result = runner.invoke(app, ["audit", "decrypt", "--key-file", audit_case.key_file, "--records", rpath,
                                 "--wraps", wpath, "--vault", audit_case.vault])
    assert result.exit_code == 2
    assert "give --chain-id or --rpc" in result.output


def test_audit_records__the_api_paged_shape_is_accepted():
    assert audit.parse_records({"items": []}) == []


# ------------------------------------------------------------------------------------------------ check


def test_audit_check__clean_log__exits_0(tmp_path, audit_case):
    result = _check(tmp_path, audit_case)
    assert result.exit_code == 0, result.output
    assert "5 entries on-chain" in result.output
    assert "every commitment and the hash chain match" in result.output


def test_audit_check__reads_head_and_events_from_the_chain(audit_case, boa_chain):
    state = audit.read_trade_log(boa_chain, audit_case.log.address)
    assert (state.vault, state.is_private, state.count) == (audit_case.vault, True, 5)
    assert state.head == audit_case.log.head()
    assert [e.seq for e in state.events] == [1, 2, 3, 4, 5]
    # Batch ends carry the head the TradesPosted event named.
    assert [e.head is not None for e in state.events] == [False, False, True, False, True]
    assert state.events[-1].head == audit_case.log.head_at(5)


def test_audit_check__a_record_the_api_altered__exits_1_with_the_seq(tmp_path, audit_case):
    records = json.loads(json.dumps(audit_case.records))
    ct = bytearray.fromhex(records[2]["ciphertext"][2:])
    ct[-1] ^= 0xFF
    records[2]["ciphertext"] = _hex(bytes(ct))
    result = _check(tmp_path, audit_case, records=records)
    assert result.exit_code == 1, result.output
    assert "bad_ciphertext" in result.output
    assert "mismatches" in result.output


def test_audit_check__a_missing_record__exits_1(tmp_path, audit_case):
    result = _check(tmp_path, audit_case, records=audit_case.records[:-1])
    assert result.exit_code == 1
    assert "missing_record" in result.output


def test_audit_check__a_record_with_no_event__exits_1(tmp_path, audit_case):
    extra = dict(audit_case.records[-1], seq=6)
    result = _check(tmp_path, audit_case, records=[*audit_case.records, extra])
    assert result.exit_code == 1
    assert "unexpected_record" in result.output


def test_audit_check__events_that_do_not_reach_the_onchain_head__exit_1(audit_case, boa_chain):
    """If the event feed misses a batch (a node with pruned logs), the replay cannot reach head()."""
    state = audit.read_trade_log(boa_chain, audit_case.log.address)
    short = dataclasses.replace(state, events=state.events[:3])
    vid = audit.vault_context(audit_case.chain_id, audit_case.vault)
    key = audit.load_auditor_key(audit_case.key_file)
    keys, _ = audit.unwrap_epoch_keys(key, audit.parse_wraps(audit_case.wraps), vid)
    result = audit.check_against_chain(short, audit.parse_records(audit_case.records[:3]), keys, vid)
    assert not result.ok
    kinds = {i.kind.value for i in result.report.issues}
    assert kinds == {"chain_head_mismatch"}


def test_audit_check__on_a_public_vaults_log__exits_2(tmp_path, audit_case, protocol):
    public_log = contract_deployer("TradeLog").deploy(protocol.vault.address)
    result = _check(tmp_path, audit_case, trade_log=public_log.address)
    assert result.exit_code == 2
    assert "public vault" in result.output


def test_audit_check__address_that_is_not_a_trade_log__exits_2(tmp_path, audit_case, private_protocol):
    result = _check(tmp_path, audit_case, trade_log=private_protocol.vault.address)
    assert result.exit_code == 2, result.output


def _registry_with(private_protocol, commitments: dict[int, bytes]):
    registry = contract_deployer("AuditorRegistry").deploy()
    for epoch, commitment in commitments.items():
        registry.post_key_wraps(private_protocol.vault.address, epoch, commitment, [],
                                sender=private_protocol.keeper)
    return registry


def test_audit_check__epoch_keys_match_the_registry_commitments__exits_0(
    tmp_path, audit_case, private_protocol
):
    commitments = {k.ctx.epoch: epoch_key_commitment(k.ctx, k.secret) for k in audit_case.epoch_keys}
    registry = _registry_with(private_protocol, commitments)
    result = _check(tmp_path, audit_case, extra=("--registry", registry.address))
    assert result.exit_code == 0, result.output


def test_audit_check__a_wrapped_key_that_is_not_the_committed_one__exits_1(
    tmp_path, audit_case, private_protocol
):
    """A keeper that wraps a different key than it committed on-chain is caught, even if records open."""
    first, second = audit_case.epoch_keys
    decoy = EpochKey(second.ctx, keccak256(b"not the wrapped key"))
    commitments = {first.ctx.epoch: epoch_key_commitment(first.ctx, first.secret),
                   second.ctx.epoch: epoch_key_commitment(decoy.ctx, decoy.secret)}
    registry = _registry_with(private_protocol, commitments)
    result = _check(tmp_path, audit_case, extra=("--registry", registry.address))
    assert result.exit_code == 1, result.output
    assert f"epoch {second.ctx.epoch}" in result.output
    assert "does not match its on-chain commitment" in " ".join(result.output.split())


def test_audit_check__an_epoch_without_a_committed_key__exits_1(tmp_path, audit_case, private_protocol):
    first = audit_case.epoch_keys[0]
    only_first = {first.ctx.epoch: epoch_key_commitment(first.ctx, first.secret)}
    registry = _registry_with(private_protocol, only_first)
    result = _check(tmp_path, audit_case, extra=("--registry", registry.address))
    assert result.exit_code == 1
    assert "no epoch-key commitment on-chain" in " ".join(result.output.split())


def test_audit_check__registry_address_that_is_not_a_registry__exits_2(tmp_path, audit_case):
    result = _check(tmp_path, audit_case, extra=("--registry", audit_case.log.address))
    assert result.exit_code == 2


def test_trade_log_event_topics__match_the_compiled_contract(audit_case):
    abi = {item["name"]: item for item in audit_case.log.abi if item.get("type") == "event"}
    for name, topic in (("TradeCommitted", audit.TRADE_COMMITTED_TOPIC),
                        ("TradesPosted", audit.TRADES_POSTED_TOPIC)):
        signature = f"{name}({','.join(i['type'] for i in abi[name]['inputs'])})"
        assert keccak256(signature.encode()) == topic


def test_audit_commands__have_help():
    for args in (["audit", "--help"], ["audit", "decrypt", "--help"], ["audit", "check", "--help"]):
        assert runner.invoke(app, args).exit_code == 0
