"""Real wiring: `api.server` builds the ports from `VAULTCRAFT_API_*` (SQL store, deployment file, chain,
Redis when configured), `vaultcraft api serve` runs uvicorn, and the key / audit-log / openapi commands work
against the same store. Secrets never appear in output."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from typer.testing import CliRunner

from api.auth.nonces import RedisNonceStore
from api.ratelimit import InMemoryRateLimiter, RedisRateLimiter
from api.server import build_app
from api.settings import ApiSettings
from api.store.keys import SqlKeyStore
from api.store.nonces import SqlNonceStore
from keeper.store.models import AuditLog
from tests.api.conftest import REDIS_URL
from tests.api.readside import PUBLIC_VAULT, deployment
from vaultcraft.cli import app as cli
from vaultcraft.localnet import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path, monkeypatch):
    dep = deployment()
    raw = asdict(dep)
    path = tmp_path / "deployments" / "local.json"
    path.parent.mkdir()
    path.write_text(json.dumps(raw))
    values = {
        "VAULTCRAFT_API_KEY_PEPPER": secrets.token_hex(32),
        "VAULTCRAFT_API_LOGIN_SECRET": secrets.token_hex(32),
        "VAULTCRAFT_API_DB_URL": f"sqlite:///{tmp_path / 'data' / 'keeper.db'}",
        "VAULTCRAFT_API_RPC_URL": f"http://user:hunter2@127.0.0.1:{free_port()}",
        "VAULTCRAFT_API_DEPLOYMENT_FILE": str(path),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("VAULTCRAFT_API_REDIS_URL", raising=False)
    return values


def test_build_app__sql_ports_without_redis(env):
    app = build_app(ApiSettings())
    deps = app.state.services.deps
    assert isinstance(deps.key_store, SqlKeyStore) and isinstance(deps.nonce_store, SqlNonceStore)
    assert isinstance(deps.rate_limiter, InMemoryRateLimiter)
    with TestClient(app, raise_server_exceptions=False) as client:
        vaults = client.get("/v1/vaults").json()["vaults"]
        assert {v["address"] for v in vaults} == {v.address for v in deployment().vaults}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["details"]["checks"] == {"store": "ok", "chain": "failed"}
        assert "hunter2" not in ready.text
        assert client.get("/v1/status").json()["store"]["ok"] is True


def test_build_app__redis_limiter_and_nonces_when_configured(env, monkeypatch):
    if os.environ.get("VAULTCRAFT_TEST_NO_REDIS") == "1":
        pytest.skip("!!! VAULTCRAFT_TEST_NO_REDIS=1 !!!")
    monkeypatch.setenv("VAULTCRAFT_API_REDIS_URL", REDIS_URL)
    app = build_app(ApiSettings())
    deps = app.state.services.deps
    assert isinstance(deps.rate_limiter, RedisRateLimiter) and isinstance(deps.nonce_store, RedisNonceStore)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/readyz").json()["details"]["checks"]["redis"] == "ok"
        assert client.get(f"/v1/vaults/{PUBLIC_VAULT}/nav").status_code == 200


def test_cli_keys_create_list_revoke_and_audit_log(env):
    runner = CliRunner()
    created = runner.invoke(
        cli, ["api", "keys", "create", "--owner", "ops", "--scope", "admin", "--scope", "read"]
    )
    assert created.exit_code == 0, created.output
    plaintext = created.stdout.strip().splitlines()[-1]
    assert plaintext.startswith("vc_")
    key_id = plaintext.split("_")[1]
    listed = runner.invoke(cli, ["api", "keys", "list", "--json"])
    [row] = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["key_id"] == key_id and row["scopes"] == ["admin", "read"] and row["revoked_at"] is None
    assert plaintext.split("_", 2)[2] not in listed.stdout
    app = build_app(ApiSettings())
    with TestClient(app) as client:
        assert client.get("/v1/audit-log", headers={"X-API-Key": plaintext}).status_code == 200
        assert runner.invoke(cli, ["api", "keys", "revoke", key_id]).exit_code == 0
        assert client.get("/v1/audit-log", headers={"X-API-Key": plaintext}).status_code == 401
    again = runner.invoke(cli, ["api", "keys", "revoke", key_id])
    assert again.exit_code == 1 and "no active key" in again.output
    bad = runner.invoke(cli, ["api", "keys", "create", "--owner", "x", "--scope", "root"])
    assert bad.exit_code == 2 and "unknown scope" in bad.output
    db = app.state.resources.db
    with db.engine.begin() as conn:
        conn.execute(
            insert(AuditLog).values(at_ms=1, actor="api_key:x:ops", action="vault.pause", detail={"a": 1})
        )
    log = runner.invoke(cli, ["api", "audit-log", "--json"])
    assert log.exit_code == 0 and json.loads(log.stdout.splitlines()[0])["action"] == "vault.pause"


def test_cli_refuses_placeholder_secrets_without_echoing_them(env, monkeypatch):
    monkeypatch.setenv("VAULTCRAFT_API_KEY_PEPPER", "changeme-changeme-changeme-changeme-1234")
    result = CliRunner().invoke(cli, ["api", "keys", "create", "--owner", "x", "--scope", "read"])
    assert result.exit_code == 2 and "key_pepper" in result.output
    assert "changeme-changeme" not in result.output


def test_vaultcraft_api_serve__real_uvicorn(env):
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "vaultcraft"), "api", "serve", "--port", str(port)],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline
            time.sleep(0.2)
        status = httpx.get(f"http://127.0.0.1:{port}/v1/status", timeout=10)
        assert status.status_code == 200 and status.json()["chain"]["ok"] is False
        nav = httpx.get(f"http://127.0.0.1:{port}/v1/vaults/{PUBLIC_VAULT}/nav", timeout=10)
        assert nav.status_code == 200 and nav.json() == {"items": [], "next_cursor": None}
        missing = httpx.get(f"http://127.0.0.1:{port}/v1/vaults/{'0x' + '99' * 20}/nav", timeout=10)
        assert missing.status_code == 404 and missing.json()["code"] == "vault_not_found"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    text = out.decode()
    for secret in (env["VAULTCRAFT_API_KEY_PEPPER"], env["VAULTCRAFT_API_LOGIN_SECRET"], "hunter2"):
        assert secret not in text


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["keys"],
        ["keys", "create"],
        ["keys", "revoke"],
        ["keys", "list"],
        ["audit-log"],
        ["openapi"],
    ],
)
def test_cli_help(command):
    result = CliRunner().invoke(cli, ["api", *command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
