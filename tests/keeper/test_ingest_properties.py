"""Property: any interleaving of WS and REST deliveries (duplicates, reordering, re-deliveries in snapshots)
stores each tid exactly once, and positions equal the sum over distinct fills."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool

from keeper.money import SCALE
from keeper.store.db import make_engine
from keeper.store.models import Base
from keeper.store.repo import Store
from keeper.venues.base import VenueFill
from tests.keeper.factories import ACCOUNT, VENUE, make_fill

SOURCES = st.sampled_from(["ws", "ws_snapshot", "rest"])


@contextmanager
def memory_store() -> Iterator[Store]:
    engine = make_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    store = Store(engine)
    try:
        yield store
    finally:
        store.close()


@st.composite
def fills_and_deliveries(draw: st.DrawFn) -> tuple[list[VenueFill], list[tuple[str, list[VenueFill]]]]:
    n = draw(st.integers(1, 25))
    fills = [
        make_fill(
            1_000 + i,
            oid=draw(st.integers(1, 5)),
            coin=draw(st.sampled_from(["BTC", "ETH"])),
            is_buy=draw(st.booleans()),
            sz=draw(st.integers(1, 10 * SCALE)),
            time_ms=1_700_000_000_000 + draw(st.integers(0, 50)),
        )
        for i in range(n)
    ]
    deliveries = draw(
        st.lists(st.tuples(SOURCES, st.lists(st.sampled_from(fills), max_size=2 * n)), max_size=12)
    )
    return fills, deliveries


@given(fills_and_deliveries(), st.booleans())
def test_any_interleaving__each_tid_stored_once(
    case: tuple[list[VenueFill], list[tuple[str, list[VenueFill]]]], final_rest_pass: bool
) -> None:
    fills, deliveries = case
    if final_rest_pass:  # REST reconciliation eventually reads everything
        deliveries = [*deliveries, ("rest", list(fills))]
    delivered = {f.tid: f for _, batch in deliveries for f in batch}
    with memory_store() as store:
        for now, (source, batch) in enumerate(deliveries):
            store.ingest_fills(VENUE, ACCOUNT, batch, source, now_ms=now)  # type: ignore[arg-type]
        stored = [f.tid for f in store.fills(VENUE)]
        assert len(stored) == len(set(stored)) and set(stored) == set(delivered)
        positions = store.positions(VENUE, ACCOUNT)
        for coin in {f.coin for f in delivered.values()}:
            expected = sum(f.signed_sz for f in delivered.values() if f.coin == coin)
            assert positions[coin].szi == expected
            assert positions[coin].fill_count == sum(1 for f in delivered.values() if f.coin == coin)
        cp = store.checkpoint(VENUE, ACCOUNT) if delivered else None
        if cp is not None:
            assert cp.ws_fills + cp.reconciled_fills == len(delivered)
        if final_rest_pass:
            assert set(stored) == {f.tid for f in fills}
