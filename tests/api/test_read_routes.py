"""The /v1 read routes over a populated keeper store (SQLite and PostgreSQL): status, vaults, NAV and KPIs,
auditor records and key wraps, public-vault positions and fills, the audit log; every 4xx with its code."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from api.auth.api_keys import Scope
from api.errors import ErrorBody, ErrorCode
from api.pagination import MAX_CURSOR_CHARS, encode_cursor
from api.ratelimit import RateLimit
from api.settings import RatePolicy
from tests.api.readside import (
    CIPHERTEXT,
    DAY_MS,
    NOW_MS,
    PRIVATE_EPOCHS,
    PRIVATE_ORACLE,
    PRIVATE_VAULT,
    PUBLIC_ACCOUNT,
    PUBLIC_EPOCHS,
    PUBLIC_FILLS,
    PUBLIC_VAULT,
    UNKNOWN_VAULT,
    issue,
    make_read_app,
    read_settings,
    seed,
)


def assert_error(response: httpx.Response, status: int, code: ErrorCode) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    ErrorBody.model_validate(body)
    assert body["code"] == code.value, body
    return body


@pytest.fixture
def seeded(api_db):
    seed(api_db)
    return api_db


@pytest.fixture
def app(seeded):
    return make_read_app(seeded)


@pytest.fixture
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def walk(client: TestClient, url: str, **params) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        page = client.get(url, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert pages < 100


# --- status ---------------------------------------------------------------------------------------


def test_status__reports_leader_ingest_last_nav_outbox_and_quarantine(client):
    body = client.get("/v1/status").json()
    assert body["chain"] == {
        "ok": False,
        "chain_id": None,
        "head_block": None,
        "head_timestamp": None,
        "head_age_s": None,
    }
    assert body["store"]["ok"] is True
    [leader] = body["leaders"]
    assert leader["holder"] == "keeper-a" and leader["term"] == 3 and leader["lag_ms"] >= 0
    assert leader["expired"] is True  # expires_ms = NOW_MS, far in the DB clock's past
    [ingest] = body["ingest"]
    assert ingest["account"] == PUBLIC_ACCOUNT
    assert (ingest["last_ack_ms"], ingest["last_ws_fill_ms"]) == (NOW_MS - 100, NOW_MS - 50)
    assert (ingest["reconciled_fills"], ingest["ws_dropped_suspected"], ingest["positions_in_sync"]) == (
        2,
        1,
        True,
    )
    last = {n["vault"]: n for n in body["last_nav"]}
    assert last[PUBLIC_VAULT]["epoch"] == PUBLIC_EPOCHS and last[PRIVATE_VAULT]["epoch"] == PRIVATE_EPOCHS
    assert last[PUBLIC_VAULT]["posted_ms"] == NOW_MS and isinstance(last[PUBLIC_VAULT]["nav"], str)
    assert [(q["vault"], q["epoch"]) for q in body["quarantined"]] == [(PUBLIC_VAULT, PUBLIC_EPOCHS + 1)]
    outbox = body["outbox"]
    assert outbox["by_status"] == {"confirmed": 1, "pending": 2, "sent": 1} and outbox["pending"] == 2
    assert outbox["oldest_pending_age_ms"] > 0
    [err] = outbox["errors"]
    assert err["attempts"] == 3 and "hunter2" not in err["last_error"] and "<url>" in err["last_error"]
    assert body["reconciliation"] == {"verdict": "unknown"}


def test_status__uses_the_injected_reconciliation_provider_and_survives_its_failure(seeded):
    async def verdict() -> dict:
        return {"verdict": "ok", "checked_epochs": 3}

    async def broken() -> dict:
        raise RuntimeError("postgres://u:secret@db")

    ok = TestClient(make_read_app(seeded, reconcile=verdict)).get("/v1/status").json()
    assert ok["reconciliation"] == {"verdict": "ok", "checked_epochs": 3}
    bad = TestClient(make_read_app(seeded, reconcile=broken)).get("/v1/status")
    assert bad.status_code == 200 and bad.json()["reconciliation"]["verdict"] == "unknown"
    assert "secret" not in bad.text


def test_status__store_down_still_answers_with_store_not_ok(seeded):
    app = make_read_app(seeded)
    seeded.engine.dispose()
    app.state.services.deps.reads.db.engine = __import__("sqlalchemy").create_engine(
        "sqlite:////nonexistent-dir/x.db"
    )
    body = TestClient(app, raise_server_exceptions=False).get("/v1/status")
    assert body.status_code == 200 and body.json()["store"] == {"ok": False, "db_time_ms": None}


def test_status__snapshot_is_reused_within_the_cache_window(seeded):
    app = make_read_app(seeded, settings=read_settings(status_cache_s=60))
    client = TestClient(app)
    first = client.get("/v1/status").json()
    with seeded.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM outbox")
    assert client.get("/v1/status").json()["outbox"] == first["outbox"]
    fresh = TestClient(make_read_app(seeded)).get("/v1/status").json()
    assert fresh["outbox"]["by_status"] == {}


def _metric(app, name: str, **labels: str) -> float:
    return app.state.services.metrics.registry.get_sample_value(name, labels) or 0.0


def test_status__fast_path_answers_exactly_as_the_route_and_is_counted_once(seeded):
    """A fresh rendered body is served without FastAPI's router: same bytes, headers and metrics label."""
    app = make_read_app(seeded, settings=read_settings(status_cache_s=60))
    client = TestClient(app)
    cache, routed_calls = app.state.status_rendered, []
    route_get = cache.get
    cache.get = lambda build: routed_calls.append(1) or route_get(build)  # the route's only way to the cache
    routed = client.get("/v1/status")  # renders and caches through the route
    fast = client.get("/v1/status")  # served from the cache in front of the router
    assert len(routed_calls) == 1
    assert (fast.status_code, fast.content) == (200, routed.content)
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert fast.headers["content-length"] == routed.headers["content-length"]
    labels = {"method": "GET", "route": "/v1/status", "status": "200"}
    assert _metric(app, "vaultcraft_api_requests_total", **labels) == 2
    # a query string still goes through the route and its strict check
    assert_error(client.get("/v1/status", params={"x": 1}), 422, ErrorCode.VALIDATION_FAILED)


