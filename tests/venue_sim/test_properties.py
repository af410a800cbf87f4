"""Property tests on the in-process state objects: margin accounting under random order sequences."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from hypothesis import given
from hypothesis import strategies as st

from venue_sim.accounts import margin_requirement, margin_used
from venue_sim.config import SimConfig
from venue_sim.numbers import round_price
from venue_sim.orders import OrderRequest
from venue_sim.state import VenueState

USER = "0x" + "ab" * 20
COINS = ("BTC", "ETH", "SOL")

order_op = st.tuples(
    st.just("order"),
    st.sampled_from(range(len(COINS))),
    st.booleans(),  # is_buy
    st.integers(min_value=1, max_value=3000),  # size in lots of 10^-szDecimals * 10
    st.integers(min_value=-300, max_value=300),  # limit offset from mid, bps
    st.sampled_from(["Gtc", "Ioc", "Alo"]),
    st.sampled_from([False, False, False, True]),  # reduce_only, rarer: it needs a position
)
ops = st.lists(
    st.one_of(
        order_op,
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=4)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=10)),
        st.tuples(
            st.just("leverage"), st.sampled_from(range(len(COINS))), st.integers(min_value=1, max_value=45)
        ),
        st.tuples(st.just("fund"), st.integers(min_value=1, max_value=2000)),
    ),
    min_size=5,
    max_size=40,
)


def snapshot(state: VenueState) -> tuple:
    acc = state.engine.accounts[USER]
    return (acc.cash, {c: (p.szi, p.entry_px) for c, p in acc.positions.items()}, dict(acc.leverage),
            len(state.engine.orders), len(state.engine.fills.all_for(USER)))


def check_ledger(state: VenueState) -> None:
    acc = state.engine.accounts[USER]
    fills = state.engine.fills.all_for(USER)
    # Exact identity, no tolerance: every booked amount is a Decimal rounded before booking.
    realized = sum((f.closed_pnl for f in fills), Decimal(0))
    fees = sum((f.fee for f in fills), Decimal(0))
    assert acc.cash == acc.deposits + realized - fees
    for coin in COINS:
        signed = sum(((f.sz if f.is_buy else -f.sz) for f in fills if f.coin == coin), Decimal(0))
        assert acc.szi(coin) == signed
    assert all(f.fee >= 0 and f.sz > 0 and isinstance(f.px, Decimal) for f in fills)
    assert isinstance(acc.cash, Decimal) and all(isinstance(p.szi, Decimal) for p in acc.positions.values())


@given(
    seed=st.integers(min_value=0, max_value=10_000),
    deposit=st.integers(min_value=50, max_value=20_000),
    program=ops,
)
def test_margin_accounting_never_goes_negative(seed: int, deposit: int, program: list) -> None:
    config = SimConfig(seed=seed, step_clock=True, start_time_ms=1_700_000_000_000, depth_levels=4,
                       level_notional_usd=Decimal("5000"))
    state = VenueState(config)
    state.fund(USER, Decimal(deposit))
    engine = state.engine
    params = engine.margin_params()
    for op in program:
        if op[0] == "order":
            _, coin_i, is_buy, lots, offset_bps, tif, reduce_only = op
            coin = COINS[coin_i]
            spec = state.market.specs[coin]
            mid = state.market.mid(coin)
            limit = round_price(mid * (1 + Decimal(offset_bps) / 10_000), spec.sz_decimals, ROUND_DOWN)
            size = Decimal(lots * 10).scaleb(-spec.sz_decimals)
            before = snapshot(state)
            req_before = margin_requirement(
                engine.accounts[USER], engine.open_orders(USER), state.market.mids(), params
            )
            request = OrderRequest(coin_i, is_buy, limit, size, reduce_only, tif, None, None)
            status = engine.place(USER, request, state.now_ms(), "")
            state.flush()
            if "error" in status:
                assert snapshot(state) == before  # a rejection leaves no trace
            else:
                acc = engine.accounts[USER]
                mids = state.market.mids()
                req = margin_requirement(acc, engine.open_orders(USER), mids, params)
                # Accepted orders keep initial margin covered, unless they strictly de-risked the account.
                assert req <= acc.account_value(mids) or req < req_before
        elif op[0] == "advance":
            state.advance(op[1] * config.tick_ms)
        elif op[0] == "cancel":
            open_orders = engine.open_orders(USER)
            if open_orders:
                target = open_orders[op[1] % len(open_orders)]
                assert engine.cancel(USER, target.asset, target.oid, state.now_ms()) == "success"
        elif op[0] == "leverage":
            engine.update_leverage(USER, op[1], True, op[2])
        else:
            state.fund(USER, Decimal(op[1]))
        check_ledger(state)
        acc = engine.accounts[USER]
        assert margin_used(acc, state.market.mids(), params) >= 0
