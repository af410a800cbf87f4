"""`ape run demo`: deploy the protocol to a fresh Anvil, settle one epoch, print what happened.

The full demo (keeper, API, venue simulator, auditors) stands on later work; this one shows the
contracts end to end: deposit request -> keeper-signed NAV report -> settlement -> claim.
"""

from __future__ import annotations

import click
from ape import accounts, chain, project

from scripts.deploy import deploy_all
from vaultcraft.ape_ops import post_nav
from vaultcraft.units import fmt_units

UNIT = 10**6


def main() -> None:
    deployment = deploy_all()
    test = accounts.test_accounts
    manager, keeper, depositor = test[1], test[3], test[6]
    record = deployment.vaults[0]
    vault, oracle = project.Vault.at(record.address), project.NavOracle.at(record.nav_oracle)
    token = project.MockUSDC.at(deployment.asset)

    click.echo(f"chain {deployment.chain_id}: factory {deployment.factory}, invite gate {deployment.invite_gate}")
    for item in deployment.vaults:
        click.echo(f"  {item.name:20} {item.address}  NAV oracle {item.nav_oracle}")

    for who, amount in ((manager, 10_000 * UNIT), (depositor, 90_000 * UNIT)):
        token.faucet(who, amount, sender=who)
        token.approve(vault.address, amount, sender=who)
        vault.request_deposit(amount, who, who, sender=who)
    click.echo(f"epoch {vault.epoch()}: {fmt_units(vault.pending_deposit_assets(), 6)} mUSDC requested")

    receipt = post_nav(chain, vault, oracle, keeper, [keeper.private_key])
    settled = receipt.events.filter(vault.EpochSettled)[0]
    click.echo(f"epoch {settled.epoch} settled by a keeper-signed report (gas {receipt.gas_used:,}): "
               f"total assets {fmt_units(settled.total_assets, 6)}, supply {fmt_units(settled.total_supply, 6)}, "
               f"price per share {fmt_units(settled.share_price, 18, 6)}")
    for who in (manager, depositor):
        shares = vault.deposit(vault.claimableDepositRequest(0, who), who, sender=who).events[-1].shares
        click.echo(f"  {who.address} claimed {fmt_units(shares, 6)} shares (locked {vault.lockup() // 3600} h)")
    click.echo(f"report recorded on-chain: {oracle.report_of(settled.epoch).hex()}")
