"""Fixtures for the trade log, proof verifier and auditor registry suites (titanoboa).

Builders live in `tests/unit/proofs/helpers.py`; the real vault + NavOracle come from
`tests/fixtures/boa_protocol.py`, module-scoped and rolled back per test with `boa.env.anchor()`.
"""

import boa
import pytest

from tests.fixtures.boa_protocol import (  # noqa: F401
    admin,
    anchored,
    attacker,
    base_protocol_6,
    deploy_protocol,
    depositor,
    keeper,
    manager,
    protocol,
    second_depositor,
)
from tests.unit.proofs.helpers import deploy_mock_oracle, deployer


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", "ignore:casted bytecode does not match:UserWarning")


@pytest.fixture(scope="module")
def base_private_protocol():
    return deploy_protocol(is_private=True)


@pytest.fixture
def private_protocol(base_private_protocol):
    """A fresh private vault (commitments + ciphertexts), one keeper, quorum 1."""
    yield from anchored(base_private_protocol)


@pytest.fixture(scope="module")
def base_verifier():
    return deployer("ProofVerifier").deploy()


@pytest.fixture
def verifier(base_verifier):
    with boa.env.anchor():
        yield base_verifier


@pytest.fixture
def mock_oracle():
    """A stand-in NavOracle (same `is_accepted` semantics) bound to an arbitrary vault address."""
    with boa.env.anchor():
        yield deploy_mock_oracle
