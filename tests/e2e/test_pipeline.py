"""Orders -> fills -> on-chain trade log -> NAV report -> settlement -> statements, with real processes."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from eth_account import Account
from sqlalchemy import select

from keeper.nav.report import report_from_json
from keeper.store.models import Report, Statement
from keeper.store.repo import Store
from tests.e2e.harness import UNIT, Chain, KeeperProcess, keeper_env, market, trader, wait_for
from vaultcraft.localnet import anvil_key
from zk.merkle_sum import SumProof


def test_public_vault_fills_reach_the_chain_and_epochs_settle(chain_stack, sim, tmp_path: Path) -> None:
    chain = Chain(chain_stack)
    vault, oracle, trade_log = chain.vault(0)
    chain.fast_epochs(oracle)
    chain.request_deposit(vault, anvil_key(6), 50_000 * UNIT)
    venue_key = "0x" + secrets.token_hex(32)
    venue_account = Account.from_key(venue_key).address
    keeper = KeeperProcess(
        keeper_env(chain_stack, sim, vault.address, venue_key, tmp_path), tmp_path / "keeper.log"
    ).start()
    try:
        wait_for(lambda: vault.functions.epoch().call() >= 2, 60, "epoch 1 settled (deposits in)")
        chain.to_venue(vault, sim, venue_key, 40_000 * UNIT)
        venue = trader(sim, venue_key)
        for coin, is_buy in (("BTC", True), ("ETH", False), ("BTC", False)):
            ack = asyncio.run(venue.place_order(market(coin, is_buy, 1_000_000)))
            assert ack.status == "filled", ack
        fills = sim.call("/info", {"type": "userFills", "user": venue_account})
        assert len(fills) >= 3
        wait_for(lambda: trade_log.functions.trade_count().call() == len(fills), 60, "fills on-chain")
        wait_for(lambda: vault.functions.epoch().call() >= 4, 60, "two more settled epochs")
        wait_for(
            lambda: reports_posted(tmp_path / "keeper.db", vault.address, (2, 3)), 30, "the store to agree"
        )
    finally:
        assert keeper.stop() == 0
    price = vault.functions.share_price().call()
    assert abs(price - 10**18) * 100 < 10**18, price  # fees and a few fills move it by well under 1%
    store = Store.open(f"sqlite:///{tmp_path / 'keeper.db'}")
    try:
        for epoch in (2, 3):
            report, statements = posted_report(store, vault.address, epoch)
            assert statements, f"epoch {epoch} has no statements"
            for statement in statements:
                assert verify_on_chain(chain, oracle, report, statement), (epoch, statement.holder)
            forged = statements[0]
            assert not verify_on_chain(chain, oracle, report, forged, shares=forged.shares + 1)
    finally:
        store.close()


def reports_posted(db: Path, vault: str, epochs: tuple[int, ...]) -> bool:
    store = Store.open(f"sqlite:///{db}", migrate=False)
    try:
        with store.session() as session:
            rows = session.scalars(
                select(Report.status).where(Report.vault == vault, Report.epoch.in_(epochs))
            )
            return list(rows) == ["posted"] * len(epochs)
    finally:
        store.close()


def posted_report(store: Store, vault: str, epoch: int):
    with store.session() as session:
        row = session.scalar(select(Report).where(Report.vault == vault, Report.epoch == epoch))
        assert row is not None and row.status == "posted", row and row.status
        statements = list(
            session.scalars(select(Statement).where(Statement.vault == vault, Statement.epoch == epoch))
        )
        return report_from_json(row.fields), statements


def verify_on_chain(chain: Chain, oracle, report, statement, shares: int | None = None) -> bool:
    verifier = chain.contract("ProofVerifier", chain.stack.deployment.proof_verifier)
    proof = SumProof.from_json(statement.proof)
    return verifier.functions.verify_holder(
        oracle.address,
        report.as_tuple(),
        statement.holder,
        statement.shares if shares is None else shares,
        bytes.fromhex(statement.salt[2:]),
        proof.index,
        [h for h, _ in proof.siblings],
        [s for _, s in proof.siblings],
    ).call()
