"""Shared fixtures of the titanoboa unit tests: module-scoped deployments, per-test `boa.env.anchor()`
snapshots (subfolder conftests add or override fixtures).

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
