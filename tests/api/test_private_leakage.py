"""No private-vault trading data leaves the API: every operation of the OpenAPI schema is called for the
private vault, by every kind of caller (anonymous, read/trade/risk keys, admin key, the holder's session),
and no answer may contain any of the private vault's sentinel values (coin, venue account, prices, sizes,
fees, PnL, fill ids) that the store holds. Positions and fills answer 403 `private_vault` to everyone."""

from __future__ import annotations

import re

import anyio
import pytest
from eth_account.messages import encode_defunct
from fastapi.testclient import TestClient

from api.auth.api_keys import Scope
from tests.api.readside import (
    HOLDER,
    PRIVATE_SENTINELS,
    PRIVATE_VAULT,
    issue,
    make_read_app,
    seed,
)

EXTRA_QUERIES = [
    {},
    {"limit": 500},
    {"from_epoch": 0, "to_epoch": 10**6},
    {"from_block": 0},
    {"epoch": 1},
    {"start_s": 0},
    {"order": "desc"},
]


@pytest.fixture
def leak_app(api_db):
    seed(
        api_db,
        statements=[
            dict(
                vault=PRIVATE_VAULT,
                epoch=1,
                holder=HOLDER.address,
                shares=10**18,
                leaf="0x" + "01" * 32,
                salt="0x" + "02" * 32,
                proof={"index": 0, "siblings": []},
            )
        ],
    )
    return make_read_app(api_db)


def session(client: TestClient) -> str:
    message = client.get("/v1/auth/challenge", params={"address": HOLDER.address}).json()["message"]
    signature = "0x" + bytes(HOLDER.sign_message(encode_defunct(text=message)).signature).hex()
    return client.post("/v1/auth/login", json={"message": message, "signature": signature}).json()["token"]


def test_no_private_vault_data_on_any_route_for_any_caller(leak_app):
    client = TestClient(leak_app, raise_server_exceptions=False)
    schema = leak_app.openapi()
    callers = {
        "anonymous": {},
        "read": {"X-API-Key": issue(leak_app, Scope.READ)},
        "trade+risk": {"Authorization": "Bearer " + issue(leak_app, Scope.TRADE, Scope.RISK, Scope.READ)},
        "admin": {"X-API-Key": issue(leak_app, Scope.ADMIN)},
        "holder": {"Authorization": "Bearer " + session(client)},
    }
    pattern = re.compile("|".join(re.escape(s) for s in PRIVATE_SENTINELS), re.IGNORECASE)
    called: set[tuple[str, str]] = set()
    statuses: dict[tuple[str, str], set[int]] = {}
    for path, item in schema["paths"].items():
        url = path.replace("{vault}", PRIVATE_VAULT).replace("{holder}", HOLDER.address)
        assert "{" not in url, f"unfilled path parameter in {path}"
        for method, op in item.items():
            known = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            queries = {tuple(sorted((k, v) for k, v in q.items() if k in known)) for q in EXTRA_QUERIES}
            for who, headers in callers.items():
                for query in map(dict, sorted(queries)):
                    if method == "get":
                        response = client.get(url, params=query, headers=headers)
                    else:
                        body = (
                            {"message": "x", "signature": "0x" + "11" * 65} if path.endswith("login") else {}
                        )
                        response = client.request(method.upper(), url, json=body, headers=headers)
                    hit = pattern.search(response.text)
                    assert hit is None, f"{method.upper()} {url} as {who} {query} leaked {hit.group(0)!r}"
                    assert (
                        response.status_code < 500
                        or path.startswith("/readyz")
                        or response.status_code == 503
                    )
                    called.add((method, path))
                    statuses.setdefault((method, path), set()).add(response.status_code)
    metrics = client.get("/metrics").text
    assert pattern.search(metrics) is None
    assert ("get", "/v1/vaults/{vault}/positions") in called and ("get", "/v1/vaults/{vault}/fills") in called
    assert statuses[("get", "/v1/vaults/{vault}/positions")] == {403}
    assert statuses[("get", "/v1/vaults/{vault}/fills")] == {403}
    assert len(called) >= 15
    # the data really is in the store (the guard, not an empty table, keeps it out of the answers)
    rows = anyio.run(leak_app.state.services.deps.reads.fills, PRIVATE_VAULT, [], None, 10)
    assert len(rows) == 3 and all(r["coin"] == "PRIVCOIN" for r in rows)
