"""Suites on a real Anvil with the protocol deployed by `ape run deploy` (tests/fixtures/chain_stack.py)."""

from tests.fixtures.chain_stack import chain_stack  # noqa: F401
