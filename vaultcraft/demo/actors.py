"""The people around a vault, as web3 transactions signed with their own keys: admin, manager, guardian,
investors. Used by the demo and by the end-to-end tests; every call waits for its receipt and counts gas."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from eth_account import Account
from web3 import Web3

from vaultcraft.deploy import Deployment
from vaultcraft.localnet import LOCAL_ROLE_INDEX, anvil_key
from vaultcraft.protocol import sign_invite


def _usd(assets: int, decimals: int = 6) -> str:
    return str(Decimal(assets).scaleb(-decimals))


def _sim(sim_url: str, path: str, body: dict[str, Any]) -> None:
    response = httpx.post(sim_url + path, json=body, timeout=10)
    if response.status_code != 200:
        raise TxFailed(f"venue simulator {path}: {response.text}")


class TxFailed(RuntimeError):
    """A transaction reverted; the message names the call."""


@dataclass
class Actors:
    url: str
    deployment: Deployment
    w3: Web3 = field(init=False)
    gas_used: int = 0

    def __post_init__(self) -> None:
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))

    @staticmethod
    def key(role: str) -> str:
        return anvil_key(LOCAL_ROLE_INDEX[role])

    def contract(self, name: str, address: str) -> Any:
        abi = json.loads(self.deployment.abi_path(name).read_text())
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    def vault(self, index: int) -> tuple[Any, Any, Any]:
        record = self.deployment.vaults[index]
        return (
            self.contract("Vault", record.address),
            self.contract("NavOracle", record.nav_oracle),
            self.contract("TradeLog", record.trade_log),
        )

    def send(self, fn: Any, key: str) -> Any:
        account = Account.from_key(key)
        tx = fn.build_transaction(
            {"from": account.address, "nonce": self.w3.eth.get_transaction_count(account.address, "pending")}
        )
        signed = account.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction), timeout=60
        )
        self.gas_used += int(receipt["gasUsed"])
        if receipt["status"] != 1:
            raise TxFailed(f"{fn.fn_name} reverted (tx {receipt['transactionHash'].hex()})")
        return receipt

    # --- admin / manager --------------------------------------------------------------------------------

    def fast_epochs(self, oracle: Any, min_delay_s: int = 1) -> None:
        """Admin: reports may come seconds apart (the 1 h default suits production, not a demo)."""
        self.send(
            oracle.functions.set_nav_guards(min_delay_s, 86_400, 1_000, 7 * 86_400, 3_000), self.key("admin")
        )

    def to_custody(self, vault: Any, custody: str, assets: int) -> None:
        if not vault.functions.is_custody(custody).call():
            self.send(vault.functions.set_custody(custody, True), self.key("admin"))
        self.send(vault.functions.send_to_custody(custody, assets), self.key("manager"))

    # --- the venue bridge: the one mocked piece (no bridge runs locally) -----------------------------------

    def bridge_in(self, sim_url: str, custody_key: str, assets: int) -> None:
        """Custody -> venue: the custody account pays the bridge on-chain and the simulator credits the
        venue account with the same amount (the venue account and custody share one key here)."""
        token = self.contract("MockUSDC", self.deployment.asset)
        self.send(token.functions.transfer(self.bridge, assets), custody_key)
        _sim(sim_url, "/sim/fund", {"user": Account.from_key(custody_key).address, "usd": _usd(assets)})

    def bridge_out(self, sim_url: str, custody_key: str, assets: int) -> None:
        """Venue -> custody: the simulator debits the venue account and the bridge pays on-chain (minting
        what it lacks: the venue's trading profits never crossed the bridge in this mock)."""
        custody = Account.from_key(custody_key).address
        _sim(sim_url, "/sim/withdraw", {"user": custody, "usd": _usd(assets)})
        token = self.contract("MockUSDC", self.deployment.asset)
        held = int(token.functions.balanceOf(self.bridge).call())
        if held < assets:
            self.send(token.functions.faucet(self.bridge, assets - held), self.key("bridge"))
        self.send(token.functions.transfer(custody, assets), self.key("bridge"))

    @property
    def bridge(self) -> str:
        return str(Account.from_key(self.key("bridge")).address)

    def from_custody(self, vault: Any, custody_key: str, assets: int) -> None:
        """The custody account approves the vault and the manager pulls the assets back."""
        token = self.contract("MockUSDC", self.deployment.asset)
        custody = Account.from_key(custody_key).address
        self.send(token.functions.approve(vault.address, assets), custody_key)
        self.send(vault.functions.return_from_custody(custody, assets), self.key("manager"))

    def fund_gas(self, address: str, wei: int = 10**19) -> None:
        """Local chain only: give an account ETH for gas (anvil_setBalance)."""
        self.w3.provider.make_request("anvil_setBalance", [address, hex(wei)])  # type: ignore[arg-type]

    def no_lockup(self, vault: Any) -> None:
        """Admin: the demo redeems within minutes, so new shares are not locked (default: one day)."""
        fns = vault.functions
        self.send(
            fns.set_limits(
                fns.deposit_cap().call(), 0, fns.min_manager_bps().call(), fns.sync_max_age().call()
            ),
            self.key("admin"),
        )

    def add_auditor(self, vault: Any, public_key: bytes, days: int = 30) -> None:
        registry = self.contract("AuditorRegistry", self.deployment.auditor_registry)
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        self.send(
            registry.functions.add_auditor(vault.address, public_key, now - 60, now + days * 86_400),
            self.key("admin"),
        )

    # --- investors --------------------------------------------------------------------------------------

    def invite(self, vault: Any, investor_key: str) -> None:
        """Private vaults: the manager signs an EIP-712 invite; the investor redeems it at the gate."""
        gate = self.contract("InviteGate", self.deployment.invite_gate)
        who = Account.from_key(investor_key).address
        expiry, nonce = int(time.time()) + 3_600, secrets.token_bytes(32)
        manager_key = bytes.fromhex(self.key("manager")[2:])
        signature = sign_invite(
            vault.address, who, expiry, nonce, self.w3.eth.chain_id, gate.address, manager_key
        )
        self.send(gate.functions.accept_invite(vault.address, expiry, nonce, signature), investor_key)

    def request_deposit(self, vault: Any, investor_key: str, assets: int) -> str:
        who = Account.from_key(investor_key).address
        token = self.contract("MockUSDC", self.deployment.asset)
        self.send(token.functions.faucet(who, assets), investor_key)
        self.send(token.functions.approve(vault.address, assets), investor_key)
        self.send(vault.functions.request_deposit(assets, who, who), investor_key)
        return who

    def claim_shares(self, vault: Any, investor_key: str) -> int:
        who = Account.from_key(investor_key).address
        assets = vault.functions.claimableDepositRequest(0, who).call()
        if assets:
            self.send(vault.functions.deposit(assets, who, who), investor_key)
        return int(vault.functions.balanceOf(who).call())

    def request_redeem(self, vault: Any, investor_key: str, shares: int) -> None:
        who = Account.from_key(investor_key).address
        self.send(vault.functions.request_redeem(shares, who, who), investor_key)

    def claim_redeem(self, vault: Any, investor_key: str) -> int:
        who = Account.from_key(investor_key).address
        shares = vault.functions.claimableRedeemRequest(0, who).call()
        if not shares:
            return 0
        token = self.contract("MockUSDC", self.deployment.asset)
        before = token.functions.balanceOf(who).call()
        self.send(vault.functions.redeem(shares, who, who), investor_key)
        return int(token.functions.balanceOf(who).call() - before)