def test_status__fast_path_keeps_the_per_ip_limit_and_takes_one_token_per_request(seeded):
    tight = RatePolicy(
        per_ip=RateLimit(burst=3, tokens=1, period_s=60), per_key=RateLimit(burst=3, tokens=1, period_s=60)
    )
    app = make_read_app(seeded, settings=read_settings(rate_default=tight, status_cache_s=60))
    client = TestClient(app)
    limiter, hits = app.state.services.deps.rate_limiter, []
    limiter_hit = limiter.hit
    limiter.hit = lambda key, limit, cost=1: hits.append(key) or limiter_hit(key, limit, cost)
    codes = [client.get("/v1/status").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # 1 routed + 2 fast, then the bucket is empty
    limited = client.get("/v1/status")
    body = assert_error(limited, 429, ErrorCode.RATE_LIMITED)
    assert int(limited.headers["Retry-After"]) >= 1 and body["details"]["bucket"] == "ip"
    # one decision per request (the route reuses the fast path's), and each refusal counted once
    assert len(hits) == 5
    assert _metric(app, "vaultcraft_api_rate_limited_total", policy="default", bucket="ip") == 2


# --- vaults and NAV --------------------------------------------------------------------------------------


def test_vaults__lists_the_deployment_with_last_report(client):
    body = client.get("/v1/vaults").json()
    assert body["chain_id"] == 31337
    by = {v["address"]: v for v in body["vaults"]}
    assert by[PUBLIC_VAULT]["is_private"] is False and by[PRIVATE_VAULT]["is_private"] is True
    assert by[PUBLIC_VAULT]["last_report"]["epoch"] == PUBLIC_EPOCHS
    assert by[PRIVATE_VAULT]["nav_oracle"] == PRIVATE_ORACLE


def test_vault_detail__without_a_chain_node__is_503_chain_unavailable(client):
    assert_error(client.get(f"/v1/vaults/{PUBLIC_VAULT}"), 503, ErrorCode.CHAIN_UNAVAILABLE)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/nav",
        "/kpis",
        "/events",
        "/audit/records",
        "/audit/key-wraps",
        "/positions",
        "/fills",
        "/auditors",
    ],
)
def test_unknown_vault__is_404_vault_not_found_on_every_vault_route(client, path):
    assert_error(client.get(f"/v1/vaults/{UNKNOWN_VAULT}{path}"), 404, ErrorCode.VAULT_NOT_FOUND)


@pytest.mark.parametrize("bad", ["0x1234", "not-an-address", "0x" + "zz" * 20])
def test_malformed_vault_address__is_422(client, bad):
    assert_error(client.get(f"/v1/vaults/{bad}/nav"), 422, ErrorCode.VALIDATION_FAILED)


