"""Fixtures for the titanoboa unit tests: module-scoped deployments, per-test `boa.env.anchor()` snapshots.

The builders and fixtures live in `tests/fixtures/boa_protocol.py`; they are imported here because only the
top-level conftest may declare `pytest_plugins`.
"""

from tests.fixtures.boa_protocol import (  # noqa: F401
    admin,
    any_protocol,
    attacker,
    base_protocol_6,
    base_protocol_18,
    depositor,
    fee_recipient,
    guardian,
    keeper,
    manager,
    operator,
    protocol,
    protocol_recipient,
    receiver,
    second_depositor,
)


def pytest_configure(config):
    # boa warns when it casts a deployed contract whose immutables differ from the compiled template.
    config.addinivalue_line("filterwarnings", "ignore:casted bytecode does not match:UserWarning")


import pytest  # noqa: E402

from tests.fixtures.boa_protocol import anchored, deploy_protocol  # noqa: E402


@pytest.fixture(scope="module")
def base_quorum():
    p = deploy_protocol(keepers=3, quorum=2)
    p.quorum_keys = p.keeper_keys[:2]
    return p


@pytest.fixture
def nav(base_quorum):
    """A fresh vault whose oracle has three keepers and needs two signatures."""
    yield from anchored(base_quorum)


@pytest.fixture
def priced(nav):
    """Manager holds 1,000 shares at a price of exactly 1.0 (the oracle's last price)."""
    nav.onboard({nav.manager: 1_000 * nav.unit})
    assert nav.oracle.last_pps() == 10**18
    return nav
