import pytest

from scripts.deploy import deploy_all


@pytest.fixture(scope="module")
def deployment():
    return deploy_all()


@pytest.fixture(scope="module")
def roles(accounts):
    test = accounts  # the ape pytest fixture is already the test-account manager
    return {"admin": test[0], "manager": test[1], "guardian": test[2], "keeper": test[3],
            "fee_recipient": test[4], "protocol_fee_recipient": test[5], "depositor": test[6],
            "attacker": test[7]}


@pytest.fixture(scope="module")
def public_vault(project, deployment):
    record = deployment.vaults[0]
    return project.Vault.at(record.address), project.NavOracle.at(record.nav_oracle)


@pytest.fixture(scope="module")
def token(project, deployment):
    return project.MockUSDC.at(deployment.asset)
