"""End-to-end fixtures: a real Anvil with the protocol deployed by the ape script, the venue simulator as a
process, and keeper processes started with `python -m keeper run` (see tests/e2e/harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.chain_stack import ChainStack, chain_stack, start_stack  # noqa: F401
from tests.fixtures.venue_process import SimProcess, start_sim


@pytest.fixture
def fresh_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChainStack]:
    """A chain of its own: fault tests must not share a trade log with another test's store."""
    stack = start_stack(tmp_path_factory.mktemp("chain"))
    try:
        yield stack
    finally:
        stack.anvil.stop()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimProcess]:
    process = start_sim("--seed", "11")
    yield process
    process.stop()
