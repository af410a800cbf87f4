"""The chain writer's crash windows, one by one, against a real Anvil (no keeper process: the writer itself).

A crash is simulated where it hurts most: after the signed bytes are stored and before they are broadcast.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from keeper.chain.client import ChainClient
from keeper.chain.contracts import VaultContracts
from keeper.ingest.clock import SystemClock
from keeper.outbox.writer import ChainWriter, WriterSettings
from keeper.store.models import OutboxEntry, TradeCommitment
from keeper.store.repo import Store
from keeper.trades.handlers import KeyWrapHandler, TradeBatchHandler
from keeper.trades.mirror import EpochInfo, TradeMirror
from tests.keeper.factories import ACCOUNT, VENUE, make_fill

SALT = bytes(range(32))


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


@pytest.fixture
def parts(fresh_stack, tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 'k.db'}")
    client = ChainClient(fresh_stack.url, fresh_stack.key("keeper"))
    contracts = VaultContracts.bind(
        client, fresh_stack.deployment_file, fresh_stack.deployment.vaults[0].address
    )
    store.ingest_fills(
        VENUE, ACCOUNT, [make_fill(t, time_ms=1_700_000_000_000 + t) for t in range(1, 6)], "rest", 0
    )
    mirror = TradeMirror(store, contracts.chain_id, contracts.address, VENUE, ACCOUNT, SALT, None, lambda: [])
    yield store, client, contracts, mirror
    store.close()


def writer(
    store: Store, client: ChainClient, contracts: VaultContracts, bump_after: int = 100
) -> ChainWriter:
    handlers = {"trade": TradeBatchHandler(client, contracts), "key_wraps": KeyWrapHandler(client, contracts)}
    settings = WriterSettings(resend_after_ms=0, bump_after_attempts=bump_after)
    return ChainWriter(store, client, contracts.address, handlers, SystemClock(), settings)


def run_until_idle(w: ChainWriter, limit: int = 200) -> None:
    for _ in range(limit):
        if not w.step():
            with w.store.session() as s:
                if not s.scalar(
                    select(OutboxEntry).where(OutboxEntry.status.in_(("pending", "sent", "mined")))
                ):
                    return
            time.sleep(0.2)
    raise AssertionError("writer did not go idle")


def crash_before_broadcast(store, client, contracts) -> OutboxEntry:
    doomed = ChainClient(client.w3.provider.endpoint_uri, "0x" + bytes(client.account.key).hex())
    w = writer(store, doomed, contracts)

    def die(raw: bytes) -> None:
        raise Crash

    w.client.broadcast = die  # type: ignore[method-assign]
    with pytest.raises(Crash):
        w.step()
    with store.session() as s:
        entry = s.scalar(select(OutboxEntry))
        s.expunge(entry)
    assert entry.status == "sent" and entry.raw_tx and entry.tx_hash
    return entry


def test_restart_rebroadcasts_the_stored_bytes_instead_of_signing_again(parts) -> None:
    store, client, contracts, mirror = parts
    assert mirror.batch_once(EpochInfo(1, 0), 1) == 5
    nonce_before = client.nonce("latest")
    entry = crash_before_broadcast(store, client, contracts)
    run_until_idle(writer(store, client, contracts))
    receipt = client.receipt(entry.tx_hash)
    assert receipt is not None and receipt["status"] == 1  # the very transaction signed before the crash
    assert client.nonce("latest") == nonce_before + 1
    assert contracts.trade_log.functions.trade_count().call() == 5


def test_a_transaction_that_does_not_land_is_replaced_with_a_higher_fee(parts) -> None:
    store, client, contracts, mirror = parts
    mirror.batch_once(EpochInfo(1, 0), 1)
    entry = crash_before_broadcast(store, client, contracts)  # these bytes never reach a node
    run_until_idle(writer(store, client, contracts, bump_after=1))
    with store.session() as s:
        final = s.scalar(select(OutboxEntry))
        assert final.status == "confirmed" and final.nonce == entry.nonce and final.tx_hash != entry.tx_hash
    replaced = client.w3.eth.get_transaction(final.tx_hash)
    assert replaced["maxPriorityFeePerGas"] > 10**9  # bumped above the first signature's tip
    assert contracts.trade_log.functions.trade_count().call() == 5


def test_nonce_taken_by_another_transaction_is_signed_again(parts) -> None:
    store, client, contracts, mirror = parts
    mirror.batch_once(EpochInfo(1, 0), 1)
    entry = crash_before_broadcast(store, client, contracts)
    # Something else (an operator, another tool) uses the keeper's nonce before the restart.
    tx = {
        "to": client.address,
        "value": 0,
        "nonce": entry.nonce,
        "gas": 21_000,
        "chainId": client.chain_id,
        "maxFeePerGas": 10**11,
        "maxPriorityFeePerGas": 10**9,
    }
    other = client.account.sign_transaction(tx)
    client.w3.eth.wait_for_transaction_receipt(client.w3.eth.send_raw_transaction(other.raw_transaction))
    run_until_idle(writer(store, client, contracts))
    assert client.receipt(entry.tx_hash) is None  # the stored bytes could never land
    assert contracts.trade_log.functions.trade_count().call() == 5
    with store.session() as s:
        final = s.scalar(select(OutboxEntry))
        assert final.status == "confirmed" and final.nonce == entry.nonce + 1


def test_an_intent_already_on_chain_is_adopted_without_a_second_transaction(parts) -> None:
    store, client, contracts, mirror = parts
    mirror.batch_once(EpochInfo(1, 0), 1)
    entry = crash_before_broadcast(store, client, contracts)
    client.w3.eth.wait_for_transaction_receipt(client.w3.eth.send_raw_transaction(entry.raw_tx))
    with store.session() as s:  # as if the store had lost the "sent" step (restored from an older backup)
        row = s.get(OutboxEntry, entry.id)
        row.status, row.tx_hash, row.raw_tx, row.nonce = "pending", None, None, None
    nonce = client.nonce("latest")
    run_until_idle(writer(store, client, contracts))
    assert client.nonce("latest") == nonce  # nothing sent
    with store.session() as s:
        final = s.get(OutboxEntry, entry.id)
        assert final.status == "confirmed" and "adopted" in (final.last_error or "")


def test_a_reverting_batch_fails_and_its_fills_are_batched_again(parts) -> None:
    store, client, contracts, mirror = parts
    mirror.batch_once(EpochInfo(99, 0), 1)  # an epoch the vault has not reached: the log refuses it
    run_until_idle(writer(store, client, contracts))
    with store.session() as s:
        failed = s.scalar(select(OutboxEntry))
        assert failed.status == "failed" and "future epoch" in failed.last_error
        assert not s.scalars(select(TradeCommitment)).all()
    assert mirror.batch_once(EpochInfo(1, 0), 2) == 5
    run_until_idle(writer(store, client, contracts))
    assert contracts.trade_log.functions.trade_count().call() == 5
