"""The demo's processes on free loopback ports: Anvil (with the protocol deployed by `ape run deploy`), the
venue simulator, one keeper per vault and the API. Everything lives in one run directory and is stopped on
exit, so a second run needs no cleaning."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from eth_account import Account

from keeper.store.repo import Store
from vaultcraft.deploy import Deployment
from vaultcraft.localnet import REPO, Anvil, LocalnetError, deploy, free_port
from zk.context import VaultId
from zk.hpke import AuditorPrivateKey
from zk.keyfiles import save_auditor_key, save_root_key
from zk.view_keys import VaultRootKey

KEEPER_ROLE_KEY_ENV = "VAULTCRAFT_KEEPER_KEEPER_KEYS"


@dataclass
class Process:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _spawn(name: str, args: list[str], env: dict[str, str], log: Path) -> Process:
    handle = log.open("ab")
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
    return Process(name, proc, log)


def _wait_http(url: str, what: str, process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise LocalnetError(f"{what} exited early; see {process.log}")
        try:
            if httpx.get(url, timeout=0.5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise LocalnetError(f"{what} did not answer at {url} within {timeout} s; see {process.log}")


@dataclass
class VaultKeys:
    """Per-vault secrets generated for this run: the venue account key and (private) the root view key."""

    venue_key: str
    root_key_file: Path | None = None

    @property
    def venue_account(self) -> str:
        return str(Account.from_key(self.venue_key).address)


@dataclass
class DemoStack:
    workdir: Path
    epoch_interval_s: int = 4
    anvil: Anvil | None = None
    deployment: Deployment | None = None
    sim_url: str = ""
    api_url: str = ""
    keys: list[VaultKeys] = field(default_factory=list)
    auditor: AuditorPrivateKey | None = None
    salt_secret: str = field(default_factory=lambda: "0x" + secrets.token_hex(32))
    api_pepper: str = field(default_factory=lambda: secrets.token_hex(32))
    api_login_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    processes: list[Process] = field(default_factory=list)
    _exit: ExitStack = field(default_factory=ExitStack)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.workdir / 'store.db'}"

    @property
    def deployment_file(self) -> Path:
        return self.workdir / "deployments" / "local.json"

    def start_chain(self) -> Deployment:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.anvil = Anvil(state_file=self.workdir / "anvil-state.json").start()
        self._exit.callback(self.anvil.stop)
        self.deployment = deploy(self.anvil.url, self.workdir / "deployments")
        self.anvil.set_block_time(1)
        return self.deployment

    def start_venue(self) -> str:
        port = free_port()
        process = _spawn(
            "venue-sim",
            [sys.executable, "-m", "venue_sim", "--port", str(port), "--seed", "7"],
            dict(os.environ),
            self.workdir / "venue-sim.log",
        )
        self._track(process)
        self.sim_url = f"http://127.0.0.1:{port}"
        _wait_http(self.sim_url + "/sim/health", "the venue simulator", process)
        return self.sim_url

    def make_keys(self) -> None:
        assert self.deployment is not None
        self.auditor = AuditorPrivateKey.generate()
        save_auditor_key(self.workdir / "auditor.key", self.auditor)
        for record in self.deployment.vaults:
            keys = VaultKeys("0x" + secrets.token_hex(32))
            if record.is_private:
                keys.root_key_file = self.workdir / f"root-{record.symbol}.key"
                save_root_key(
                    keys.root_key_file,
                    VaultRootKey.generate(VaultId.of(self.deployment.chain_id, record.address)),
                )
            self.keys.append(keys)

    def keeper_env(self, index: int, keeper_key: str) -> dict[str, str]:
        assert self.deployment is not None and self.anvil is not None
        record, keys = self.deployment.vaults[index], self.keys[index]
        env = dict(os.environ)
        env.update(
            {
                "VAULTCRAFT_KEEPER_DB_URL": self.db_url,
                "VAULTCRAFT_KEEPER_VENUE_URL": self.sim_url,
                "VAULTCRAFT_KEEPER_VENUE_PRIVATE_KEY": keys.venue_key,
                "VAULTCRAFT_KEEPER_RPC_URL": self.anvil.url,
                "VAULTCRAFT_KEEPER_DEPLOYMENT_FILE": str(self.deployment_file),
                "VAULTCRAFT_KEEPER_VAULT": record.address,
                KEEPER_ROLE_KEY_ENV: keeper_key,
                "VAULTCRAFT_KEEPER_SALT_SECRET": self.salt_secret,
                "VAULTCRAFT_KEEPER_EPOCH_INTERVAL_S": str(self.epoch_interval_s),
                "VAULTCRAFT_KEEPER_CHAIN_TICK_MS": "100",
                "VAULTCRAFT_KEEPER_REST_POLL_INTERVAL_S": "1",
            }
        )
        if keys.root_key_file is not None:
            env["VAULTCRAFT_KEEPER_VIEW_ROOT_KEY_FILE"] = str(keys.root_key_file)
        return env

    def start_keepers(self, keeper_key: str) -> None:
        assert self.deployment is not None
        Store.open(self.db_url).close()  # migrate once: two keepers must not race to create the schema
        for index, record in enumerate(self.deployment.vaults):
            process = _spawn(
                f"keeper {record.symbol}",
                [sys.executable, "-m", "keeper", "run"],
                self.keeper_env(index, keeper_key),
                self.workdir / f"keeper-{record.symbol}.log",
            )
            self._track(process)

    def api_env(self) -> dict[str, str]:
        assert self.deployment is not None and self.anvil is not None
        venue_keys = {r.address: k.venue_key for r, k in zip(self.deployment.vaults, self.keys, strict=True)}
        env = dict(os.environ)
        env.update(
            {
                "VAULTCRAFT_API_KEY_PEPPER": self.api_pepper,
                "VAULTCRAFT_API_LOGIN_SECRET": self.api_login_secret,
                "VAULTCRAFT_API_CHAIN_ID": str(self.deployment.chain_id),
                "VAULTCRAFT_API_DB_URL": self.db_url,
                "VAULTCRAFT_API_RPC_URL": self.anvil.url,
                "VAULTCRAFT_API_DEPLOYMENT_FILE": str(self.deployment_file),
                "VAULTCRAFT_API_TRADING_VENUE_URL": self.sim_url,
                "VAULTCRAFT_API_TRADING_VENUE_KEYS": json.dumps(venue_keys),
            }
        )
        return env

    def start_api(self) -> str:
        port = free_port()
        process = _spawn(
            "api",
            [sys.executable, "-m", "vaultcraft.cli", "api", "serve", "--port", str(port)],
            self.api_env(),
            self.workdir / "api.log",
        )
        self._track(process)
        self.api_url = f"http://127.0.0.1:{port}"
        _wait_http(self.api_url + "/healthz", "the API", process)
        return self.api_url

    def create_api_key(self, owner: str, scopes: list[str], vaults: list[str]) -> str:
        """`vaultcraft api keys create`, as an operator would run it; returns the key printed once."""
        args = [sys.executable, "-m", "vaultcraft.cli", "api", "keys", "create", "--owner", owner]
        args += [a for s in scopes for a in ("--scope", s)] + [a for v in vaults for a in ("--vault", v)]
        result = subprocess.run(
            args, cwd=REPO, env=self.api_env(), capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise LocalnetError(f"vaultcraft api keys create failed: {result.stderr.strip()}")
        return result.stdout.strip().splitlines()[-1]

    def check_alive(self) -> None:
        for process in self.processes:
            if process.proc.poll() is not None:
                raise LocalnetError(
                    f"{process.name} exited (code {process.proc.returncode}); see {process.log}"
                )

    def _track(self, process: Process) -> None:
        self.processes.append(process)
        self._exit.callback(process.stop)

    def close(self) -> None:
        self._exit.close()
