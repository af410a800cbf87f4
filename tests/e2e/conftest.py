"""End-to-end fixtures: a real Anvil with the protocol deployed by the ape script, the venue simulator as a
process, and keeper processes started with `python -m keeper run` (see tests/e2e/harness.py)."""

from __future__ import annotations

from tests.fixtures.chain_stack import chain_stack  # noqa: F401
