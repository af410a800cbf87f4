"""Extra fixtures for these tests; the shared ones come from tests/unit/conftest.py."""

import pytest

from tests.fixtures.boa_protocol import anchored, deploy_protocol


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
