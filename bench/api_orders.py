"""Order submission latency through the real trading API: `order_submit_p99_ms` (and p50).

Setup: the venue simulator as its own process (wall clock), a fresh funded venue account whose key reaches
the API only through the environment (`VAULTCRAFT_API_TRADING_VENUE_KEYS`), a migrated SQLite keeper store
with the vault's risk template, and the API (`api.app.create_app` + `api.trading.trading_routers`) served by
uvicorn on loopback in its own process, with the runtime of `vaultcraft api serve` (uvloop, httptools).

Load: one driver process (not a thread of the server) sends `ORDERS` market orders one after another on a
keep-alive connection, alternating buy/sell so the position stays flat; after `WARMUP` orders every
request is timed from send to the full 201 answer, which the API returns only once the simulator has
acknowledged the order (the order is also recorded in the store and audited by then). Every answer must be
201 and the simulator must report one fill per order. The figures are merged into bench/results/api.json
(read-modify-write under a lock file; other keys are kept).

Run: `python -m bench.api_orders` (BENCH_ORDERS=500 by default). Target: p99 <= 50 ms.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OUT = Path("bench/results/api.json")
ORDERS = int(os.environ.get("BENCH_ORDERS", "500"))
WARMUP = int(os.environ.get("BENCH_ORDERS_WARMUP", "30"))
TARGET_P99_MS = 50.0
COIN, SIZE = "ETH", "0.01"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited early with {proc.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    rank = max(1, -(-len(sorted_ms) * q // 100))
    return sorted_ms[int(rank) - 1]


# --- server process -------------------------------------------------------------------------------------


def serve(port: int, db_url: str, vault: str, key_out: str) -> None:
    import anyio
    import uvicorn
    from pydantic import SecretStr

    from api.app import create_app
    from api.auth.api_keys import InMemoryKeyStore, Scope
    from api.auth.nonces import InMemoryNonceStore
    from api.auth.signed import StaticRoleReader
    from api.container import ApiDeps
    from api.ratelimit import InMemoryRateLimiter, RateLimit
    from api.settings import ApiSettings, RatePolicy
    from api.trading import StaticVaultBindings, TradingDeps, TradingSettings, trading_routers
    from api.trading.schemas import RiskTemplateIn
    from api.trading.venue import LazySettingsVenues
    from keeper.store.repo import Store

    loose = RatePolicy(
        per_ip=RateLimit(burst=10**6, tokens=10**6, period_s=1),
        per_key=RateLimit(burst=10**6, tokens=10**6, period_s=1),
    )
    settings = ApiSettings(
        key_pepper=SecretStr(secrets.token_hex(32)),
        login_secret=SecretStr(secrets.token_hex(32)),
        rate_default=loose,
        rate_admin=loose,
    )
    store = Store.open(db_url)
    template = RiskTemplateIn(
        allowed_instruments=["BTC", "ETH"],
        max_position_notional="100000",
        max_order_notional="10000",
        max_leverage=5,
        max_slippage_bps=200,
    )
    bindings = StaticVaultBindings()
    trading = TradingDeps(store=store, venues=LazySettingsVenues(TradingSettings()), bindings=bindings)
    trading.repo.replace_template(vault, template.canonical(), 0, "bench", int(time.time() * 1000))
    deps = ApiDeps(
        key_store=InMemoryKeyStore(),
        rate_limiter=InMemoryRateLimiter(),
        nonce_store=InMemoryNonceStore(clock=lambda: int(time.time())),
        role_reader=StaticRoleReader(),
        routers=trading_routers(trading),
    )
    app = create_app(settings, deps)

    async def issue() -> str:
        plaintext, record = await app.state.services.keys.issue("bench", [Scope.TRADE])
        bindings.bind(record.key_id, vault)
        return plaintext

    key = anyio.run(issue)
    fd = os.open(key_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    from api.server import UVICORN_RUNTIME

    # The same uvicorn runtime as `vaultcraft api serve` (the app itself is built here, with an in-memory
    # key store, so the bench cannot go through the CLI's settings-only factory).
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, **UVICORN_RUNTIME)


# --- driver process -------------------------------------------------------------------------------------


def drive(url: str, vault: str, key_file: str, orders: int) -> None:
    import httpx

    key = Path(key_file).read_text()
    latencies: list[float] = []
    failures: list[str] = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as client:
        for i in range(orders):
            body = {
                "coin": COIN,
                "side": "buy" if i % 2 == 0 else "sell",
                "size": SIZE,
                "type": "market",
                "slippage_preset": "normal",
            }
            start = time.perf_counter()
            response = client.post(f"/v1/vaults/{vault}/orders", json=body)
            elapsed = time.perf_counter() - start
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.text[:200]}")
            latencies.append(elapsed)
    sys.stdout.write(json.dumps({"latencies": latencies, "failures": failures}))


# --- orchestration --------------------------------------------------------------------------------------


def merge_results(values: dict[str, Any]) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lock_path = Path(tempfile.gettempdir()) / "vaultcraft-bench-api-json.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        existing = json.loads(OUT.read_text()) if OUT.exists() else {}
        existing.update(values)
        tmp = OUT.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
        tmp.replace(OUT)


def main() -> dict[str, Any]:
    import eth_account
    import httpx

    python = sys.executable
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            sim_port, api_port = free_port(), free_port()
            sim_url, api_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{api_port}"
            sim = subprocess.Popen(
                [python, "-m", "venue_sim", "--port", str(sim_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(sim)
            wait_http(sim_url + "/sim/health", sim)
            wallet = eth_account.Account.create()
            httpx.post(
                sim_url + "/sim/fund", json={"user": wallet.address, "usd": "1000000"}
            ).raise_for_status()
            vault = eth_account.Account.create().address
            key_file = f"{tmp}/api-key"
            env = {
                **os.environ,
                "VAULTCRAFT_API_TRADING_VENUE_URL": sim_url,
                "VAULTCRAFT_API_TRADING_VENUE_KEYS": json.dumps({vault: wallet.key.hex()}),
            }
            server = subprocess.Popen(
                [
                    python,
                    "-m",
                    "bench.api_orders",
                    "serve",
                    str(api_port),
                    f"sqlite:///{tmp}/keeper.db",
                    vault,
                    key_file,
                ],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            procs.append(server)
            wait_http(api_url + "/healthz", server)
            driver = subprocess.run(
                [python, "-m", "bench.api_orders", "drive", api_url, vault, key_file, str(ORDERS + WARMUP)],
                check=True,
                capture_output=True,
                timeout=600,
            )
            result = json.loads(driver.stdout)
            fills = httpx.post(sim_url + "/info", json={"type": "userFills", "user": wallet.address}).json()
        finally:
            for proc in reversed(procs):
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    if result["failures"]:
        raise SystemExit(f"{len(result['failures'])} orders failed, first: {result['failures'][0]}")
    if len({f["oid"] for f in fills}) != ORDERS + WARMUP:
        raise SystemExit(
            f"simulator has fills for {len({f['oid'] for f in fills})} orders, expected {ORDERS + WARMUP}"
        )
    timed = sorted(s * 1000 for s in result["latencies"][WARMUP:])
    p50, p99 = round(percentile(timed, 50), 2), round(percentile(timed, 99), 2)
    values: dict[str, Any] = {
        "order_submit_p50_ms": p50,
        "order_submit_p99_ms": p99,
        "order_submit_samples": len(timed),
        "order_submit_config": {
            "store": "sqlite",
            "venue": "venue_sim process (wall clock)",
            "client": "one driver process, sequential keep-alive HTTP/1.1",
            "order": f"market {SIZE} {COIN}, alternating sides",
            "warmup_orders": WARMUP,
        },
    }
    merge_results(values)
    verdict = "within" if p99 <= TARGET_P99_MS else "ABOVE"
    print(f"order_submit_p50_ms {p50}")
    print(f"order_submit_p99_ms {p99} ({verdict} the {TARGET_P99_MS:g} ms target)")
    print(f"samples {len(timed)} (after {WARMUP} warm-up orders); wrote {OUT}")
    return values


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "drive":
        drive(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
