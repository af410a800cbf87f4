"""The embedded local network: an Anvil process on a loopback port and `ape run deploy` against it.

The demo and the end-to-end tests both use it. Anvil comes from node_modules (`make setup`); its default
mnemonic funds ten accounts, the same ones Ape's test accounts derive, so the deploy script's local roles
(admin 0, manager 1, guardian 2, keeper 3, fee recipients 4/5) hold ETH from the first block.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from eth_account import Account

from vaultcraft.deploy import Deployment

REPO = Path(__file__).resolve().parents[1]
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
LOCAL_ROLE_INDEX = {
    "admin": 0,
    "manager": 1,
    "guardian": 2,
    "keeper": 3,
    "fee_recipient": 4,
    "protocol_fee_recipient": 5,
    "bridge": 9,  # the mocked venue bridge's on-chain wallet; 6..8 are the demo's and tests' investors
}

Account.enable_unaudited_hdwallet_features()


class LocalnetError(RuntimeError):
    """Anvil or the deploy script could not be started; the message says what to do."""


def anvil_binary() -> Path:
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "amd64"
    path = REPO / f"node_modules/@foundry-rs/anvil-linux-{arch}/bin/anvil"
    if not path.exists():
        raise LocalnetError(f"anvil not found at {path}: run `make setup`")
    return path


def anvil_key(index: int) -> str:
    """Private key (0x-hex) of Anvil's default account `index`: local test money only."""
    account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return "0x" + bytes(account.key).hex()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rpc(url: str, method: str, params: list | None = None, timeout: float = 5.0) -> object:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    answer = httpx.post(url, json=body, timeout=timeout).json()
    if "error" in answer:
        raise LocalnetError(f"{method}: {answer['error']}")
    return answer["result"]


@dataclass
class Anvil:
    """One Anvil node. `state_file` makes `restart()` keep the chain (dumped on SIGTERM, loaded on start)."""

    port: int = field(default_factory=free_port)
    block_time: float | None = None
    state_file: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Anvil:
        args = [
            str(anvil_binary()),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--silent",
            "--hardfork",
            "cancun",
        ]
        if self.block_time is not None:
            args += ["--block-time", str(self.block_time)]
        if self.state_file is not None:
            args += ["--state", str(self.state_file)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                stderr = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise LocalnetError(f"anvil exited: {stderr}")
            try:
                rpc(self.url, "eth_chainId", timeout=0.5)
                return self
            except (httpx.HTTPError, LocalnetError):
                time.sleep(0.05)
        self.stop()
        raise LocalnetError(f"anvil did not answer on {self.url} within {timeout} s")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # SIGTERM: Anvil writes --state before it exits
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def set_block_time(self, seconds: int) -> None:
        """Switch from mining on demand to one block every `seconds` (kept across `restart`)."""
        rpc(self.url, "evm_setIntervalMining", [seconds])
        self.block_time = seconds

    def restart(self) -> Anvil:
        self.stop()
        return self.start()


def deploy(url: str, out_dir: Path, timeout: float = 300.0) -> Deployment:
    """`ape run deploy` against the node at `url`; the deployment file is written under `out_dir`."""
    env = dict(os.environ, APE_FOUNDRY_HOST=url, VAULTCRAFT_DEPLOYMENTS_DIR=str(out_dir))
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([str(anvil_binary().parent), bin_dir, env.get("PATH", "")])
    result = subprocess.run(
        [str(Path(bin_dir) / "ape"), "run", "deploy", "--network", "ethereum:local:foundry"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise LocalnetError(f"ape run deploy failed (exit {result.returncode}):\n{tail}")
    return Deployment.load(out_dir / "local.json")
