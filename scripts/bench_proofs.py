"""`ape run bench_proofs`: gas of the proofs-and-privacy contracts, from Anvil receipts, into gas.json.

Every figure is `gasUsed` of a real transaction on Anvil's default hardfork (EIP-7623 calldata floor
included), so view functions are sent as transactions too:
- verify_holder_depth20: a holder proof at depth 20 in the real (sparse) holder tree, empty-subtree siblings
  sent as zero hashes, against the oracle's accepted report;
- verify_holder_depth20_full: the worst case, a depth-20 path whose 20 siblings are all non-empty;
- post_trades_100_public: TradeLog.post_fills with 100 realistic fills (commitments computed on-chain);
- post_trades_100_private: TradeLog.post_trades with 100 commitments and 100 x 337-byte ciphertexts;
- pedersen_check_100: the Schnorr sum check over 100 Pedersen commitments.
Per-fill figures are the batch figure / 100 (21,000 intrinsic gas amortised). The file is read, merged
and rewritten so other benchmarks' entries survive.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
from ape import accounts, chain, project

from scripts.deploy import deploy_all
from vaultcraft.ape_ops import advance, current_report
from vaultcraft.protocol import sign_nav_report
from zk.abi import bytes32_from_text
from zk.commitments import Side, TradeFill, venue_fill_id_hash
from zk.context import VaultContext
from zk.envelope import seal_record
from zk.keccak import keccak256
from zk.leaves import HolderLeaf, build_holder_tree, holder_leaves
from zk.merkle_sum import SumProof, _zero_subtrees, check_proof
from zk.pedersen import commit, prove_sum
from zk.salts import trade_salt
from zk.tags import SUM_NODE, ZERO32
from zk.view_keys import EpochKey

UNIT = 10**6
E8 = 10**8
FILLS = 100
HOLDER_DEPTH = 20
OUT = Path("bench/results/gas.json")
SALT_SECRET = keccak256(b"bench_proofs salt secret (public)")
INSTRUMENTS = ("BTC", "ETH", "SOL", "DOGE")


def _fills(ctx: VaultContext, first_seq: int, n: int) -> list[TradeFill]:
    """Realistic 1e8-scaled fills: fractional sizes, market prices, positive taker fees."""
    out = []
    for i in range(n):
        seq = first_seq + i
        price = (65_000 + 13 * i) * E8 + 37_000_000
        qty = 1_250_000 + 10_007 * i
        out.append(
            TradeFill(
                seq=seq,
                ts=1_767_225_600 + 7 * i,
                venue=bytes32_from_text("hyperliquid"),
                instrument=bytes32_from_text(INSTRUMENTS[i % len(INSTRUMENTS)]),
                side=Side(i % 2),
                qty=qty,
                price=price,
                fee=qty * price // E8 * 35 // 100_000,
                venue_fill_id_hash=venue_fill_id_hash(f"hl-{seq}-{i * 7919}"),
                salt=trade_salt(SALT_SECRET, ctx, seq),
            )
        )
    return out


def _fill_tuple(f: TradeFill) -> tuple:
    return (f.ts, f.venue, f.instrument, int(f.side), f.qty, f.price, f.fee, f.venue_fill_id_hash, f.salt)


def _holder_args(oracle, report, leaf, proof) -> tuple:
    return (
        oracle.address,
        report.as_tuple(),
        "0x" + leaf.account.hex(),
        leaf.shares,
        leaf.salt,
        proof.index,
        [h for h, _ in proof.siblings],
        [s for _, s in proof.siblings],
    )


def _compress(proof: SumProof) -> SumProof:
    """Empty-subtree siblings as zero hashes (ProofVerifier accepts both forms)."""
    zeros = _zero_subtrees(SUM_NODE, 1, len(proof.siblings))
    return SumProof(
        proof.index,
        tuple((ZERO32, 0) if (h, s) == (zeros[k], 0) else (h, s) for k, (h, s) in enumerate(proof.siblings)),
    )


def _full_path(ctx: VaultContext, supply: int) -> tuple[HolderLeaf, bytes, SumProof]:
    """A valid depth-20 path whose every sibling is a non-empty subtree; sums follow a full tree holding
    `supply` (the sibling at level k holds ~2**k / 2**20 of it). Returns (leaf, root, proof)."""
    index = 0b1010_0110_1001_0101_1010
    parts = [supply * (1 << k) // (1 << HOLDER_DEPTH) for k in range(HOLDER_DEPTH)]
    leaf = HolderLeaf(keccak256(b"bench holder")[:20], supply - sum(parts), keccak256(b"bench holder salt"))
    siblings = tuple((keccak256(b"sibling-%d" % k), parts[k]) for k in range(HOLDER_DEPTH))
    h, s = leaf.leaf_hash(ctx), leaf.shares
    for k, (sh, ss) in enumerate(siblings):
        pair = (
            sh + ss.to_bytes(32, "big") + h + s.to_bytes(32, "big")
            if (index >> k) & 1
            else h + s.to_bytes(32, "big") + sh + ss.to_bytes(32, "big")
        )
        h, s = keccak256(SUM_NODE + pair), s + ss
    proof = SumProof(index, siblings)
    check_proof(leaf.leaf_hash(ctx), leaf.shares, proof, h, supply, HOLDER_DEPTH)
    return leaf, h, proof


def _post_report(vault, oracle, keeper, keys, **overrides):
    """Posts a signed report (as vaultcraft.ape_ops.post_nav) and returns it with the receipt."""
    advance(chain, oracle.min_report_delay() + 1)
    report = current_report(vault, oracle, chain.pending_timestamp - 5, **overrides)
    signatures = sign_nav_report(report, chain.chain_id, oracle.address, keys)
    return report, oracle.post_report(report.as_tuple(), signatures, sender=keeper)


def merge_results(gas: dict[str, int]) -> None:
    """Both gas benchmarks write their keys into one gas.json, each leaving the other's in place."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(OUT.read_text()) if OUT.exists() else {}
    existing.update(gas)
    OUT.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")


