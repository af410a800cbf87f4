"""Run boa-based suites against a real Anvil node (titanoboa network mode).

A package fixture starts Anvil on a free loopback port, installs an `AnvilEnv` (a `boa.network.NetworkEnv`
adapted to the test helpers: balances, time travel, deterministic block timestamps, pranked senders) as
`boa.env`, and kills the node at the end.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import boa
import pytest
from boa.network import ExternalAccount, NetworkEnv
from boa.rpc import EthereumRPC
from eth_account import Account
from eth_utils import to_checksum_address

from tests.fixtures.boa_protocol import actor_key

ANVIL = Path(__file__).resolve().parents[2] / "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
ROLES = (
    "admin",
    "manager",
    "guardian",
    "fee_recipient",
    "protocol_recipient",
    "custody",
    "venue_loss_sink",
    "depositor",
    "second_depositor",
    "third_depositor",
    "operator",
    "receiver",
    "attacker",
    *(f"keeper{i}" for i in range(5)),
)


class AnvilEnv(NetworkEnv):
    """NetworkEnv whose cheat codes map onto Anvil's RPC.

    boa simulates every call on a local fork of the latest block (timestamp T) before broadcasting it; so
    that the node executes it under the same timestamp, every transaction is mined with
    `evm_setNextBlockTimestamp(T)` (Anvil accepts a block with its parent's timestamp). Time only moves
    through `time_travel` (an exact `evm_setNextBlockTimestamp` + `evm_mine`)."""

    def _reset_fork(self, block_identifier="latest"):
        # boa's fork caches RPC answers keyed by block number (on disk by default, per chain id); Anvil reuses
        # block numbers after `evm_revert` and `anvil_setBalance` changes a block's state in place, so every
        # refork starts from an empty in-memory cache.
        self.fork_rpc(self._rpc, reset_traces=False, block_identifier=block_identifier, cache_dir=None)
        self.evm.vm.state._account_db._rpc._init_db()

    def set_balance(self, address, value):
        self._rpc.fetch("anvil_setBalance", [to_checksum_address(str(address)), hex(value)])
        self._reset_fork()

    def time_travel(self, seconds=None, blocks=None, block_delta=12):
        if (seconds is None) == (blocks is None):
            raise ValueError("One (and only one) of seconds or blocks should be set")
        if seconds is None:
            seconds = blocks * block_delta
        self._reset_fork()
        target = self.evm.patch.timestamp + seconds
        self._rpc.fetch("evm_setNextBlockTimestamp", [hex(target)])
        self._rpc.fetch("evm_mine", [])
        self._reset_fork()
        assert self.evm.patch.timestamp == target, (self.evm.patch.timestamp, target)

    def _send_txn(self, from_, to=None, gas=None, value=None, data=None):
        sender = to_checksum_address(str(from_))
        if sender not in self._accounts:  # a pranked address without a known key: impersonate it
            self._rpc.fetch("anvil_impersonateAccount", [sender])
            self._accounts[sender] = ExternalAccount(_rpc=self._rpc, address=sender)
        self._rpc.fetch("evm_setNextBlockTimestamp", [hex(self.evm.patch.timestamp)])
        return super()._send_txn(from_, to=to, gas=gas, value=value, data=data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")
def anvil_url():
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(ANVIL),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--silent",
            "--hardfork",
            "cancun",
            "--accounts",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    rpc = EthereumRPC(url)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                rpc.fetch_uncached("web3_clientVersion", [])
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="package", autouse=True)
def anvil_env(anvil_url):
    """`boa.env` is an AnvilEnv for the tests of this package (the py-evm env is restored after them); the
    stateful machine's per-process deployment cache is swapped for a fresh one so no py-evm deployment leaks
    into network mode (or back)."""
    import tests.fuzz.test_vault_stateful as machine_module

    env = AnvilEnv(EthereumRPC(anvil_url))
    env.suppress_debug_tt()
    for role in ROLES:
        env.add_account(Account.from_key(actor_key(role)))
    saved_bases, machine_module._BASES = machine_module._BASES, {}
    try:
        with boa.swap_env(env):
            yield env
    finally:
        machine_module._BASES = saved_bases


def client_version(env) -> str:
    return env._rpc.fetch_uncached("web3_clientVersion", [])