def test_nav__pages_every_posted_epoch_once_in_order_with_strings(client):
    items = walk(client, f"/v1/vaults/{PUBLIC_VAULT}/nav", limit=2)
    assert [i["epoch"] for i in items] == list(range(1, PUBLIC_EPOCHS + 1))  # quarantined epoch excluded
    for item in items:
        assert isinstance(item["nav"], str) and isinstance(item["share_price"], str)
        assert item["struct_hash"].startswith("0x")
    lower = client.get(f"/v1/vaults/{PUBLIC_VAULT.lower()}/nav").json()["items"]
    assert [i["epoch"] for i in lower] == list(range(1, PUBLIC_EPOCHS + 1))


@pytest.mark.parametrize(
    "cursor",
    [
        "!!",
        "abc",
        encode_cursor("fills", 1),
        encode_cursor("nav", 1, 2),
        "eyJ4IjoxfQ",
        "W10",
        "x" * 300,
        "x" * (MAX_CURSOR_CHARS + 1),
    ],
)
def test_nav__bad_or_foreign_cursor__is_400_invalid_cursor(client, cursor):
    response = client.get(f"/v1/vaults/{PUBLIC_VAULT}/nav", params={"cursor": cursor})
    if len(cursor) > MAX_CURSOR_CHARS or "!" in cursor:
        assert_error(response, 422, ErrorCode.VALIDATION_FAILED)
    else:
        assert_error(response, 400, ErrorCode.INVALID_CURSOR)


@pytest.mark.parametrize("limit", [0, -1, 501, "x"])
def test_nav__bad_limit__is_422(client, limit):
    assert_error(
        client.get(f"/v1/vaults/{PUBLIC_VAULT}/nav", params={"limit": limit}),
        422,
        ErrorCode.VALIDATION_FAILED,
    )


