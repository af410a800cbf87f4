"""`vaultcraft verify holder` and `vaultcraft audit check` end to end: a real Anvil, the protocol deployed by
`ape run deploy`, transactions sent with web3 by the local roles, the CLI talking JSON-RPC to the node."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from eth_account import Account
from typer.testing import CliRunner
from web3 import HTTPProvider, Web3

from vaultcraft.cli import app
from vaultcraft.protocol import NavReport, sign_nav_report
from zk.abi import bytes32_from_text
from zk.commitments import Side, TradeFill, venue_fill_id_hash
from zk.context import VaultContext
from zk.envelope import seal_record, wrap_epoch_key
from zk.hpke import AuditorPrivateKey
from zk.keccak import keccak256
from zk.keyfiles import save_auditor_key
from zk.leaves import build_holder_tree, holder_leaves
from zk.view_keys import EpochKey

runner = CliRunner()
UNIT = 10**6
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class Node:
    def __init__(self, stack):
        self.stack = stack
        self.w3 = Web3(HTTPProvider(stack.url))
        deployment = stack.deployment
        self.abi = {name: json.loads(deployment.abi_path(name).read_text()) for name in deployment.abi}

    def at(self, name: str, address: str):
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=self.abi[name])

    def send(self, fn, role: str):
        sender = Account.from_key(self.stack.key(role)).address
        receipt = self.w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}))
        assert receipt.status == 1, f"{fn.fn_name} failed"
        return receipt

    def address(self, role: str) -> str:
        return Account.from_key(self.stack.key(role)).address

    def advance(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    def now(self) -> int:
        return self.w3.eth.get_block("latest")["timestamp"]


def _post_report(node: Node, vault, oracle, **overrides) -> NavReport:
    node.advance(oracle.functions.min_report_delay().call() + 1)
    log_address = oracle.functions.trade_log().call()
    head, count = b"\x00" * 32, 0
    if log_address != ZERO_ADDRESS:
        log = node.at("TradeLog", log_address)
        head, count = log.functions.head().call(), log.functions.trade_count().call()
    ext = vault.functions.external_assets().call()
    fields = dict(
        epoch=vault.functions.epoch().call(), external_assets=ext, equity=ext, debt=0,
        position_root=keccak256(b"positions"), holder_root=keccak256(b"holders"),
        holder_sum=vault.functions.totalSupply().call(), trade_head=bytes(head), trade_count=count,
        custody_out=vault.functions.custody_out().call(), custody_in=vault.functions.custody_in().call(),
        report_hash=keccak256(b"e2e report"), timestamp=node.now() - 5,
    )
    fields.update(overrides)
    report = NavReport(**fields)
    signatures = sign_nav_report(report, node.w3.eth.chain_id, oracle.address, [node.stack.key("keeper")])
    node.send(oracle.functions.post_report(report.as_tuple(), signatures), "keeper")
    return report


@pytest.fixture(scope="module")
def node(chain_stack) -> Node:
    return Node(chain_stack)


def test_verify_holder__on_anvil__exits_0_and_a_tampered_statement_exits_1(node, tmp_path):
    dep = node.stack.deployment
    record = dep.vaults[0]
    vault, oracle = node.at("Vault", record.address), node.at("NavOracle", record.nav_oracle)
    token = node.at("MockUSDC", dep.asset)
    manager = node.address("manager")
    node.send(token.functions.faucet(manager, 10_000 * UNIT), "manager")
    node.send(token.functions.approve(vault.address, 10_000 * UNIT), "manager")
    node.send(vault.functions.request_deposit(10_000 * UNIT, manager, manager), "manager")
    _post_report(node, vault, oracle)
    node.send(vault.functions.deposit(10_000 * UNIT, manager), "manager")

    chain_id = node.w3.eth.chain_id
    candidates = sorted({manager, node.address("fee_recipient"), node.address("protocol_fee_recipient"),
                         vault.address})
    holdings = [(a, vault.functions.balanceOf(a).call()) for a in candidates]
    holdings = [(a, s) for a, s in holdings if s]
    assert sum(s for _, s in holdings) == vault.functions.totalSupply().call()
    ctx = VaultContext.of(chain_id, vault.address, vault.functions.epoch().call())
    leaves = holder_leaves(ctx, holdings, keccak256(b"e2e salt secret"))
    tree = build_holder_tree(ctx, leaves, 20)
    report = _post_report(node, vault, oracle, holder_root=tree.root)
    index = next(i for i, lf in enumerate(leaves) if "0x" + lf.account.hex() == manager.lower())
    statement = {
        "vault": vault.address, "epoch": report.epoch, "holder": manager,
        "shares": str(leaves[index].shares), "salt": "0x" + leaves[index].salt.hex(),
        "proof": tree.proof(index).to_json(),
        "report": {k: "0x" + v.hex() if isinstance(v, bytes) else str(v) for k, v in asdict(report).items()},
    }
    path = tmp_path / "statement.json"
    path.write_text(json.dumps(statement))
    args = ["verify", "holder", "--rpc", node.stack.url, "--verifier", dep.proof_verifier, "--oracle",
            oracle.address, "--statement", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # The printed eth_call, repeated with plain JSON-RPC, answers true.
    flat = result.output.replace("\n", "")
    data = flat.split("data: ")[1].split()[0]
    answer = node.w3.eth.call({"to": dep.proof_verifier, "data": data})
    assert int.from_bytes(answer, "big") == 1

    statement["shares"] = str(int(statement["shares"]) - 1)
    path.write_text(json.dumps(statement))
    assert runner.invoke(app, args).exit_code == 1


def test_audit_check__on_anvil__clean_log_exits_0_and_an_altered_record_exits_1(node, tmp_path):
    dep = node.stack.deployment
    record = dep.vaults[1]
    assert record.is_private
    vault = node.at("Vault", record.address)
    log = node.at("TradeLog", record.trade_log)
    chain_id = node.w3.eth.chain_id
    epoch = vault.functions.epoch().call()
    ctx = VaultContext.of(chain_id, vault.address, epoch)
    epoch_key = EpochKey(ctx, keccak256(b"e2e epoch key"))
    first = log.functions.trade_count().call() + 1
    if first != 1:
        pytest.skip("the private log already has entries from another test on this chain")
    fills = [
        TradeFill(seq=first + i, ts=1_767_225_600 + i, venue=bytes32_from_text("hyperliquid"),
                  instrument=bytes32_from_text("BTC"), side=Side(i % 2), qty=10_000_000 + i,
                  price=6_500_000_000_000, fee=1_000 + i, venue_fill_id_hash=venue_fill_id_hash(f"e2e-{i}"),
                  salt=keccak256(b"e2e salt %d" % i))
        for i in range(3)
    ]
    sealed = [seal_record(epoch_key, f) for f in fills]
    node.send(log.functions.post_trades(first, epoch, [r.commitment for r in sealed],
                                        b"".join(r.ciphertext for r in sealed)), "keeper")
    auditor = AuditorPrivateKey.generate()
    key_file = tmp_path / "auditor.json"
    save_auditor_key(key_file, auditor)
    records = [{"seq": r.seq, "epoch": epoch, "commitment": "0x" + r.commitment.hex(),
                "ciphertext": "0x" + r.ciphertext.hex()} for r in sealed]
    wraps = [{"epoch": epoch, "auditor_key": auditor.public_key().hex(),
              "wrap": "0x" + wrap_epoch_key(epoch_key, auditor.public_key()).hex()}]
    rpath, wpath = tmp_path / "records.json", tmp_path / "wraps.json"
    rpath.write_text(json.dumps(records))
    wpath.write_text(json.dumps(wraps))
    args = ["audit", "check", "--rpc", node.stack.url, "--trade-log", log.address,
            "--key-file", str(key_file), "--records", str(rpath), "--wraps", str(wpath)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 entries on-chain" in result.output

    last = int(records[1]["ciphertext"][-2:], 16) ^ 0xFF
    records[1]["ciphertext"] = records[1]["ciphertext"][:-2] + f"{last:02x}"
    rpath.write_text(json.dumps(records))
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "bad_ciphertext" in result.output
