"""Drive the product from outside, as an operator would: web3 transactions with role keys, the simulator's
/sim routes, and keeper processes configured through VAULTCRAFT_KEEPER_* variables."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3

from keeper.venues.base import OrderRequest
from keeper.venues.hyperliquid import HyperliquidVenue
from tests.fixtures.chain_stack import ChainStack
from tests.fixtures.venue_process import REPO, SimProcess
from vaultcraft.localnet import anvil_key

UNIT = 10**6


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Chain:
    stack: ChainStack
    w3: Web3 = field(init=False)

    def __post_init__(self) -> None:
        self.w3 = Web3(Web3.HTTPProvider(self.stack.url))

    def contract(self, name: str, address: str) -> Any:
        abi = json.loads(Path(self.stack.deployment.abi[name]).read_text())
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    def send(self, fn: Any, key: str) -> Any:
        account = Account.from_key(key)
        tx = fn.build_transaction(
            {"from": account.address, "nonce": self.w3.eth.get_transaction_count(account.address)}
        )
        signed = account.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt["status"] == 1, f"transaction reverted: {fn.fn_name}"
        return receipt

    def vault(self, index: int) -> tuple[Any, Any, Any]:
        record = self.stack.deployment.vaults[index]
        return (
            self.contract("Vault", record.address),
            self.contract("NavOracle", record.nav_oracle),
            self.contract("TradeLog", record.trade_log),
        )

    def fast_epochs(self, oracle: Any, min_delay_s: int = 1) -> None:
        """Admin: let reports come seconds apart (the 1 h default suits production, not a test)."""
        self.send(
            oracle.functions.set_nav_guards(min_delay_s, 86_400, 1_000, 7 * 86_400, 3_000),
            self.stack.key("admin"),
        )

    def to_venue(self, vault: Any, sim: SimProcess, venue_account: str, assets: int) -> None:
        """Manager moves idle assets to the venue's custody address; the bridge credit on the simulator is
        the one mocked step (no bridge runs here)."""
        self.send(vault.functions.set_custody(venue_account, True), self.stack.key("admin"))
        self.send(vault.functions.send_to_custody(venue_account, assets), self.stack.key("manager"))
        sim.sim("/sim/fund", {"user": venue_account, "usd": str(assets // UNIT)})

    def deposit(self, vault: Any, investor_index: int, assets: int) -> str:
        key = anvil_key(investor_index)
        who = Account.from_key(key).address
        token = self.contract("MockUSDC", self.stack.deployment.asset)
        self.send(token.functions.faucet(who, assets), key)
        self.send(token.functions.approve(vault.address, assets), key)
        self.send(vault.functions.request_deposit(assets, who, who), key)
        return who


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
