"""The ape deploy script on a real Anvil: what it deploys, records and refuses."""

import json

import pytest

from scripts.deploy import deploy_all
from vaultcraft.deploy import DeployConfigError, deployments_path


def test_deploy__writes_deployments_file_matching_chain(deployment, chain, project):
    path = deployments_path("local")
    written = json.loads(path.read_text())
    assert written["chain_id"] == chain.chain_id == 31337
    assert written["factory"] == deployment.factory
    assert [v["is_private"] for v in written["vaults"]] == [False, True]
    for name, abi in written["abi"].items():
        assert abi == f"abi/{name}.json"  # relative to the deployment file's folder
        assert json.loads((path.parent / abi).read_text()), name


def test_deploy__factory_registry_records_both_vaults(deployment, project, roles):
    factory = project.VaultFactory.at(deployment.factory)
    assert factory.deployment_count() == 2
    for index, record in enumerate(deployment.vaults):
        assert factory.is_registered(record.address)
        entry = factory.deployments(index)
        assert entry.vault == record.address
        assert entry.deployer == roles["admin"].address
        assert entry.is_private == record.is_private


def test_deploy__private_vault_is_whitelisted_through_invite_gate(deployment, project):
    private = project.Vault.at(deployment.vaults[1].address)
    assert private.is_private()
    assert private.whitelist_manager() == deployment.invite_gate


def test_deploy__quorum_above_keeper_count__refused_before_any_transaction(monkeypatch, chain):
    monkeypatch.setenv("VAULTCRAFT_DEPLOY_QUORUM", "3")
    nonce_before = chain.provider.get_nonce(chain.provider.web3.eth.accounts[0])
    with pytest.raises(DeployConfigError, match="quorum: must be 1..1"):
        deploy_all()
    assert chain.provider.get_nonce(chain.provider.web3.eth.accounts[0]) == nonce_before


def test_deploy__malformed_keeper_address__refused(monkeypatch):
    monkeypatch.setenv("VAULTCRAFT_DEPLOY_KEEPERS", "0x1234")
    with pytest.raises(DeployConfigError, match="keepers: not an address"):
        deploy_all()