def main() -> None:
    # deploy_all writes deployments/<network>.json: keep the benchmark's throwaway deployment out of the repo.
    os.environ.setdefault("VAULTCRAFT_DEPLOYMENTS_DIR", tempfile.mkdtemp(prefix="vaultcraft-bench-"))
    deployment = deploy_all()
    public_rec, private_rec = deployment.vaults[0], deployment.vaults[1]
    assert not public_rec.is_private and private_rec.is_private
    test = accounts.test_accounts
    admin, manager, keeper = test[0], test[1], test[3]
    keys = [keeper.private_key]
    vault, oracle = project.Vault.at(public_rec.address), project.NavOracle.at(public_rec.nav_oracle)
    private_vault = project.Vault.at(private_rec.address)
    token = project.MockUSDC.at(deployment.asset)
    verifier = project.ProofVerifier.deploy(sender=admin)
    # The deployment's own logs (deploy_all creates one per vault): if deploy linked them to the oracles,
    # the reports below name their heads (vaultcraft.ape_ops.current_report), as NavOracle requires.
    public_log = project.TradeLog.at(public_rec.trade_log)
    private_log = project.TradeLog.at(private_rec.trade_log)
    gas: dict[str, int] = {}

    # Trade log, public: 100 fills in clear, commitments computed on-chain.
    epoch = vault.epoch()
    ctx = VaultContext.of(chain.chain_id, vault.address, epoch)
    fills = _fills(ctx, 1, FILLS)
    receipt = public_log.post_fills(1, epoch, [_fill_tuple(f) for f in fills], sender=keeper)
    gas["post_trades_100_public"] = receipt.gas_used

    # Trade log, private: 100 commitments + sealed 337-byte envelope records.
    pepoch = private_vault.epoch()
    pctx = VaultContext.of(chain.chain_id, private_vault.address, pepoch)
    epoch_key = EpochKey(pctx, keccak256(b"bench epoch key"))
    records = [seal_record(epoch_key, f) for f in _fills(pctx, 1, FILLS)]
    receipt = private_log.post_trades(
        1, pepoch, [r.commitment for r in records], b"".join(r.ciphertext for r in records), sender=keeper
    )
    gas["post_trades_100_private"] = receipt.gas_used

    # Holder proofs at depth 20 against real accepted reports (after the manager's seed deposit).
    token.faucet(manager, 100_000 * UNIT, sender=manager)
    token.approve(vault.address, 100_000 * UNIT, sender=manager)
    vault.request_deposit(100_000 * UNIT, manager, manager, sender=manager)
    _post_report(vault, oracle, keeper, keys)
    vault.deposit(100_000 * UNIT, manager, sender=manager)
    # (a) the real, sparse holder tree (a handful of holders): empty-subtree siblings travel as zero hashes.
    candidates = sorted({manager.address, test[4].address, test[5].address, vault.address})
    holdings = [(a, vault.balanceOf(a)) for a in candidates if vault.balanceOf(a)]
    assert sum(s for _, s in holdings) == vault.totalSupply(), "bench: unknown share holders"
    hctx = VaultContext.of(chain.chain_id, vault.address, vault.epoch())
    leaves = holder_leaves(hctx, holdings, SALT_SECRET)
    tree = build_holder_tree(hctx, leaves, HOLDER_DEPTH)
    report, receipt = _post_report(vault, oracle, keeper, keys, holder_root=tree.root)
    gas["post_report_with_roots"] = receipt.gas_used  # a real holder root; settles the epoch too
    args = _holder_args(oracle, report, leaves[0], _compress(tree.proof(0)))
    assert verifier.verify_holder(*args), "bench: holder proof rejected"
    gas["verify_holder_depth20"] = verifier.verify_holder.transact(*args, sender=admin).gas_used
    # (b) worst case: a full 2**20-leaf tree shape, every sibling non-empty with a realistic share sum.
    fctx = VaultContext.of(chain.chain_id, vault.address, vault.epoch())
    leaf, root, proof = _full_path(fctx, vault.totalSupply())
    report, _ = _post_report(vault, oracle, keeper, keys, holder_root=root)
    args = _holder_args(oracle, report, leaf, proof)
    assert verifier.verify_holder(*args), "bench: full-depth holder proof rejected"
    gas["verify_holder_depth20_full"] = verifier.verify_holder.transact(*args, sender=admin).gas_used

    # Pedersen/Schnorr sum check over 100 commitments (mixed-sign PnLs, 1e8 units).
    pnls = [((-1) ** i) * (1_000 + 97 * i) * E8 for i in range(FILLS)]
    blindings = [int.from_bytes(keccak256(b"blinding-%d" % i), "big") % (2**252) + 1 for i in range(FILLS)]
    points = [commit(v, r) for v, r in zip(pnls, blindings, strict=True)]
    schnorr = prove_sum(pctx, points, sum(pnls), sum(blindings))
    pargs = (
        private_vault.address,
        pepoch,
        [[p.x, p.y] for p in points],
        sum(pnls),
        [schnorr.t.x, schnorr.t.y],
        schnorr.s,
    )
    assert verifier.pedersen_check(*pargs), "bench: schnorr proof rejected"
    gas["pedersen_check_100"] = verifier.pedersen_check.transact(*pargs, sender=admin).gas_used

    merge_results(gas)
    width = max(map(len, gas))
    click.echo(f"{'operation'.ljust(width)}  {'gasUsed':>9}  {'per item':>9}")
    for name, value in gas.items():
        per = f"{value // FILLS:>9,}" if name.endswith("_100") or "_100_" in name else ""
        click.echo(f"{name.ljust(width)}  {value:>9,}  {per}")
    click.echo(f"wrote {OUT}")
