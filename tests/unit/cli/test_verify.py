"""`vaultcraft verify holder|position` and vaultcraft/verify.py, against contracts deployed in titanoboa.

The statement JSON is built the way the API serves it (api/routes/statements.py): uints as decimal strings,
bytes as 0x-hex, proof = zk.merkle_sum SumProof.to_json(), report = the NavReport struct's fields.
"""

from __future__ import annotations

import dataclasses
import json

import boa
import pytest
from typer.testing import CliRunner

from tests.fixtures.boa_protocol import contract_deployer, events
from tests.unit.proofs.helpers import deploy_mock_oracle, report_with
from vaultcraft import verify
from vaultcraft.cli import app
from vaultcraft.protocol import NavReport
from zk.abi import bytes32_from_text
from zk.context import VaultContext
from zk.keccak import keccak256
from zk.leaves import build_holder_tree, build_position_tree, holder_leaves, position_leaves

SALT_SECRET = keccak256(b"cli verify suite salt secret")
RPC = "http://node.invalid:8545"
runner = CliRunner()


def _report_json(report: NavReport) -> dict:
    return {
        name: ("0x" + value.hex() if isinstance(value, bytes) else str(value))
        for name, value in dataclasses.asdict(report).items()
    }


@dataclasses.dataclass
class HolderCase:
    verifier: object
    oracle: str
    statements: list[dict]
    report: NavReport


@pytest.fixture
def holder_case(protocol, manager, depositor, second_depositor) -> HolderCase:
    """Three investors onboarded, a depth-20 holder tree posted in a real signed report."""
    p = protocol
    p.onboard({manager: 1_000 * p.unit, depositor: 4_000 * p.unit, second_depositor: 2_500 * p.unit})
    vault = p.vault
    holders = sorted({manager, depositor, second_depositor, p.fee_recipient, p.protocol_recipient})
    holdings = [(a, vault.balanceOf(a)) for a in holders if vault.balanceOf(a)]
    assert sum(s for _, s in holdings) == vault.totalSupply()
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, vault.address, vault.epoch())
    leaves = holder_leaves(ctx, holdings, SALT_SECRET)
    tree = build_holder_tree(ctx, leaves, 20)
    assert p.settle(holder_root=tree.root)
    report = NavReport(*events(p.oracle, "ReportAccepted")[-1].report)
    statements = [
        {
            "vault": vault.address,
            "epoch": report.epoch,
            "holder": "0x" + leaf.account.hex(),
            "shares": str(leaf.shares),
            "leaf": "0x" + leaf.leaf_hash(ctx).hex(),
            "salt": "0x" + leaf.salt.hex(),
            "proof": tree.proof(i).to_json(),
            "report": _report_json(report),
            "report_status": "posted",
        }
        for i, leaf in enumerate(leaves)
    ]
    verifier = contract_deployer("ProofVerifier").deploy()
    return HolderCase(verifier, p.oracle.address, statements, report)


def _run(tmp_path, kind: str, case, statement: dict | str, oracle: str | None = None):
    path = tmp_path / "statement.json"
    path.write_text(statement if isinstance(statement, str) else json.dumps(statement))
    args = ["verify", kind, "--rpc", RPC, "--verifier", case.verifier.address, "--oracle",
            oracle or case.oracle, "--statement", str(path)]
    return runner.invoke(app, args)


# ------------------------------------------------------------------------------------------------ holder


def test_verify_holder__every_investor_of_the_accepted_report__exits_0(tmp_path, holder_case, boa_chain):
    for statement in holder_case.statements:
        result = _run(tmp_path, "holder", holder_case, statement)
        assert result.exit_code == 0, result.output
        assert "OK" in result.output
    assert boa_chain.urls and set(boa_chain.urls) == {RPC}


def test_verify_holder__prints_the_exact_eth_call_that_returns_true(tmp_path, holder_case, boa_chain):
    statement = holder_case.statements[0]
    result = _run(tmp_path, "holder", holder_case, statement)
    stmt = verify.parse_holder_statement(statement)
    call = verify.holder_call(holder_case.verifier.address, holder_case.oracle, stmt)
    flat = result.output.replace("\n", "")
    assert call.data in flat and call.to in flat
    # Repeating the printed call by hand gives true.
    out = boa_chain.call(call.to, bytes.fromhex(call.data[2:]))
    assert out == (1).to_bytes(32, "big")


def test_holder_call__matches_the_calldata_the_api_serves(holder_case):
    from api.proofcall import verify_holder_call

    s = holder_case.statements[1]
    _, api_data = verify_holder_call(
        holder_case.oracle, s["report"], s["holder"], int(s["shares"]), s["salt"], s["proof"]
    )
    stmt = verify.parse_holder_statement(s)
    assert verify.holder_call(holder_case.verifier.address, holder_case.oracle, stmt).data == api_data


