"""PUT /risk with the chain-backed role reader (`api.chain_roles.ChainRoleReader`) against a real Anvil with
the protocol deployed by `ape run deploy`: the vault's on-chain manager and admin may sign, others may not.
The API clock follows the wall clock here so expiries are checked against real time."""

from __future__ import annotations

import time

import eth_account
import pytest

from api.auth.api_keys import Scope
from api.chain import ChainReader
from api.chain_roles import ChainRoleReader
from api.errors import ErrorCode
from api.registry import VaultRegistry
from tests.api.trading.conftest import TEMPLATE
from tests.api.trading.helpers import assert_error
from tests.fixtures.chain_stack import chain_stack  # noqa: F401

pytestmark = pytest.mark.ignore_isolation


def test_put_risk__on_chain_manager_and_admin_sign_others_refused(make_trading, chain_stack):  # noqa: F811
    registry = VaultRegistry.load(chain_stack.deployment_file)
    vault = registry.vaults[0].address
    reader = ChainRoleReader(ChainReader.from_url(chain_stack.url, registry.abis))
    manager = eth_account.Account.from_key(chain_stack.key("manager"))
    admin = eth_account.Account.from_key(chain_stack.key("admin"))
    t = make_trading(vault=vault, role_reader=reader, manager=manager, admin=admin)
    t.wall.now = int(time.time())
    key = t.key(Scope.RISK)

    outsider = eth_account.Account.create()
    refused = t.put_risk(key, signer=outsider)
    assert_error(refused, 403, ErrorCode.ROLE_REQUIRED)
    guardian = eth_account.Account.from_key(chain_stack.key("guardian"))
    assert_error(t.put_risk(key, signer=guardian), 403, ErrorCode.ROLE_REQUIRED)

    by_manager = t.put_risk(key)
    assert by_manager.status_code == 200, by_manager.text
    assert by_manager.json()["updated_by"] == f"signer:{manager.address}:manager"
    by_admin = t.put_risk(key, {**TEMPLATE, "max_leverage": 2}, version=1, signer=admin)
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["updated_by"] == f"signer:{admin.address}:admin"
