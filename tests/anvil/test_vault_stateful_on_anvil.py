"""The vault's stateful machine (tests/fuzz/test_vault_stateful.py) run unchanged against a real Anvil node.

Same rules and invariants, a few short examples per asset: every transaction is broadcast to Anvil, every view
is an `eth_call`, snapshots are `evm_snapshot`/`evm_revert` (see conftest.py)."""

import boa
import pytest
from hypothesis import settings

from tests.anvil.conftest import AnvilEnv, client_version
from tests.fuzz.test_vault_stateful import VaultMachine, VaultMachine18, _base

# boa simulates every call locally on a fork of the node; any disagreement with the node is a failure here
pytestmark = pytest.mark.filterwarnings("error:local fork did not match node")


def test_talks_to_anvil():
    assert isinstance(boa.env, AnvilEnv)
    assert "anvil" in client_version(boa.env).lower()


def _setup(decimals):
    def setUpClass(cls):
        assert isinstance(boa.env, AnvilEnv) and "anvil" in client_version(boa.env).lower()
        _base(decimals)

    return classmethod(setUpClass)


for _machine in (VaultMachine, VaultMachine18):
    _case = type(f"Anvil{_machine.__name__}", (_machine.TestCase,), {})
    _case.settings = settings(settings.default, max_examples=3, stateful_step_count=15, deadline=None)
    _case.setUpClass = _setup(_machine.DECIMALS)
    globals()[f"TestAnvil{_machine.__name__}"] = _case
del _case, _machine
