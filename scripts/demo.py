"""`ape run demo`: deploy the protocol to a fresh Anvil, settle one epoch, print what happened.

The full demo (keeper, API, venue simulator, auditors) stands on later work; this one shows the
contracts end to end: deposit request -> keeper-signed NAV report -> settlement -> claim.
"""

from __future__ import annotations

from ape import accounts, chain, project
from rich.console import Console
from rich.table import Table

from scripts.deploy import deploy_all
from vaultcraft.ape_ops import post_nav
from vaultcraft.units import fmt_units

UNIT = 10**6


def _addresses(deployment) -> Table:
    table = Table(title=f"Deployed on chain {deployment.chain_id}", show_header=True)
    table.add_column("contract")
    table.add_column("address")
    table.add_row("asset (MockUSDC)", deployment.asset)
    table.add_row("factory", deployment.factory)
    table.add_row("invite gate", deployment.invite_gate)
    for item in deployment.vaults:
        table.add_row(item.name, item.address)
        table.add_row(f"  NAV oracle ({item.symbol})", item.nav_oracle)
    return table


def main() -> None:
    console = Console()
    with console.status("deploying factory, invite gate and two vaults"):
        deployment = deploy_all()
    console.print(_addresses(deployment))
    test = accounts.test_accounts
    manager, keeper, depositor = test[1], test[3], test[6]
    record = deployment.vaults[0]
    vault, oracle = project.Vault.at(record.address), project.NavOracle.at(record.nav_oracle)
    token = project.MockUSDC.at(deployment.asset)

    for who, amount in ((manager, 10_000 * UNIT), (depositor, 90_000 * UNIT)):
        token.faucet(who, amount, sender=who)
        token.approve(vault.address, amount, sender=who)
        vault.request_deposit(amount, who, who, sender=who)
    console.print(f"epoch {vault.epoch()}: {fmt_units(vault.pending_deposit_assets(), 6)} mUSDC requested")

    with console.status("keeper signs and posts the NAV report"):
        receipt = post_nav(chain, vault, oracle, keeper, [keeper.private_key])
    settled = receipt.events.filter(vault.EpochSettled)[0]
    table = Table(title=f"Epoch {settled.epoch} settled (post_report gas {receipt.gas_used:,})")
    for column in ("total assets", "share supply", "price per share", "report on-chain"):
        table.add_column(column)
    report_hash = oracle.report_of(settled.epoch).hex()
    table.add_row(fmt_units(settled.total_assets, 6), fmt_units(settled.total_supply, 6),
                  fmt_units(settled.share_price, 18, 6), f"0x{report_hash[:16]}…")
    console.print(table)
    for who in (manager, depositor):
        shares = vault.deposit(vault.claimableDepositRequest(0, who), who, sender=who).events[-1].shares
        hours = vault.lockup() // 3600
        console.print(f"{who.address} claimed {fmt_units(shares, 6)} shares, locked {hours} h")
