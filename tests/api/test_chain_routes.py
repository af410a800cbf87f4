"""Chain-backed read routes against a real Anvil with the protocol deployed by `ape run deploy`
(tests/fixtures/chain_stack.py): vault parameters via eth_call, decoded events with cursor paging across
block windows, auditor keys from AuditorRegistry, the chain part of /v1/status and the role reader."""

from __future__ import annotations

import time

import anyio
import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from api.auth.signed import ChainRole
from api.chain import ChainReader
from api.chain_roles import ChainRoleReader
from api.errors import ErrorCode
from api.registry import VaultRegistry
from tests.api.readside import make_read_app, read_settings
from tests.api.test_read_routes import assert_error
from tests.fixtures.chain_stack import chain_stack  # noqa: F401

pytestmark = pytest.mark.ignore_isolation


@pytest.fixture(scope="module")
def registry(chain_stack):  # noqa: F811
    return VaultRegistry.load(chain_stack.deployment_file)


@pytest.fixture(scope="module")
def w3(chain_stack):  # noqa: F811
    return Web3(Web3.HTTPProvider(chain_stack.url))


@pytest.fixture
def chain_app(sqlite_db, chain_stack, registry):  # noqa: F811
    def build(**settings):
        chain = ChainReader.from_url(chain_stack.url, registry.abis, head_ttl_s=0)
        return make_read_app(sqlite_db, settings=read_settings(**settings), chain=chain, registry=registry)

    return build


def public(registry):
    return next(v for v in registry.vaults if not v.is_private)


def private(registry):
    return next(v for v in registry.vaults if v.is_private)


def test_status__chain_part_is_live(chain_app, w3):
    body = TestClient(chain_app()).get("/v1/status").json()
    assert body["chain"]["ok"] is True and body["chain"]["chain_id"] == 31337
    assert body["chain"]["head_block"] == w3.eth.block_number


def test_vault_detail__matches_direct_eth_calls(chain_app, registry, w3, chain_stack):  # noqa: F811
    client = TestClient(chain_app(), raise_server_exceptions=False)
    for record in registry.vaults:
        body = client.get(f"/v1/vaults/{record.address}").json()
        vault = w3.eth.contract(address=record.address, abi=registry.abis["Vault"])
        assert body["name"] == vault.functions.name().call() == record.name
        assert body["is_private"] is record.is_private
        assert (
            body["roles"]["admin"] == vault.functions.owner().call() == chain_stack.deployment.roles["admin"]
        )
        assert body["roles"]["manager"] == chain_stack.deployment.roles["manager"]
        assert body["roles"]["guardian"] == vault.functions.guardian().call()
        assert body["asset"] == chain_stack.deployment.asset
        assert body["deposit_cap"] == str(vault.functions.deposit_cap().call())
        assert body["total_supply"] == str(vault.functions.totalSupply().call())
        decimals = vault.functions.decimals().call()
        assert body["decimals"] == decimals
        assert body["price_per_share"] == str(vault.functions.convertToAssets(10**decimals).call())
        assert body["price_per_share_source"] == "chain"
        assert body["fees"] is not None and set(body["fees"]) >= {"management_bps", "performance_bps"}
        assert isinstance(body["lockup_s"], str) and body["keeper_quorum"] is not None
        assert body["block"] <= w3.eth.block_number


def test_events__decoded_and_paged_by_block_and_index_across_windows(chain_app, registry, w3):
    record = public(registry)
    client = TestClient(chain_app(events_max_blocks=2), raise_server_exceptions=False)
    items, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/v1/vaults/{record.address}/events", params=params).json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 500
    keys = [(e["block"], e["log_index"]) for e in items]
    assert keys == sorted(set(keys))
    raw = w3.eth.get_logs(
        {"address": [record.address, record.nav_oracle], "fromBlock": record.block, "toBlock": "latest"}
    )
    assert len(items) == len(raw) > 0
    names = {e["event"] for e in items}
    assert "VaultInitialized" in names
    init = next(e for e in items if e["event"] == "VaultInitialized")
    assert init["args"]["is_private"] is False and isinstance(init["args"]["deposit_cap"], str)


def test_events__range_errors(chain_app, registry):
    record = public(registry)
    client = TestClient(chain_app(), raise_server_exceptions=False)
    assert_error(
        client.get(f"/v1/vaults/{record.address}/events", params={"from_block": 5, "to_block": 4}),
        400,
        ErrorCode.BAD_REQUEST,
    )
    future = client.get(f"/v1/vaults/{record.address}/events", params={"from_block": 10**9}).json()
    assert future["items"] == [] and future["next_cursor"] is None


def test_auditors__added_key_with_its_window(chain_app, registry, w3, chain_stack):  # noqa: F811
    record = private(registry)
    auditor_registry = w3.eth.contract(
        address=registry.singleton("auditor_registry"), abi=registry.abis["AuditorRegistry"]
    )
    key = bytes.fromhex("ab" * 32)
    now = w3.eth.get_block("latest")["timestamp"]
    tx = auditor_registry.functions.add_auditor(record.address, key, now - 10, now + 86_400).transact(
        {"from": chain_stack.deployment.roles["admin"]}
    )
    assert w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    body = TestClient(chain_app()).get(f"/v1/vaults/{record.address}/auditors").json()
    [auditor] = body["auditors"]
    assert auditor["auditor_key"] == "0x" + "ab" * 32
    assert (auditor["valid_from"], auditor["valid_until"]) == (now - 10, now + 86_400)
    assert auditor["active"] is True and auditor["removed"] is False
    other = TestClient(chain_app()).get(f"/v1/vaults/{public(registry).address}/auditors").json()
    assert other["auditors"] == []


def test_chain_role_reader__matches_the_vault_roles(registry, chain_stack):  # noqa: F811
    reader = ChainRoleReader(ChainReader.from_url(chain_stack.url, registry.abis))
    roles = chain_stack.deployment.roles
    vault = public(registry).address

    async def run() -> None:
        assert await reader.has_role(vault, roles["admin"], ChainRole.ADMIN)
        assert await reader.has_role(vault, roles["manager"], ChainRole.MANAGER)
        assert not await reader.has_role(vault, roles["manager"], ChainRole.ADMIN)
        assert await reader.has_role(vault, roles["guardian"], ChainRole.GUARDIAN)

    anyio.run(run)


def test_head_cache__one_node_request_per_ttl(registry, chain_stack):  # noqa: F811
    chain = ChainReader.from_url(chain_stack.url, registry.abis, head_ttl_s=60)

    async def run() -> None:
        first = await chain.head()
        heads = await __import__("asyncio").gather(*(chain.head() for _ in range(50)))
        assert all(h is first for h in heads)

    anyio.run(run)


def test_dead_node__503_chain_unavailable_and_no_url_in_the_answer(sqlite_db, registry):
    chain = ChainReader.from_url("http://user:hunter2@127.0.0.1:9/", registry.abis, timeout_s=1)
    client = TestClient(
        make_read_app(sqlite_db, chain=chain, registry=registry), raise_server_exceptions=False
    )
    started = time.monotonic()
    response = client.get(f"/v1/vaults/{public(registry).address}")
    body = assert_error(response, 503, ErrorCode.CHAIN_UNAVAILABLE)
    assert "hunter2" not in response.text and "127.0.0.1" not in body["message"]
    assert time.monotonic() - started < 10
    assert client.get("/v1/status").json()["chain"]["ok"] is False