def test_kpis__computed_over_the_sql_nav_series(client):
    body = client.get(f"/v1/vaults/{PUBLIC_VAULT}/kpis").json()
    assert body["points"] == PUBLIC_EPOCHS
    assert body["end_s"] - body["start_s"] == (PUBLIC_EPOCHS - 1) * DAY_MS // 1000
    assert isinstance(body["total_return"], str) and body["max_drawdown"] != "0E-18"
    window = client.get(
        f"/v1/vaults/{PUBLIC_VAULT}/kpis", params={"start_s": body["end_s"] - DAY_MS // 1000 * 2}
    ).json()
    assert window["points"] == 3
    too_few = client.get(f"/v1/vaults/{PUBLIC_VAULT}/kpis", params={"start_s": body["end_s"]})
    assert_error(too_few, 400, ErrorCode.BAD_REQUEST)


# --- auditor records ------------------------------------------------------------------------------


def test_audit_records__ciphertexts_only_paged_by_seq_and_epoch_filtered(client):
    items = walk(client, f"/v1/vaults/{PRIVATE_VAULT}/audit/records", limit=2)
    assert [i["seq"] for i in items] == [1, 2, 3]
    assert all(i["ciphertext"] == "0x" + CIPHERTEXT.hex() for i in items)
    assert set(items[0]) == {"seq", "epoch", "commitment", "ciphertext", "enc_meta", "created_ms"}
    only = client.get(
        f"/v1/vaults/{PUBLIC_VAULT}/audit/records", params={"from_epoch": 2, "to_epoch": 2}
    ).json()
    assert {i["epoch"] for i in only["items"]} == {2} and len(only["items"]) == 5
    assert_error(
        client.get(f"/v1/vaults/{PUBLIC_VAULT}/audit/records", params={"from_epoch": 3, "to_epoch": 2}),
        400,
        ErrorCode.BAD_REQUEST,
    )


def test_key_wraps__paged_by_epoch_and_key(client):
    items = walk(client, f"/v1/vaults/{PRIVATE_VAULT}/audit/key-wraps", limit=4)
    assert [(i["epoch"], i["auditor_key"][:4]) for i in items] == [
        (1, "0xa1"),
        (1, "0xb2"),
        (2, "0xa1"),
        (2, "0xb2"),
        (3, "0xa1"),
        (3, "0xb2"),
    ]
    assert all(len(bytes.fromhex(i["wrap"][2:])) == 80 for i in items)
    ranged = client.get(f"/v1/vaults/{PRIVATE_VAULT}/audit/key-wraps", params={"from_epoch": 2}).json()
    assert {i["epoch"] for i in ranged["items"]} == {2, 3}


# --- public vault trading data --------------------------------------------------------------------


def test_positions_and_fills__public_vault__exact_decimal_strings(client):
    body = client.get(f"/v1/vaults/{PUBLIC_VAULT}/positions").json()
    assert body["accounts"] == [PUBLIC_ACCOUNT.lower()]
    [pos] = body["positions"]
    assert (pos["coin"], pos["size"], pos["realized_pnl"], pos["fees"]) == ("BTC", "0.2", "-1.5", "0.0325")
    fills = walk(client, f"/v1/vaults/{PUBLIC_VAULT}/fills", limit=5)
    assert len(fills) == PUBLIC_FILLS and len({f["id"] for f in fills}) == PUBLIC_FILLS
    assert (
        fills[0]["price"] == "65000" and fills[1]["price"] == "65000.00000001" and fills[0]["size"] == "0.1"
    )
    assert {f["side"] for f in fills} == {"buy", "sell"}


@pytest.mark.parametrize("path", ["positions", "fills"])
def test_positions_and_fills__private_vault__403_private_vault_even_for_admin(app, client, path):
    admin = issue(app, Scope.ADMIN)
    for headers in ({}, {"X-API-Key": admin}):
        assert_error(
            client.get(f"/v1/vaults/{PRIVATE_VAULT}/{path}", headers=headers), 403, ErrorCode.PRIVATE_VAULT
        )


# --- audit log ------------------------------------------------------------------------------------


def test_audit_log__admin_only(app, client):
    assert_error(client.get("/v1/audit-log"), 401, ErrorCode.UNAUTHENTICATED)
    assert_error(
        client.get("/v1/audit-log", headers={"X-API-Key": "vc_nope"}), 401, ErrorCode.INVALID_API_KEY
    )
    reader = issue(app, Scope.READ, Scope.TRADE, Scope.RISK)
    assert_error(
        client.get("/v1/audit-log", headers={"X-API-Key": reader}), 403, ErrorCode.INSUFFICIENT_SCOPE
    )
    admin = issue(app, Scope.ADMIN, owner="ops")
    ids, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/audit-log", params=params, headers={"X-API-Key": admin}).json()
        ids += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(ids) == 7 and ids == sorted(ids)
    newest = client.get(
        "/v1/audit-log", params={"order": "desc", "limit": 2}, headers={"X-API-Key": admin}
    ).json()
    assert [e["id"] for e in newest["items"]] == sorted(ids, reverse=True)[:2]
    foreign = client.get(
        "/v1/audit-log", params={"cursor": newest["next_cursor"]}, headers={"X-API-Key": admin}
    )
    assert_error(foreign, 400, ErrorCode.INVALID_CURSOR)  # a desc cursor is refused by the asc listing


# --- rate limits ----------------------------------------------------------------------------------


def test_public_reads__per_ip_limit__429_with_retry_after(seeded):
    tight = RatePolicy(
        per_ip=RateLimit(burst=3, tokens=1, period_s=60), per_key=RateLimit(burst=3, tokens=1, period_s=60)
    )
    client = TestClient(make_read_app(seeded, settings=read_settings(rate_default=tight)))
    codes = [client.get(f"/v1/vaults/{PUBLIC_VAULT}/nav").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/v1/status")
    body = assert_error(limited, 429, ErrorCode.RATE_LIMITED)
    assert int(limited.headers["Retry-After"]) >= 1 and body["details"]["bucket"] == "ip"


def test_unknown_query_parameter__is_422_naming_it(client):
    body = assert_error(
        client.get(f"/v1/vaults/{PUBLIC_VAULT}/audit/records", params={"from_epok": 3}),
        422,
        ErrorCode.VALIDATION_FAILED,
    )
    assert body["details"][0]["loc"] == ["query", "from_epok"]
    assert_error(client.get("/v1/status", params={"x": 1}), 422, ErrorCode.VALIDATION_FAILED)
    assert client.get(f"/v1/vaults/{PUBLIC_VAULT}/audit/records", params={"from_epoch": 3}).status_code == 200


def test_sqlite_reads_run_inline_and_do_not_wait_for_a_held_write_lock(sqlite_db):
    """WAL: the keeper holding the write lock never delays an API read (which runs on the event loop)."""
    import sqlite3
    import time

    seed(sqlite_db)
    assert sqlite_db.inline is True
    client = TestClient(make_read_app(sqlite_db))
    writer = sqlite3.connect(sqlite_db.engine.url.database, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE outbox SET attempts = attempts + 1")
        started = time.monotonic()
        assert client.get(f"/v1/vaults/{PUBLIC_VAULT}/nav").status_code == 200
        assert client.get("/v1/status").json()["outbox"]["by_status"]["pending"] == 2
        assert time.monotonic() - started < 2
    finally:
        writer.rollback()
        writer.close()
