"""Fixtures for the fee module's unit tests: a harness builder, role-named actors and a clock."""

from pathlib import Path

import boa
import pytest
from fees_spec import DEFAULT_NOTICE_DELAY, config

HARNESS = Path(__file__).resolve().parents[3] / "contracts" / "mocks" / "FeesHarness.vy"


@pytest.fixture
def manager():
    return boa.env.generate_address("manager")


@pytest.fixture
def attacker():
    return boa.env.generate_address("attacker")


@pytest.fixture(scope="session")
def fees_deployer():
    """The harness compiled once per session (compiling costs about a second, deploying a millisecond)."""
    return boa.load_partial(str(HARNESS))


@pytest.fixture
def create_fees(fees_deployer, manager):
    """`create_fees(cfg=None, notice_delay=7 days)` deploys a fresh harness as `manager`."""

    def _create(cfg=None, notice_delay=DEFAULT_NOTICE_DELAY):
        with boa.env.prank(manager):
            return fees_deployer.deploy(cfg if cfg is not None else config(), notice_delay)

    return _create


@pytest.fixture
def fees(create_fees):
    """A harness with the baseline config and the default 7-day notice."""
    return create_fees()


@pytest.fixture
def now():
    """`now()` returns the current block timestamp."""
    return lambda: boa.env.evm.patch.timestamp


@pytest.fixture
def warp():
    """`warp(seconds)` moves the block timestamp forward by exactly `seconds`."""

    def _warp(seconds: int) -> None:
        boa.env.evm.patch.timestamp += seconds

    return _warp