@pytest.mark.parametrize("field", ["shares", "salt", "holder"])
def test_verify_holder__with_a_tampered_leaf__exits_1_both_checks_false(
    tmp_path, holder_case, boa_chain, field
):
    statement = dict(holder_case.statements[0])
    statement[field] = {
        "shares": str(int(statement["shares"]) + 1),
        "salt": "0x" + "11" * 32,
        "holder": holder_case.statements[1]["holder"],
    }[field]
    stmt = verify.parse_holder_statement(statement)
    verdict = verify.verify_holder(boa_chain, holder_case.verifier.address, holder_case.oracle, stmt)
    assert (verdict.local_ok, verdict.onchain_ok) == (False, False)
    assert verdict.local_reason == "root hash mismatch"
    result = _run(tmp_path, "holder", holder_case, statement)
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output


def test_verify_holder__report_not_the_accepted_one__fails_on_chain_only(tmp_path, holder_case, boa_chain):
    """The local proof says "this leaf is under this root"; only the chain says the report was accepted."""
    statement = dict(holder_case.statements[0])
    statement["report"] = dict(statement["report"], report_hash="0x" + "ab" * 32)
    verdict = verify.verify_holder(boa_chain, holder_case.verifier.address, holder_case.oracle,
                                   verify.parse_holder_statement(statement))
    assert (verdict.local_ok, verdict.onchain_ok) == (True, False)
    assert _run(tmp_path, "holder", holder_case, statement).exit_code == 1


def test_verify_holder__camel_case_report_keys_and_compressed_proofs__are_accepted(holder_case, boa_chain):
    statement = dict(holder_case.statements[0])
    statement["report"] = {verify._camel(k): v for k, v in statement["report"].items()}
    proof = statement["proof"]
    zero = "0x" + "00" * 32
    # The real (sparse) tree's empty-subtree siblings may travel as zero hashes.
    from zk.merkle_sum import SumProof, _zero_subtrees
    from zk.tags import SUM_NODE

    zeros = _zero_subtrees(SUM_NODE, 1, 20)
    parsed = SumProof.from_json(proof)
    statement["proof"] = {
        "index": proof["index"],
        "siblings": [
            {"hash": zero, "sum": "0"} if (h, s) == (zeros[k], 0) else {"hash": "0x" + h.hex(), "sum": str(s)}
            for k, (h, s) in enumerate(parsed.siblings)
        ],
    }
    assert sum(1 for s in statement["proof"]["siblings"] if s["hash"] == zero) >= 17
    verdict = verify.verify_holder(boa_chain, holder_case.verifier.address, holder_case.oracle,
                                   verify.parse_holder_statement(statement))
    assert verdict.ok


