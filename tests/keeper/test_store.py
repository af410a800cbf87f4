"""Store behaviour on SQLite and PostgreSQL (every test runs on both backends)."""

from __future__ import annotations

from keeper.money import SCALE
from keeper.store.models import Epoch
from keeper.store.repo import Store
from tests.keeper.factories import ACCOUNT, VENUE, ack, limit_order, make_fill


def test_ingest_fills__same_tid_twice__stored_and_counted_once(store: Store) -> None:
    fills = [make_fill(1), make_fill(2, is_buy=False, sz=SCALE // 200)]
    first = store.ingest_fills(VENUE, ACCOUNT, fills, "ws", now_ms=1)
    again = store.ingest_fills(VENUE, ACCOUNT, list(reversed(fills)) + fills, "rest", now_ms=2)
    assert [f.tid for f in first.new] == [1, 2] and first.duplicates == 0
    assert again.new == [] and again.duplicates == 4
    assert [f.tid for f in store.fills(VENUE)] == [1, 2]
    (pos,) = store.positions(VENUE, ACCOUNT).values()
    assert pos.szi == SCALE // 100 - SCALE // 200 and pos.fill_count == 2 and pos.fees == 2 * 27_000_000
    cp = store.checkpoint(VENUE, ACCOUNT)
    assert cp.ws_fills == 2 and cp.reconciled_fills == 0 and cp.last_ws_fill_ms == 1


def test_ingest_fills__duplicate_inside_one_batch__stored_once(store: Store) -> None:
    result = store.ingest_fills(VENUE, ACCOUNT, [make_fill(7), make_fill(7), make_fill(8)], "rest", now_ms=5)
    assert sorted(f.tid for f in result.new) == [7, 8] and result.duplicates == 1
    assert store.checkpoint(VENUE, ACCOUNT).reconciled_fills == 2


def test_ingest_fills__same_tid_on_another_venue__is_a_different_fill(store: Store) -> None:
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(1)], "ws", now_ms=1)
    store.ingest_fills("other", ACCOUNT, [make_fill(1)], "ws", now_ms=1)
    assert store.fill_count(VENUE) == 1 and store.fill_count("other") == 1


def test_record_order__resting_ack__is_not_a_fill(store: Store) -> None:
    store.record_order(VENUE, ACCOUNT, limit_order(SCALE), ack("resting", 42), now_ms=10)
    order = store.order(VENUE, 42)
    assert order is not None and order.status == "resting" and order.filled_sz == 0
    assert store.fills(VENUE) == [] and store.positions(VENUE, ACCOUNT) == {}
    assert store.open_acks(VENUE, ACCOUNT, now_ms=10_000) == []  # nothing is expected to have filled
    assert store.checkpoint(VENUE, ACCOUNT).last_ack_ms == 10


def test_fills_of_an_order__partial_then_complete__status_follows_stored_size(store: Store) -> None:
    store.record_order(VENUE, ACCOUNT, limit_order(SCALE), ack("resting", 42), now_ms=10)
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(1, oid=42, sz=SCALE // 4)], "ws", now_ms=11)
    order = store.order(VENUE, 42)
    assert order is not None and order.status == "partially_filled" and order.filled_sz == SCALE // 4
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(2, oid=42, sz=3 * SCALE // 4)], "rest", now_ms=12)
    order = store.order(VENUE, 42)
    assert order is not None and order.status == "filled" and order.filled_sz == SCALE


def test_record_order__fill_arrived_before_ack__counts(store: Store) -> None:
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(1, oid=43, sz=SCALE)], "ws", now_ms=9)
    store.record_order(VENUE, ACCOUNT, limit_order(SCALE), ack("filled", 43, SCALE), now_ms=10)
    order = store.order(VENUE, 43)
    assert order is not None and order.status == "filled"
    assert store.open_acks(VENUE, ACCOUNT, now_ms=20) == []


