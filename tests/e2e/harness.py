"""Drive the product from outside, as an operator would: web3 transactions with role keys, the simulator's
/sim routes, and keeper processes configured through VAULTCRAFT_KEEPER_* variables."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3

from keeper.venues.base import OrderRequest
from keeper.venues.hyperliquid import HyperliquidVenue
from tests.fixtures.chain_stack import ChainStack
from tests.fixtures.venue_process import REPO, SimProcess
from vaultcraft.demo.actors import Actors
from vaultcraft.localnet import anvil_key
from zk.context import VaultId
from zk.keyfiles import save_root_key
from zk.view_keys import VaultRootKey

UNIT = 10**6


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Chain(Actors):
    """The demo's actors on a test chain stack, plus the stack itself."""

    def __init__(self, stack: ChainStack) -> None:
        super().__init__(stack.url, stack.deployment)
        self.stack = stack

    def to_venue(self, vault: Any, sim: SimProcess, venue_key: str, assets: int) -> None:
        """Manager moves idle assets to custody (the venue account's address); the mocked bridge credits
        the venue account."""
        custody = Account.from_key(venue_key).address
        self.fund_gas(custody)
        self.to_custody(vault, custody, assets)
        self.bridge_in(sim.url, venue_key, assets)


@dataclass
class KeeperProcess:
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> KeeperProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "keeper", "run", "--status-every-s", "2"],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return int(self.proc.returncode)

    def log_lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out


def keeper_env(
    stack: ChainStack,
    sim: SimProcess,
    vault: str,
    venue_key: str,
    workdir: Path,
    db_url: str | None = None,
    **extra: str,
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "VAULTCRAFT_KEEPER_DB_URL": db_url or f"sqlite:///{workdir / 'keeper.db'}",
            "VAULTCRAFT_KEEPER_VENUE_URL": sim.url,
            "VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY": venue_key,
            "VAULTCRAFT_KEEPER_RPC_URL": stack.url,
            "VAULTCRAFT_KEEPER_DEPLOYMENT_FILE": str(stack.deployment_file),
            "VAULTCRAFT_KEEPER_VAULT": vault,
            "VAULTCRAFT_KEEPER_KEEPER_KEYS": stack.key("keeper"),
            "VAULTCRAFT_KEEPER_SALT_SECRET": "0x" + secrets.token_hex(32),
            "VAULTCRAFT_KEEPER_EPOCH_INTERVAL_S": "3",
            "VAULTCRAFT_KEEPER_CHAIN_TICK_MS": "100",
            "VAULTCRAFT_KEEPER_REST_POLL_INTERVAL_S": "1",
            "VAULTCRAFT_KEEPER_ACK_FILL_TIMEOUT_MS": "500",
            "VAULTCRAFT_KEEPER_REBROADCAST_AFTER_MS": "1000",
            "VAULTCRAFT_KEEPER_LEASE_TTL_MS": "3000",
        }
    )
    env.update(extra)
    return env


def trader(sim: SimProcess, key: str) -> HyperliquidVenue:
    return HyperliquidVenue.from_key(sim.url, key)


def market(coin: str, is_buy: bool, sz: int) -> OrderRequest:
    return OrderRequest(coin=coin, is_buy=is_buy, sz=sz)


