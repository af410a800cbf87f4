"""Builders shared by the proofs suites: mocks, chain-id switching, zk trees -> verifier arguments."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import boa

from tests.fixtures.boa_protocol import ZERO32, contract_deployer
from vaultcraft.protocol import NavReport
from zk.commitments import Side, TradeFill
from zk.context import VaultContext
from zk.keccak import keccak256
from zk.leaves import HolderLeaf, PositionLeaf

VECTORS = Path(__file__).resolve().parents[2] / "zk" / "vectors"
MAX_UINT = 2**256 - 1

_REPORT_STRUCT = """
struct NavReport:
    epoch: uint256
    external_assets: uint256
    equity: uint256
    debt: uint256
    position_root: bytes32
    holder_root: bytes32
    holder_sum: uint256
    trade_head: bytes32
    trade_count: uint256
    custody_out: uint256
    custody_in: uint256
    report_hash: bytes32
    timestamp: uint256
"""

# Mirrors NavOracle: `is_accepted(report)` iff the epoch's recorded hash is the report's hash.
MOCK_ORACLE = (
    "# pragma version ~=0.4.3\n"
    + _REPORT_STRUCT
    + """
vault: public(address)
is_keeper: public(HashMap[address, bool])
accepted: HashMap[uint256, bytes32]

@deploy
def __init__(vault: address):
    self.vault = vault

@external
def accept(report: NavReport):
    self.accepted[report.epoch] = keccak256(abi_encode(report))

@external
def set_keeper(keeper: address, enabled: bool):
    self.is_keeper[keeper] = enabled

@external
@view
def is_accepted(report: NavReport) -> bool:
    return self.accepted[report.epoch] == keccak256(abi_encode(report))
"""
)

# A vault stand-in deployable at a chosen address (the vectors' vault), for byte-for-byte vector checks.
MOCK_VAULT = """
# pragma version ~=0.4.3
nav_oracle: public(address)
is_private: public(bool)
epoch: public(uint256)
owner: public(address)

@deploy
def __init__(oracle: address, is_private: bool, epoch: uint256, owner: address):
    self.nav_oracle = oracle
    self.is_private = is_private
    self.epoch = epoch
    self.owner = owner
"""


def deployer(name: str):
    return contract_deployer(name)


def deploy_mock_oracle(vault: str):
    return boa.loads(MOCK_ORACLE, vault)


def deploy_mock_vault(oracle: str, is_private: bool, epoch: int, owner: str, at: str | None = None):
    kwargs = {"override_address": at} if at else {}
    return boa.loads(MOCK_VAULT, oracle, is_private, epoch, owner, **kwargs)


@contextlib.contextmanager
def chain_id(value: int):
    """Temporarily run the EVM with `value` as chain id (the vectors use Anvil's 31337)."""
    patch = boa.env.evm.patch
    previous = patch.chain_id
    patch.chain_id = value
    try:
        yield
    finally:
        patch.chain_id = previous


def current_chain_id() -> int:
    return boa.env.evm.patch.chain_id


def load_vectors(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


def h32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def report_with(**fields) -> NavReport:
    base = dict(
        epoch=1,
        external_assets=0,
        equity=0,
        debt=0,
        position_root=ZERO32,
        holder_root=ZERO32,
        holder_sum=0,
        trade_head=ZERO32,
        trade_count=0,
        custody_out=0,
        custody_in=0,
        report_hash=keccak256(b"report"),
        timestamp=1,
    )
    base.update(fields)
    return NavReport(**base)


def holder_args(leaf: HolderLeaf, proof) -> tuple:
    """(account, shares, salt, index, sibling_hashes, sibling_sums) for `verify_holder`."""
    return (
        "0x" + leaf.account.hex(),
        leaf.shares,
        leaf.salt,
        proof.index,
        [h for h, _ in proof.siblings],
        [s for _, s in proof.siblings],
    )


def position_args(leaf: PositionLeaf, proof) -> tuple:
    """(instrument, size, mark, equity, debt, salt, index, hashes, equities, debts) for `verify_position`."""
    return (
        leaf.instrument,
        leaf.size,
        leaf.mark_price,
        leaf.equity,
        leaf.debt,
        leaf.salt,
        proof.index,
        [h for h, _, _ in proof.siblings],
        [e for _, e, _ in proof.siblings],
        [d for _, _, d in proof.siblings],
    )


def make_fill(seq: int, i: int = 0, side: int = 0, fee: int = 162_500_000) -> TradeFill:
    """A deterministic, realistic fill (1e8 units) for seq `seq`."""
    return TradeFill(
        seq=seq,
        ts=1_767_225_600 + 60 * seq,
        venue=b"hl".ljust(32, b"\0"),
        instrument=(b"BTC", b"ETH", b"SOL")[i % 3].ljust(32, b"\0"),
        side=Side(side),
        qty=50_000_000 + i,
        price=6_500_010_000_000 + 17 * i,
        fee=fee,
        venue_fill_id_hash=keccak256(b"fill-%d" % seq),
        salt=keccak256(b"salt-%d" % seq),
    )


def fill_tuple(fill: TradeFill) -> tuple:
    """`TradeLog.Fill` (every field but seq, which the contract assigns)."""
    return (
        fill.ts,
        fill.venue,
        fill.instrument,
        int(fill.side),
        fill.qty,
        fill.price,
        fill.fee,
        fill.venue_fill_id_hash,
        fill.salt,
    )


def ctx_of(vault_address: str, epoch: int) -> VaultContext:
    return VaultContext.of(current_chain_id(), vault_address, epoch)


def compress_sum_proof(proof, depth: int):
    """Replace every empty-subtree sibling by a zero hash (the verifier's compressed form)."""
    from zk.merkle_sum import SumProof, _zero_subtrees
    from zk.tags import SUM_NODE

    zeros = _zero_subtrees(SUM_NODE, 1, depth)
    sibs = tuple(
        (b"\x00" * 32, 0) if (h, s) == (zeros[k], 0) else (h, s) for k, (h, s) in enumerate(proof.siblings)
    )
    return SumProof(proof.index, sibs)


def compress_sum2_proof(proof, depth: int):
    from zk.merkle_sum import Sum2Proof, _zero_subtrees
    from zk.tags import SUM2_NODE

    zeros = _zero_subtrees(SUM2_NODE, 2, depth)
    sibs = tuple(
        (b"\x00" * 32, 0, 0) if (h, e, d) == (zeros[k], 0, 0) else (h, e, d)
        for k, (h, e, d) in enumerate(proof.siblings)
    )
    return Sum2Proof(proof.index, sibs)
