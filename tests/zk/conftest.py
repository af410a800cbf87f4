"""zk test fixtures (Hypothesis profiles are registered once, in tests/conftest.py)."""

from __future__ import annotations

import pytest

from zk.context import VaultContext, VaultId

VAULT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
OTHER_VAULT = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"


@pytest.fixture
def vault_id() -> VaultId:
    return VaultId.of(31337, VAULT)


@pytest.fixture
def ctx() -> VaultContext:
    return VaultContext.of(31337, VAULT, 7)


@pytest.fixture
def salt_secret() -> bytes:
    return bytes(range(32))
