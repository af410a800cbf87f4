"""The demo scenario, step by step, against the real processes of `DemoStack`.

Both vaults: investors request deposits, the keepers settle them, the manager moves capital to the venue and
trades; a price rise makes one epoch profitable (performance fee, new high-water mark), a fall makes the next
one lose; positions are closed, capital comes back and an investor redeems. Then an investor verifies a holder
proof on-chain and the auditor decrypts and checks the private vault's trades.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from eth_account import Account
from rich.console import Console
from sqlalchemy import func, select

from keeper.money import SCALE
from keeper.store.models import OutboxEntry
from keeper.store.repo import Store
from vaultcraft.audit import (
    check_against_chain,
    open_records,
    parse_records,
    parse_wraps,
    read_trade_log,
    unwrap_epoch_keys,
    vault_context,
)
from vaultcraft.demo.actors import Actors
from vaultcraft.demo.api_client import ApiClient
from vaultcraft.demo.stack import DemoStack
from vaultcraft.demo.summary import EpochRow, Summary
from vaultcraft.localnet import anvil_key
from vaultcraft.verify import Web3Chain, parse_holder_statement, verify_holder

UNIT = 10**6
INVESTORS = {0: 6, 1: 7}  # vault index -> Anvil account of its outside investor
DEPOSITS = {0: (10_000, 90_000), 1: (10_000, 40_000)}  # (manager, investor) in mUSDC
TRADES = {0: ("BTC", 1 * SCALE), 1: ("ETH", 10 * SCALE)}
RISK_TEMPLATE = {
    "allowed_instruments": ["BTC", "ETH"],
    "max_position_notional": "150000",
    "max_order_notional": "100000",
    "max_leverage": 3,
    "max_slippage_bps": 200,
}


class DemoFailed(RuntimeError):
    """A step did not reach its expected outcome; the message says which and where to look."""


@dataclass
class Demo:
    stack: DemoStack
    console: Console
    summary: Summary | None = None
    actors: Actors | None = None
    api: ApiClient | None = None

    # --- plumbing ---------------------------------------------------------------------------------------

    def step(self, text: str) -> None:
        self.console.print(f"[bold cyan]>[/] {text}")
        if self.summary is not None:
            self.summary.steps.append(text)

    def wait(self, predicate: Callable[[], Any], what: str, timeout: float = 90) -> Any:
        deadline = time.monotonic() + timeout
        with self.console.status(f"waiting for {what}"):
            while time.monotonic() < deadline:
                self.stack.check_alive()
                value = predicate()
                if value:
                    return value
                time.sleep(0.3)
        raise DemoFailed(f"timed out after {timeout:.0f} s waiting for {what}; logs in {self.stack.workdir}")

    def vaults(self) -> list[tuple[Any, Any, Any]]:
        assert self.actors is not None
        return [self.actors.vault(i) for i in range(len(self.stack.keys))]

    def wait_epochs(self, target: Callable[[int], int], what: str) -> None:
        goals = [target(int(v.functions.epoch().call())) for v, _, _ in self.vaults()]
        self.wait(
            lambda: all(
                int(v.functions.epoch().call()) >= g
                for (v, _, _), g in zip(self.vaults(), goals, strict=True)
            ),
            what,
        )

    def sim(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.post(self.stack.sim_url + path, json=body or {}, timeout=10)
        if response.status_code != 200:
            raise DemoFailed(f"venue simulator {path}: {response.text}")
        return response.json()

    # --- scenario ---------------------------------------------------------------------------------------

    def run(self) -> Summary:
        self.step(
            "starting Anvil and deploying factory, vaults, trade logs, auditor registry (ape run deploy)"
        )
        deployment = self.stack.start_chain()
        self.summary = Summary(deployment.chain_id, steps=self.summary.steps if self.summary else [])
        self.actors = actors = Actors(self.stack.anvil.url, deployment)  # type: ignore[union-attr]
        self.step(f"starting the venue simulator ({self.stack.start_venue()})")
        self.stack.make_keys()
        for (vault, oracle, _), record in zip(self.vaults(), deployment.vaults, strict=True):
            actors.fast_epochs(oracle)
            actors.no_lockup(vault)
            if record.is_private:
                assert self.stack.auditor is not None
                actors.add_auditor(vault, self.stack.auditor.public_key().raw)
        self.step(
            "investors request deposits (the private vault's investor joins with a manager-signed invite)"
        )
        for index, (vault, _, _) in enumerate(self.vaults()):
            manager_assets, investor_assets = DEPOSITS[index]
            investor = anvil_key(INVESTORS[index])
            if deployment.vaults[index].is_private:
                actors.invite(vault, investor)
            actors.request_deposit(vault, actors.key("manager"), manager_assets * UNIT)
            actors.request_deposit(vault, investor, investor_assets * UNIT)
        self.step("starting one keeper per vault (shared SQLite store) and the API")
        self.stack.start_keepers(actors.key("keeper"))
        self.api = ApiClient(self.stack.start_api(), deployment.chain_id)
        vaults = [r.address for r in deployment.vaults]
        self.api.api_key = self.stack.create_api_key("demo-desk", ["read", "trade", "risk"], vaults)
        for address in vaults:
            self.api.set_risk(address, RISK_TEMPLATE, actors.key("manager"))
        self.wait_epochs(lambda e: max(e, 2), "epoch 1 to settle the deposits")
        for index, (vault, _, _) in enumerate(self.vaults()):
            actors.claim_shares(vault, actors.key("manager"))
            actors.claim_shares(vault, anvil_key(INVESTORS[index]))
        self.step("the manager moves 80% of each vault to its venue account (custody + simulated bridge)")
        for index, (vault, _, _) in enumerate(self.vaults()):
            keys = self.stack.keys[index]
            amount = vault.functions.idle_assets().call() * 8 // 10
            actors.fund_gas(keys.venue_account)
            actors.to_custody(vault, keys.venue_account, amount)
            actors.bridge_in(self.stack.sim_url, keys.venue_key, amount)
        self.step("the desk opens positions through the signed exec API (BTC long public, ETH long private)")
        for index in range(len(self.vaults())):
            coin, size = TRADES[index]
            self.order(index, coin, True, size)
        self.step("prices rise 5%: a profitable epoch (performance fee, new high-water mark)")
        self.move_prices(Decimal("1.05"))
        self.wait_epochs(lambda e: e + 2, "a settled epoch after the rise")
        self.step("prices fall 4%: a losing epoch (no performance fee below the high-water mark)")
        self.move_prices(Decimal("0.96"))
        self.wait_epochs(lambda e: e + 2, "a settled epoch after the fall")
        self.step("positions closed, capital returned, the public investor redeems half")
        for index in range(len(self.vaults())):
            coin, size = TRADES[index]
            self.order(index, coin, False, size)
        self.return_capital()
        vault0 = self.vaults()[0][0]
        investor = anvil_key(INVESTORS[0])
        shares = vault0.functions.balanceOf(Account.from_key(investor).address).call()
        actors.request_redeem(vault0, investor, shares // 2)
        self.wait_epochs(lambda e: e + 1, "the redemption to settle")
        self.summary.redeemed_assets = actors.claim_redeem(vault0, investor)
        if not self.summary.redeemed_assets:
            raise DemoFailed("the investor's redemption paid nothing")
        self.wait(self.mirrored, "every fill mirrored on-chain")
        self.step("an investor verifies their holder proof on-chain; the auditor decrypts and checks trades")
        self.verify_proofs()
        self.audit()
        self.collect()
        self.summary.ok = True
        return self.summary

    def order(self, index: int, coin: str, is_buy: bool, size: int) -> None:
        assert self.api is not None and self.actors is not None
        vault = self.actors.deployment.vaults[index].address
        answer = self.api.place_market(vault, coin, "buy" if is_buy else "sell", str(Decimal(size) / SCALE))
        if answer.get("status") != "filled":
            raise DemoFailed(f"order {coin} {'buy' if is_buy else 'sell'} was not filled: {answer}")

    def move_prices(self, factor: Decimal) -> None:
        mids = httpx.post(self.stack.sim_url + "/info", json={"type": "allMids"}, timeout=10).json()
        for coin, _ in TRADES.values():
            self.sim(
                "/sim/price", {"coin": coin, "px": str((Decimal(mids[coin]) * factor).quantize(Decimal(1)))}
            )

    def return_capital(self) -> None:
        assert self.actors is not None
        for index, (vault, _, _) in enumerate(self.vaults()):
            keys = self.stack.keys[index]
            state = httpx.post(
                self.stack.sim_url + "/info",
                timeout=10,
                json={"type": "clearinghouseState", "user": keys.venue_account},
            ).json()
            back = int(Decimal(state["withdrawable"]) * UNIT)  # floor: never more than the venue holds
            self.actors.bridge_out(self.stack.sim_url, keys.venue_key, back)
            self.actors.from_custody(vault, keys.venue_key, back)

    # --- checks -----------------------------------------------------------------------------------------

    def store(self) -> Store:
        return Store.open(self.stack.db_url, migrate=False)

    def mirrored(self) -> bool:
        for index, (_, _, log) in enumerate(self.vaults()):
            fills = httpx.post(
                self.stack.sim_url + "/info",
                timeout=10,
                json={"type": "userFills", "user": self.stack.keys[index].venue_account},
            ).json()
            if int(log.functions.trade_count().call()) != len(fills):
                return False
        return True

    def verify_proofs(self) -> None:
        """Each investor logs in (EIP-191), fetches their statement and checks it locally and on-chain."""
        assert self.summary is not None and self.actors is not None and self.api is not None
        chain = Web3Chain(self.stack.anvil.url)  # type: ignore[union-attr]
        for index, (vault, oracle, _) in enumerate(self.vaults()):
            investor = anvil_key(INVESTORS[index])
            holder = Account.from_key(investor).address
            statement = self.api.statement(vault.address, holder, self.api.login(investor))
            verdict = verify_holder(
                chain,
                self.actors.deployment.proof_verifier,
                oracle.address,
                parse_holder_statement(statement),
            )
            if not verdict.ok:
                raise DemoFailed(f"holder proof of {holder} in {vault.address} did not verify: {verdict}")
            self.summary.proofs_verified += 1

    def audit(self) -> None:
        """The auditor fetches ciphertexts and key wraps from the API and checks them against the chain."""
        assert self.summary is not None and self.actors is not None and self.api is not None
        assert self.stack.auditor is not None
        chain = Web3Chain(self.stack.anvil.url)  # type: ignore[union-attr]
        for record in self.actors.deployment.vaults:
            if not record.is_private:
                continue
            parsed = parse_records(self.api.audit_records(record.address))
            vid = vault_context(chain.chain_id(), record.address)
            keys, problems = unwrap_epoch_keys(
                self.stack.auditor, parse_wraps(self.api.key_wraps(record.address)), vid
            )
            opened = open_records(parsed, keys, vid)
            result = check_against_chain(read_trade_log(chain, record.trade_log), parsed, keys, vid, problems)
            if problems or any(o.status != "ok" for o in opened) or not result.ok:
                raise DemoFailed(f"audit of {record.address} failed: {problems or result}")
            self.summary.records_decrypted += len(opened)

    def collect(self) -> None:
        assert self.summary is not None and self.actors is not None
        self.summary.gas_demo_txs = self.actors.gas_used
        store = self.store()
        try:
            with store.session() as session:
                self.summary.gas_keeper_txs = int(session.scalar(select(func.sum(OutboxEntry.gas_used))) or 0)
        finally:
            store.close()
        for record, (vault, _, log) in zip(self.actors.deployment.vaults, self.vaults(), strict=True):
            self.summary.fills_mirrored[record.symbol] = int(log.functions.trade_count().call())
            fees = {e["args"]["epoch"]: e["args"] for e in vault.events.FeesCharged.get_logs(from_block=0)}
            counts = sorted(
                (e["blockNumber"], e["args"]["trade_count"])
                for e in log.events.TradesPosted.get_logs(from_block=0)
            )
            for event in vault.events.EpochSettled.get_logs(from_block=0):
                args, fee = event["args"], fees.get(event["args"]["epoch"])
                trades = max((c for block, c in counts if block <= event["blockNumber"]), default=0)
                self.summary.epochs.append(
                    EpochRow(
                        record.symbol,
                        int(args["epoch"]),
                        int(args["total_assets"]),
                        int(args["share_price"]),
                        int(fee["management_assets"]) if fee else 0,
                        int(fee["performance_assets"]) if fee else 0,
                        trades,
                        "0x" + bytes(event["transactionHash"]).hex(),
                    )
                )