def test_open_acks__filled_ack_without_fills__waits_until_fills_stored(store: Store) -> None:
    store.record_order(VENUE, ACCOUNT, limit_order(SCALE), ack("filled", 44, SCALE // 2), now_ms=10)
    (waiting,) = store.open_acks(VENUE, ACCOUNT, now_ms=11)
    assert (waiting.oid, waiting.expected_sz, waiting.stored_sz) == (44, SCALE // 2, 0)
    store.note_fallback(VENUE, ACCOUNT, [44], suspected=1)
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(5, oid=44, sz=SCALE // 2)], "rest", now_ms=12)
    assert store.open_acks(VENUE, ACCOUNT, now_ms=13) == []
    order = store.order(VENUE, 44)
    assert order is not None and order.status == "partially_filled"  # IOC partial is never a full fill
    status = store.ingest_status(VENUE, ACCOUNT)
    assert status["ws_dropped_suspected"] == 1 and status["reconciled_fills"] == 1
    assert status["last_ack"] == 10


def test_mark_canceled__keeps_partial_size(store: Store) -> None:
    store.record_order(VENUE, ACCOUNT, limit_order(SCALE), ack("resting", 45), now_ms=10)
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(1, oid=45, sz=SCALE // 4)], "ws", now_ms=11)
    store.mark_canceled(VENUE, 45, now_ms=12)
    order = store.order(VENUE, 45)
    assert order is not None and order.status == "canceled" and order.filled_sz == SCALE // 4


def test_advance_checkpoint__never_moves_backwards(store: Store) -> None:
    store.advance_checkpoint(VENUE, ACCOUNT, 1_000, now_ms=1)
    store.advance_checkpoint(VENUE, ACCOUNT, 500, now_ms=2)
    cp = store.checkpoint(VENUE, ACCOUNT)
    assert cp.confirmed_ms == 1_000 and cp.last_rest_ms == 2


def test_record_position_check__reports_mismatches(store: Store) -> None:
    store.ingest_fills(VENUE, ACCOUNT, [make_fill(1, coin="ETH", sz=SCALE)], "ws", now_ms=1)
    assert store.record_position_check(VENUE, ACCOUNT, {"ETH": SCALE}, now_ms=2) == {}
    assert store.checkpoint(VENUE, ACCOUNT).positions_in_sync is True
    mismatches = store.record_position_check(VENUE, ACCOUNT, {"ETH": SCALE, "SOL": -5}, now_ms=3)
    assert mismatches == {"SOL": (0, -5)}
    assert store.checkpoint(VENUE, ACCOUNT).positions_in_sync is False


def test_uint256_column__round_trips_max_value(store: Store) -> None:
    big = 2**256 - 1
    with store.session() as s:
        s.add(Epoch(vault="0x" + "11" * 20, epoch=1, start_ms=0, status="open", nav=big))
    with store.session() as s:
        assert s.query(Epoch).one().nav == big


def test_audit__entries_are_kept_in_order(store: Store) -> None:
    store.audit("keeper", "a", {"x": 1}, now_ms=1)
    store.audit("keeper", "b", {"y": [1, 2]}, now_ms=2)
    assert [(e.action, e.detail) for e in store.audit_entries()] == [("a", {"x": 1}), ("b", {"y": [1, 2]})]


def test_marks__latest_per_coin_at_or_before_time(store: Store) -> None:
    store.record_marks(VENUE, {"BTC": 60_000 * SCALE, "ETH": 3_000 * SCALE}, time_ms=1_000)
    store.record_marks(VENUE, {"BTC": 61_000 * SCALE}, time_ms=2_000)
    store.record_marks(VENUE, {"BTC": 1}, time_ms=2_000)  # same instant again: ignored
    assert store.latest_marks(VENUE) == {"BTC": (61_000 * SCALE, 2_000), "ETH": (3_000 * SCALE, 1_000)}
    earlier = {"BTC": (60_000 * SCALE, 1_000), "ETH": (3_000 * SCALE, 1_000)}
    assert store.latest_marks(VENUE, at_ms=1_500) == earlier


def test_heartbeat_upserts_one_row_per_keeper_and_ages_out(store: Store) -> None:
    store.heartbeat("host:1", "0x" + "11" * 20, True, {"chain": {"alert": None}}, 1_000)
    store.heartbeat("host:1", "0x" + "11" * 20, False, {"chain": {"alert": "quarantined"}}, 2_000)
    store.heartbeat("host:2", None, False, {}, 500)
    fresh = store.heartbeats(max_age_ms=1_000, now_ms=2_500)
    assert [(h.holder, h.is_leader, h.status["chain"]["alert"]) for h in fresh] == [
        ("host:1", False, "quarantined")
    ]
