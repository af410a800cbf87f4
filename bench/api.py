"""`make bench-api`: the API served by uvicorn on loopback, driven from separate processes.

Setup: a SQLite keeper store (migrated, seeded with 2 vaults x 365 posted NAV reports, leases, ingestion
checkpoints and an outbox backlog), a deployment file naming the vaults, a fresh Anvil for the chain head,
and the API started exactly as users start it, `vaultcraft api serve` (uvicorn with uvloop and httptools,
the `app_from_env` factory), with loose rate limits.

Load: `DRIVERS` client processes (not threads of the server's process), each keeping `CONNECTIONS`
keep-alive HTTP/1.1 connections busy for `DURATION_S` with a minimal asyncio client (so the client's own
parsing costs little of the shared CPU); every answer must be 200. Latency is measured per request by the
client (send -> full body). Results are merged into bench/results/api.json (other keys, e.g. the trading
API's `order_submit_p99_ms`, are kept).

Run: `python -m bench.api` (or `make bench-api`). `python -m bench.api drive URL PATH CONNS SECONDS` is the
driver entry point the benchmark spawns.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path("bench/results/api.json")
DURATION_S = float(os.environ.get("BENCH_API_DURATION_S", "10"))
WARMUP_S = 2.0
DRIVERS = int(os.environ.get("BENCH_API_DRIVERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_API_CONNECTIONS", "8"))  # per driver
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "1"))
EPOCHS = 365
PUBLIC = "0x" + "a1" * 20
PRIVATE = "0x" + "b2" * 20


# --- driver (runs in its own process) ------------------------------------------------------------------


async def _connection(
    host: str, port: int, path: str, stop_at: float, warm_until: float, lat: list[float]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode()
    errors = 0
    try:
        while True:
            start = time.perf_counter()
            if start >= stop_at:
                return errors
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != 200:
                errors += 1
            if start >= warm_until:
                lat.append(time.perf_counter() - start)
    finally:
        writer.close()


async def _drive(url: str, path: str, connections: int, seconds: float) -> dict[str, object]:
    host, port = url.removeprefix("http://").split(":")
    lat: list[float] = []
    now = time.perf_counter()
    warm_until, stop_at = now + WARMUP_S, now + WARMUP_S + seconds
    errors = await asyncio.gather(
        *(_connection(host, int(port), path, stop_at, warm_until, lat) for _ in range(connections))
    )
    return {"latencies": lat, "errors": sum(errors), "seconds": seconds}


def drive_main(argv: list[str]) -> None:
    url, path, conns, seconds = argv[0], argv[1], int(argv[2]), float(argv[3])
    result = asyncio.run(_drive(url, path, conns, seconds))
    sys.stdout.write(json.dumps(result))


# --- orchestration -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(db_url: str) -> None:
    from sqlalchemy import insert

    from api.store.db import SqlDb
    from keeper.store.models import IngestCheckpoint, KeeperLease, OutboxEntry, Report

    db = SqlDb.open(db_url)
    now = int(time.time() * 1000)
    day = 86_400_000
    with db.engine.begin() as conn:
        for vault in (PUBLIC, PRIVATE):
            conn.execute(
                insert(Report),
                [
                    dict(
                        vault=vault,
                        epoch=e,
                        nav=10**12 + e * 10**6,
                        positions_root="0x" + "11" * 32,
                        holders_root="0x" + "22" * 32,
                        report_hash="0x" + "33" * 32,
                        status="posted",
                        created_ms=now - (EPOCHS - e) * day,
                        struct_hash="0x" + f"{e:064x}",
                        fields={},
                        total_supply=10**20,
                        share_price=10**18 + (e % 30) * 10**15 - (e % 7) * 10**15,
                        tx_hash="0x" + f"{e:064x}",
                        posted_ms=now - (EPOCHS - e) * day,
                    )
                    for e in range(1, EPOCHS + 1)
                ],
            )
        conn.execute(
            insert(KeeperLease).values(
                name="keeper-leader",
                holder="bench",
                term=1,
                acquired_ms=now,
                renewed_ms=now,
                expires_ms=now + 15_000,
            )
        )
        conn.execute(
            insert(IngestCheckpoint).values(
                venue="hyperliquid",
                account="0x" + "c3" * 20,
                confirmed_ms=now,
                last_ack_ms=now,
                last_ws_fill_ms=now,
                ws_fills=1000,
                reconciled_fills=3,
                ws_dropped_suspected=3,
                positions_in_sync=True,
            )
        )
        conn.execute(
            insert(OutboxEntry),
            [
                dict(
                    dedupe_key=f"trade:{PUBLIC}:{i}",
                    kind="trade",
                    vault=PUBLIC,
                    seq=i,
                    payload={},
                    status=("confirmed", "pending", "sent")[i % 3],
                    attempts=1,
                    last_error="timeout" if i % 50 == 1 else None,
                    created_ms=now - i,
                    updated_ms=now,
                )
                for i in range(300)
            ],
        )
    db.close()


def _deployment(path: Path) -> None:
    path.write_text(
        json.dumps(
            {
                "chain_id": 31337,
                "network": "bench",
                "block": 0,
                "asset": "0x" + "00" * 19 + "01",
                "factory": "0x" + "00" * 19 + "02",
                "vault_blueprint": "0x" + "00" * 19 + "03",
                "oracle_blueprint": "0x" + "00" * 19 + "04",
                "invite_gate": "0x" + "00" * 19 + "05",
                "roles": {},
                "vaults": [
                    {
                        "name": "Bench Public",
                        "symbol": "bPUB",
                        "address": PUBLIC,
                        "nav_oracle": "0x" + "d4" * 20,
                        "is_private": False,
                        "block": 0,
                    },
                    {
                        "name": "Bench Private",
                        "symbol": "bPRV",
                        "address": PRIVATE,
                        "nav_oracle": "0x" + "e5" * 20,
                        "is_private": True,
                        "block": 0,
                    },
                ],
                "abi": {},
            }
        )
    )


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    # Exactly as users run it: `vaultcraft api serve` (uvicorn, the `app_from_env` factory, its runtime).
    cmd = [
        str(Path(sys.executable).with_name("vaultcraft")),
        "api",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


def _load(url: str, path: str) -> dict[str, float]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.api", "drive", url, path, str(CONNECTIONS), str(DURATION_S)],
            stdout=subprocess.PIPE,
        )
        for _ in range(DRIVERS)
    ]
    lat: list[float] = []
    errors = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=DURATION_S + 120)
        result = json.loads(out)
        lat += result["latencies"]
        errors += result["errors"]
    if errors:
        raise RuntimeError(f"{path}: {errors} non-200 answers")
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return {"rps": len(lat) / DURATION_S, "p50_ms": pick(0.50), "p99_ms": pick(0.99), "requests": len(lat)}


def main() -> None:
    from vaultcraft.localnet import Anvil

    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'keeper.db'}"
        _seed(db_url)
        _deployment(Path(tmp) / "bench.json")
        anvil = Anvil().start()
        try:
            base_env = dict(os.environ)
            loose = {"BURST": "1000000", "TOKENS": "1000000", "PERIOD_S": "1"}
            for policy in ("DEFAULT", "ADMIN"):
                for bucket in ("PER_IP", "PER_KEY"):
                    for field, value in loose.items():
                        base_env[f"VAULTCRAFT_API_RATE_{policy}__{bucket}__{field}"] = value
            base_env.update(
                {
                    "VAULTCRAFT_API_KEY_PEPPER": secrets.token_hex(32),
                    "VAULTCRAFT_API_LOGIN_SECRET": secrets.token_hex(32),
                    "VAULTCRAFT_API_DB_URL": db_url,
                    "VAULTCRAFT_API_RPC_URL": anvil.url,
                    "VAULTCRAFT_API_DEPLOYMENT_FILE": str(Path(tmp) / "bench.json"),
                }
            )
            base_env.pop("VAULTCRAFT_API_REDIS_URL", None)
            scenarios = [
                ("status", "/v1/status", {}),
                ("nav_series", f"/v1/vaults/{PUBLIC}/nav?limit=100", {}),
                ("status_uncached", "/v1/status", {"VAULTCRAFT_API_STATUS_CACHE_S": "0"}),
            ]
            for name, path, extra in scenarios:
                port = _free_port()
                server = _serve({**base_env, **extra}, port)
                try:
                    measured = _load(f"http://127.0.0.1:{port}", path)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                results[f"{name}_rps"] = round(measured["rps"])
                results[f"{name}_p50_ms"] = round(measured["p50_ms"], 2)
                results[f"{name}_p99_ms"] = round(measured["p99_ms"], 2)
                print(
                    f"{name:16s} {measured['rps']:8.0f} rps  p50 {measured['p50_ms']:6.2f} ms  "
                    f"p99 {measured['p99_ms']:6.2f} ms  ({measured['requests']} requests)"
                )
        finally:
            anvil.stop()
    results["api_bench_config"] = {
        "uvicorn_workers": WORKERS,
        "driver_processes": DRIVERS,
        "connections_per_driver": CONNECTIONS,
        "duration_s": DURATION_S,
        "cpus": os.cpu_count(),
        "store": "sqlite",
        "nav_epochs_per_vault": EPOCHS,
        "status_cache_s": "default 0.25 (status_uncached_*: 0)",
        "chain_head_cache_s": 1.0,
    }
    existing = json.loads(OUT.read_text()) if OUT.exists() else {}
    existing.update(results)  # keeps keys written by other benchmarks (e.g. order_submit_p99_ms)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "drive":
        drive_main(sys.argv[2:])
    else:
        main()
