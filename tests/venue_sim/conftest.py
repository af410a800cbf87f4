"""Fixtures: one real simulator process per session (stepped clock), driven through the official SDK."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import eth_account
import httpx
import pytest
from eth_account.signers.local import LocalAccount
from hyperliquid.exchange import Exchange
from hyperliquid.info import Info

REPO = Path(__file__).resolve().parents[2]
SEED = 7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SimProcess:
    url: str
    proc: subprocess.Popen[bytes]

    def sim(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call a simulator-only /sim/* route (POST with a body, GET without)."""
        if body is None:
            response = httpx.get(self.url + path, timeout=10)
        else:
            response = httpx.post(self.url + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def spawn_sim(*args: str) -> SimProcess:
    """Start `python -m venue_sim` on a free port without waiting (see `wait_ready`)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "venue_sim", "--port", str(port), *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return SimProcess(f"http://127.0.0.1:{port}", proc)


def wait_ready(sim: SimProcess, timeout: float = 20) -> SimProcess:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sim.proc.poll() is not None:
            stderr = sim.proc.stderr.read().decode() if sim.proc.stderr else ""
            raise RuntimeError(f"venue_sim exited early: {stderr}")
        try:
            if httpx.get(sim.url + "/sim/health", timeout=0.5).status_code == 200:
                return sim
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    sim.stop()
    raise RuntimeError(f"venue_sim did not become ready in {timeout} s")


def start_sim(*args: str) -> SimProcess:
    return wait_ready(spawn_sim(*args))


@pytest.fixture(scope="session")
def venue() -> Iterator[SimProcess]:
    sim = start_sim("--step-clock", "--seed", str(SEED))
    try:
        yield sim
    finally:
        sim.stop()


@dataclass
class Trader:
    wallet: LocalAccount
    exchange: Exchange
    info: Info

    @property
    def address(self) -> str:
        return self.wallet.address

    def statuses(self, response: dict[str, Any]) -> list[dict[str, Any]]:
        assert response["status"] == "ok", response
        return list(response["response"]["data"]["statuses"])


@pytest.fixture
def trader_factory(venue: SimProcess) -> Iterator[Any]:
    def make(usd: str = "10000") -> Trader:
        wallet: LocalAccount = eth_account.Account.create()
        venue.sim("/sim/fund", {"user": wallet.address, "usd": usd})
        return Trader(wallet, Exchange(wallet, venue.url), Info(venue.url, skip_ws=True))

    yield make


@pytest.fixture
def trader(trader_factory: Any) -> Trader:
    return trader_factory()


@pytest.fixture
def sim_config(venue: SimProcess) -> Iterator[Any]:
    """Patch runtime knobs for one test and restore the defaults afterwards (the process is shared)."""
    original = venue.sim("/sim/config")
    touched: set[str] = set()

    def patch(**knobs: Any) -> Any:
        touched.update(knobs)
        return venue.sim("/sim/config", knobs)

    yield patch
    restore = {k: original[k] for k in touched if k in original}
    for per_coin in ("drift_ppm", "vol_ppm"):
        if per_coin in touched:
            restore[per_coin] = {s["name"]: s[per_coin] for s in original["instruments"]}
    if restore:
        venue.sim("/sim/config", restore)


def pause() -> None:
    """The SDK uses the wall-clock millisecond as the nonce; two actions in one ms would collide."""
    time.sleep(0.003)
