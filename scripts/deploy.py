"""`ape run deploy [--network ...]`: factory, invite gate, one public and one private vault.

Local network: Anvil's test accounts play every role and a MockUSDC is deployed.
Elsewhere: the deployer key comes from VAULTCRAFT_DEPLOYER_KEY, the asset from VAULTCRAFT_DEPLOY_ASSET
and the roles from VAULTCRAFT_DEPLOY_{ADMIN,MANAGER,GUARDIAN,FEE_RECIPIENT,PROTOCOL_FEE_RECIPIENT,
KEEPERS,QUORUM}. Writes deployments/<network>.json for the keeper and the API.
"""

from __future__ import annotations

import os
import sys

import click
from ape import accounts, chain, networks, project

from vaultcraft.deploy import (
    DeployConfigError,
    Deployment,
    Roles,
    VaultRecord,
    deploy_core,
    deploy_proof_contracts,
    deploy_vault,
    deployments_path,
    roles_from_env,
    vault_params,
    write_abis,
)
from vaultcraft.protocol import FeeConfig

DEFAULT_FEES = FeeConfig(management_bps=200, performance_bps=2_000, hurdle_bps=0, entry_bps=0, exit_bps=0,
                         protocol_share_bps=1_000)
DEFAULT_CAP = 10_000_000 * 10**6


def _local_roles() -> Roles:
    test = accounts.test_accounts
    return Roles(admin=test[0].address, manager=test[1].address, guardian=test[2].address,
                 keepers=(test[3].address,), fee_recipient=test[4].address,
                 protocol_fee_recipient=test[5].address, quorum=1)


def _deployer(is_local: bool):
    if is_local:
        return accounts.test_accounts[0]
    key = os.environ.get("VAULTCRAFT_DEPLOYER_KEY")
    if not key:
        raise DeployConfigError("VAULTCRAFT_DEPLOYER_KEY is required on a non-local network")
    from ape_accounts import import_account_from_private_key
    from eth_account import Account

    alias = f"vaultcraft-deployer-{Account.from_key(key).address[-6:].lower()}"
    passphrase = os.environ.get("VAULTCRAFT_DEPLOYER_PASSPHRASE", os.urandom(16).hex())
    if alias in accounts.aliases:
        account = accounts.load(alias)
    else:
        account = import_account_from_private_key(alias, passphrase, key)
    account.set_autosign(True, passphrase=passphrase)
    return account


def deploy_all(cap: int = DEFAULT_CAP, fees: FeeConfig = DEFAULT_FEES) -> Deployment:
    network = networks.provider.network.name
    is_local = network == "local"
    deployer = _deployer(is_local)
    roles = roles_from_env(dict(os.environ), _local_roles() if is_local else None)
    if is_local:
        asset = project.MockUSDC.deploy(6, sender=deployer).address
    else:
        asset = os.environ.get("VAULTCRAFT_DEPLOY_ASSET") or ""
        if not asset.startswith("0x") or len(asset) != 42:
            raise DeployConfigError(f"VAULTCRAFT_DEPLOY_ASSET: not an address: {asset!r}")
    factory, gate, vault_bp, oracle_bp = deploy_core(project, deployer, asset, roles.protocol_fee_recipient)
    registry, verifier = deploy_proof_contracts(project, deployer)
    deployment = Deployment(
        chain_id=chain.chain_id, network=network, block=chain.blocks.head.number, asset=asset,
        factory=factory.address, vault_blueprint=vault_bp, oracle_blueprint=oracle_bp,
        invite_gate=gate.address, roles={k: v for k, v in roles.__dict__.items()},
        auditor_registry=registry.address, proof_verifier=verifier.address,
    )
    vaults = (("VaultCraft Public", "vcPUB", False), ("VaultCraft Private", "vcPRV", True))
    for name, symbol, is_private in vaults:
        whitelist_manager = gate.address if is_private else roles.manager
        params = vault_params(asset, name, symbol, roles, whitelist_manager, is_private, cap, fees)
        admin = deployer if deployer.address == roles.admin else None
        vault, oracle, trade_log, receipt = deploy_vault(project, factory, deployer, params, admin)
        if admin is None:
            click.echo(f"admin {roles.admin} must call {oracle.address}.set_trade_log({trade_log.address})")
        deployment.vaults.append(VaultRecord(name=name, symbol=symbol, address=vault.address,
                                             nav_oracle=oracle.address, is_private=is_private,
                                             block=receipt.block_number, trade_log=trade_log.address))
    path = deployments_path(network)
    deployment.abi = write_abis(project, path.parent / "abi")
    path.write_text(deployment.to_json())
    return deployment


def main() -> None:
    try:
        deployment = deploy_all()
    except DeployConfigError as exc:
        click.echo(f"deploy: {exc}", err=True)
        sys.exit(2)
    click.echo(f"chain {deployment.chain_id} ({deployment.network}), block {deployment.block}")
    click.echo(f"asset        {deployment.asset}")
    click.echo(f"factory      {deployment.factory}")
    click.echo(f"invite gate  {deployment.invite_gate}")
    for record in deployment.vaults:
        kind = "private" if record.is_private else "public"
        click.echo(f"{kind:7} vault {record.address}  oracle {record.nav_oracle}  log {record.trade_log}")
    click.echo(f"auditor registry {deployment.auditor_registry}  proof verifier {deployment.proof_verifier}")
    click.echo(f"wrote {deployments_path(deployment.network)}")