@dataclass
class Scenario:
    """One vault, one venue account, one keeper store: the unit every end-to-end test drives."""

    chain: Chain
    sim: SimProcess
    workdir: Path
    vault_index: int = 0
    venue_key: str = field(default_factory=lambda: "0x" + secrets.token_hex(32))

    def __post_init__(self) -> None:
        self.vault, self.oracle, self.trade_log = self.chain.vault(self.vault_index)
        self.venue_account = Account.from_key(self.venue_key).address
        self.db_url = f"sqlite:///{self.workdir / 'keeper.db'}"

    def prepare(self, deposit: int = 50_000 * UNIT) -> Scenario:
        self.chain.fast_epochs(self.oracle)
        investor = anvil_key(6)
        if self.chain.stack.deployment.vaults[self.vault_index].is_private:
            self.chain.invite(self.vault, investor)
        self.chain.request_deposit(self.vault, investor, deposit)
        return self

    def keeper(self, rpc_url: str | None = None, log_name: str = "keeper.log", **extra: str) -> KeeperProcess:
        if self.chain.stack.deployment.vaults[self.vault_index].is_private:
            extra.setdefault("VAULTCRAFT_KEEPER_VIEW_ROOT_KEY_FILE", str(self.root_key_file()))
        env = keeper_env(self.chain.stack, self.sim, self.vault.address, self.venue_key, self.workdir,
                         db_url=self.db_url, **extra)
        if rpc_url is not None:
            env["VAULTCRAFT_KEEPER_RPC_URL"] = rpc_url
        return KeeperProcess(env, self.workdir / log_name)

    def root_key_file(self) -> Path:
        path = self.workdir / "vault-root.key"
        if not path.exists():
            vault_id = VaultId.of(self.chain.w3.eth.chain_id, self.vault.address)
            save_root_key(path, VaultRootKey.generate(vault_id))
        return path

    def epoch(self) -> int:
        return int(self.vault.functions.epoch().call())

    def fund_venue(self, assets: int = 40_000 * UNIT) -> None:
        self.chain.to_venue(self.vault, self.sim, self.venue_key, assets)

    def trade(self, orders: int, pause_s: float = 0.0) -> None:
        venue = trader(self.sim, self.venue_key)
        plan = [("BTC", True), ("ETH", True), ("BTC", False), ("ETH", False)]
        for i in range(orders):
            coin, is_buy = plan[i % len(plan)]
            ack = asyncio.run(venue.place_order(market(coin, is_buy, 1_000_000)))
            assert ack.status == "filled", ack
            time.sleep(pause_s)

    def venue_fills(self) -> list[dict[str, Any]]:
        return list(self.sim.call("/info", {"type": "userFills", "user": self.venue_account}))

    def onchain_fills(self) -> list[Any]:
        return list(self.trade_log.events.TradeFilled.get_logs(from_block=0))

    def all_fills_on_chain(self) -> bool:
        """Every venue fill is on-chain and the store has confirmed it (the keeper is quiescent)."""
        fills = len(self.venue_fills())
        if int(self.trade_log.functions.trade_count().call()) != fills:
            return False
        return bool(self.verdict().store_confirmed == fills)

    def verdict(self) -> Any:
        from keeper.chain.client import ChainClient
        from keeper.chain.contracts import VaultContracts
        from keeper.reconcile import reconcile

        client = ChainClient(self.chain.stack.url)
        contracts = VaultContracts.bind(client, self.chain.stack.deployment_file, self.vault.address)
        with self._store() as store:
            return reconcile(store, client, contracts)

    def report_status(self, epoch: int) -> str | None:
        from sqlalchemy import select

        from keeper.store.models import Report

        with self._store() as store, store.session() as session:
            query = select(Report.status).where(Report.vault == self.vault.address, Report.epoch == epoch)
            return session.scalar(query)

    def _store(self) -> closing[Any]:
        """The keeper's store, opened read-side (no migration) and closed when the block ends."""
        from keeper.store.repo import Store

        return closing(Store.open(self.db_url, migrate=False))

    def assert_mirrored_exactly_once(self) -> None:
        """Every venue fill is on-chain once, in contiguous seqs, and store and chain agree."""
        fills = self.venue_fills()
        expected = {Web3.keccak(text=str(f["tid"])) for f in fills}
        events = self.onchain_fills()
        hashes = [bytes(e["args"]["venue_fill_id_hash"]) for e in events]
        assert len(hashes) == len(fills), (len(hashes), len(fills))
        assert len(set(hashes)) == len(hashes), "a fill was posted twice"
        assert set(hashes) == {bytes(h) for h in expected}
        assert [e["args"]["seq"] for e in events] == list(range(1, len(events) + 1))
        verdict = self.verdict()
        assert verdict.ok, verdict.problems
        assert verdict.chain_count == verdict.store_confirmed == len(fills)