def test_verify_holder__oracle_of_another_vault__is_a_failed_verification(tmp_path, holder_case, boa_chain):
    other = deploy_mock_oracle("0x000000000000000000000000000000000000bEEF")
    other.accept(holder_case.report.as_tuple())
    result = _run(tmp_path, "holder", holder_case, holder_case.statements[0], oracle=other.address)
    assert result.exit_code == 1, result.output
    assert "belongs to vault" in result.output


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s.pop("salt"), "field 'salt' missing"),
        (lambda s: s.update(shares="-1"), "shares: outside uint256"),
        (lambda s: s.update(shares="1e18"), "shares: not a decimal integer"),
        (lambda s: s.update(holder="0x1234"), "holder: not an address"),
        (lambda s: s.update(epoch=s["epoch"] + 1), "its report closes epoch"),
        (lambda s: s.update(proof={"index": 0}), "proof:"),
        (lambda s: s["report"].pop("holder_root"), "field 'holder_root' missing"),
        (lambda s: s.update(chain_id=424242), "statement is for chain 424242"),
    ],
    ids=["no-salt", "negative-shares", "float-shares", "bad-holder", "epoch-mismatch", "bad-proof",
         "report-field-missing", "other-chain"],
)
def test_verify_holder__bad_statement__exits_2_and_names_the_field(
    tmp_path, holder_case, boa_chain, mutate, message
):
    statement = json.loads(json.dumps(holder_case.statements[0]))
    mutate(statement)
    result = _run(tmp_path, "holder", holder_case, statement)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_verify_holder__unreadable_or_non_json_file__exits_2(tmp_path, holder_case, boa_chain):
    assert _run(tmp_path, "holder", holder_case, "{not json").exit_code == 2
    args = ["verify", "holder", "--rpc", RPC, "--verifier", holder_case.verifier.address, "--oracle",
            holder_case.oracle, "--statement", str(tmp_path / "missing.json")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_verify_holder__oracle_address_without_a_vault__exits_2(tmp_path, holder_case, boa_chain):
    result = _run(tmp_path, "holder", holder_case, holder_case.statements[0],
                  oracle=holder_case.verifier.address)
    assert result.exit_code == 2, result.output


def test_verify_holder__unreachable_node__exits_2(tmp_path, holder_case, monkeypatch):
    from vaultcraft import cli_verify

    monkeypatch.setattr(cli_verify, "chain_factory", lambda url: verify.Web3Chain(url, timeout=0.5))
    path = tmp_path / "s.json"
    path.write_text(json.dumps(holder_case.statements[0]))
    result = runner.invoke(app, ["verify", "holder", "--rpc", "http://127.0.0.1:9", "--verifier",
                                 holder_case.verifier.address, "--oracle", holder_case.oracle,
                                 "--statement", str(path)])
    assert result.exit_code == 2
    assert "eth_chainId failed" in result.output


# ------------------------------------------------------------------------------------------------ position


@pytest.fixture
def position_case(verifier_and_mock):
    verifier, oracle, vault = verifier_and_mock
    epoch = 7
    ctx = VaultContext.of(boa.env.evm.patch.chain_id, vault, epoch)
    rows = [
        (bytes32_from_text("BTC"), 2 * 10**8, 65_000 * 10**8, 130_000 * 10**8, 0),
        (bytes32_from_text("ETH"), -15 * 10**8, 3_200 * 10**8, 1_000 * 10**8, 48_000 * 10**8),
        (bytes32_from_text("SOL"), 100 * 10**8, 150 * 10**8, 15_000 * 10**8, 2_500 * 10**8),
    ]
    leaves = position_leaves(ctx, rows, SALT_SECRET)
    tree = build_position_tree(ctx, leaves, 4)
    report = report_with(epoch=epoch, position_root=tree.root, equity=tree.total_equity, debt=tree.total_debt,
                         external_assets=tree.nav)
    oracle.accept(report.as_tuple())
    statements = [
        {
            "vault": vault,
            "epoch": epoch,
            "instrument": ("BTC", "0x" + leaf.instrument.hex(), "SOL")[i],
            "size": str(leaf.size),
            "mark_price": str(leaf.mark_price),
            "equity": str(leaf.equity),
            "debt": str(leaf.debt),
            "salt": "0x" + leaf.salt.hex(),
            "proof": tree.proof(i).to_json(),
            "report": _report_json(report),
        }
        for i, leaf in enumerate(leaves)
    ]
    return HolderCase(verifier, oracle.address, statements, report)


@pytest.fixture
def verifier_and_mock():
    vault = "0x000000000000000000000000000000000000dEaD"
    with boa.env.anchor():
        yield contract_deployer("ProofVerifier").deploy(), deploy_mock_oracle(vault), vault


def test_verify_position__every_leaf__exits_0(tmp_path, position_case, boa_chain):
    for statement in position_case.statements:
        result = _run(tmp_path, "position", position_case, statement)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("field", ["size", "equity", "debt", "instrument"])
def test_verify_position__tampered_field__exits_1(tmp_path, position_case, boa_chain, field):
    statement = dict(position_case.statements[1])
    statement[field] = {"size": "1500000000", "equity": "1", "debt": "0", "instrument": "XRP"}[field]
    verdict = verify.verify_position(boa_chain, position_case.verifier.address, position_case.oracle,
                                     verify.parse_position_statement(statement))
    assert (verdict.local_ok, verdict.onchain_ok) == (False, False)
    assert _run(tmp_path, "position", position_case, statement).exit_code == 1


def test_verify_position__a_holder_statement__exits_2(tmp_path, position_case, holder_case, boa_chain):
    result = _run(tmp_path, "position", position_case, holder_case.statements[0])
    assert result.exit_code == 2
    assert "siblings: [{hash, equity, debt}]" in result.output


def test_verify_commands__have_help():
    for args in (["verify", "--help"], ["verify", "holder", "--help"], ["verify", "position", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "--statement" in result.output or "holder" in result.output


def test_verify_holder__api_calldata_is_compared_but_never_trusted(tmp_path, holder_case, boa_chain):
    statement = dict(holder_case.statements[0])
    stmt = verify.parse_holder_statement(statement)
    own = verify.holder_call(holder_case.verifier.address, holder_case.oracle, stmt).data
    statement["verify"] = {"calldata": own}
    verdict = verify.verify_holder(boa_chain, holder_case.verifier.address, holder_case.oracle,
                                   verify.parse_holder_statement(statement))
    assert verdict.ok and verdict.notes == ()
    statement["verify"] = {"calldata": own[:-2] + "ff"}
    result = _run(tmp_path, "holder", holder_case, statement)
    assert result.exit_code == 0
    assert "the API's calldata differs" in " ".join(result.output.split())
