"""The pure risk checker: examples naming each limit, and properties (Hypothesis) that tie every verdict
to the limits, recomputed independently with exact rationals."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.trading.risk import BPS, Limits, MarketView, OrderIntent, check_order
from keeper.money import SCALE

ETH_MARK = 3_000 * SCALE
LIMITS = Limits(frozenset({"BTC", "ETH"}), 50_000 * SCALE, 20_000 * SCALE, 5, 200)
VIEW = MarketView(positions={}, marks={"ETH": ETH_MARK, "BTC": 60_000 * SCALE}, account_value=100_000 * SCALE)


def market(sz: str, is_buy: bool = True, **kw: object) -> OrderIntent:
    return OrderIntent(
        coin="ETH",
        is_buy=is_buy,
        sz=int(Fraction(sz) * SCALE),
        kind="market",
        slippage_bps=kw.pop("slippage_bps", 50),
        **kw,
    )  # type: ignore[arg-type]


def test_small_market_order__accepted():
    assert check_order(LIMITS, market("1"), VIEW) is None


def test_order_notional__rejection_names_limit_and_attempted_value():
    rejection = check_order(LIMITS, market("7"), VIEW)  # 7 * 3000 * 1.005 = 21105
    assert rejection is not None and rejection.code == "risk.max_order_notional"
    assert rejection.limit == 20_000 * SCALE and rejection.attempted == 21_105 * SCALE
    assert rejection.unit == "usd_1e8"


def test_instrument_not_allowed__unless_reduce_only():
    sol = OrderIntent(coin="SOL", is_buy=True, sz=SCALE, kind="market", slippage_bps=10)
    view = replace(VIEW, marks={**VIEW.marks, "SOL": 150 * SCALE}, positions={"SOL": -SCALE})
    assert check_order(LIMITS, sol, view).code == "risk.instrument_not_allowed"  # type: ignore[union-attr]
    assert check_order(LIMITS, replace(sol, reduce_only=True), view) is None


def test_slippage__market_preset_and_limit_through_the_mark():
    assert check_order(LIMITS, market("1", slippage_bps=201), VIEW).code == "risk.max_slippage"  # type: ignore[union-attr]
    through = OrderIntent(coin="ETH", is_buy=True, sz=SCALE, kind="limit", limit_px=ETH_MARK * 103 // 100)
    rejection = check_order(LIMITS, through, VIEW)
    assert rejection is not None and (rejection.code, rejection.attempted) == ("risk.max_slippage", 300)
    passive = replace(through, limit_px=ETH_MARK // 2)  # a bid far below the mark cannot slip
    assert check_order(LIMITS, passive, VIEW) is None


def test_position_notional__counts_the_existing_position_but_reducing_always_passes():
    view = replace(VIEW, positions={"ETH": 15 * SCALE})  # 45_000 notional already
    rejection = check_order(LIMITS, market("2"), view)
    assert rejection is not None and rejection.code == "risk.max_position_notional"
    assert check_order(LIMITS, market("2", is_buy=False), view) is None


def test_leverage__preset_and_gross():
    assert check_order(LIMITS, market("1", leverage=6), VIEW).code == "risk.max_leverage"  # type: ignore[union-attr]
    poor = replace(VIEW, account_value=3_000 * SCALE)  # 5x of 3000 = 15000 gross allowed
    rejection = check_order(LIMITS, market("5"), poor)
    assert rejection is not None and rejection.code == "risk.max_leverage"
    assert rejection.attempted == "5.03"  # 15075 / 3000, rounded up to hundredths


def test_no_mark__refused():
    view = replace(VIEW, marks={"BTC": 60_000 * SCALE})
    assert check_order(LIMITS, market("1"), view).code == "risk.no_mark"  # type: ignore[union-attr]


# --- properties -------------------------------------------------------------------------------------

coins = st.sampled_from(["BTC", "ETH", "SOL"])
usd = st.integers(min_value=1, max_value=10**7).map(lambda v: v * SCALE)
prices = st.integers(min_value=1, max_value=10**13)  # up to 100k USD at 1e8
sizes = st.integers(min_value=1, max_value=10**11)


@st.composite
def limits_(draw: st.DrawFn) -> Limits:
    return Limits(
        allowed_instruments=frozenset(draw(st.sets(coins, min_size=1))),
        max_position_notional=draw(usd),
        max_order_notional=draw(usd),
        max_leverage=draw(st.integers(1, 50)),
        max_slippage_bps=draw(st.integers(0, 5_000)),
    )


@st.composite
def views(draw: st.DrawFn) -> MarketView:
    marks = {c: draw(prices) for c in draw(st.sets(coins, min_size=1))}
    positions = {c: draw(st.integers(-(10**11), 10**11)) for c in draw(st.sets(coins))}
    return MarketView(positions, marks, draw(st.integers(-(10**12), 10**15)))


@st.composite
def orders(draw: st.DrawFn) -> OrderIntent:
    kind = draw(st.sampled_from(["market", "limit", "trigger"]))
    return OrderIntent(
        coin=draw(coins),
        is_buy=draw(st.booleans()),
        sz=draw(sizes),
        kind=kind,
        limit_px=draw(prices) if kind == "limit" else draw(st.none() | prices) if kind == "trigger" else None,
        trigger_px=draw(prices) if kind == "trigger" else None,
        reduce_only=draw(st.booleans()),
        slippage_bps=draw(st.integers(0, 6_000)) if kind == "market" else 0,
        leverage=draw(st.none() | st.integers(1, 60)),
    )


def exact_ref(order: OrderIntent, mark: int) -> Fraction:
    if order.kind == "market":
        return Fraction(mark * (BPS + order.slippage_bps), BPS) if order.is_buy else Fraction(mark)
    return Fraction(max([mark] + [p for p in (order.limit_px, order.trigger_px) if p is not None]))


def exact_slippage(order: OrderIntent, mark: int) -> Fraction:
    if order.kind == "market":
        return Fraction(order.slippage_bps)
    if order.limit_px is None:
        return Fraction(0)
    anchor = mark if order.kind == "limit" else order.trigger_px
    assert anchor is not None
    through = order.limit_px - anchor if order.is_buy else anchor - order.limit_px
    return Fraction(through * BPS, anchor)


@given(limits_(), orders(), views())
def test_accepted__every_limit_holds_exactly(limits, order, view):
    if check_order(limits, order, view) is not None:
        return
    mark = view.marks[order.coin]
    assert order.reduce_only or order.coin in limits.allowed_instruments
    assert order.leverage is None or order.leverage <= limits.max_leverage
    assert exact_slippage(order, mark) <= limits.max_slippage_bps
    ref = exact_ref(order, mark)
    assert Fraction(order.sz) * ref / SCALE <= limits.max_order_notional
    before = view.positions.get(order.coin, 0)
    after = before + order.signed_sz
    if not order.reduce_only and abs(after) > abs(before):
        assert Fraction(abs(after)) * ref / SCALE <= limits.max_position_notional


@given(limits_(), orders(), views())
def test_rejected__the_named_limit_is_really_exceeded(limits, order, view):
    rejection = check_order(limits, order, view)
    if rejection is None:
        return
    assert rejection.coin == order.coin and rejection.code.startswith("risk.")
    if rejection.code == "risk.instrument_not_allowed":
        assert not order.reduce_only and order.coin not in limits.allowed_instruments
        return
    mark = view.marks.get(order.coin, 0)
    if rejection.code == "risk.no_mark":
        assert mark <= 0
        return
    if rejection.code in ("risk.max_order_notional", "risk.max_position_notional", "risk.max_slippage"):
        assert isinstance(rejection.attempted, int) and isinstance(rejection.limit, int)
        assert rejection.attempted > rejection.limit
    if rejection.code == "risk.max_order_notional":
        # the rounded-up value is within one unit of the exact notional, and the exact one exceeds the limit
        exact = Fraction(order.sz) * exact_ref(order, mark) / SCALE
        assert rejection.attempted - 1 < exact <= rejection.attempted
    if rejection.code == "risk.max_position_notional":
        assert not order.reduce_only


@given(limits_(), orders(), views(), st.integers(0, 10**9), st.integers(0, 100))
def test_looser_limits_never_reject_what_tighter_ones_accept(limits, order, view, extra_usd, extra):
    if check_order(limits, order, view) is not None:
        return
    looser = Limits(
        limits.allowed_instruments | {"SOL"},
        limits.max_position_notional + extra_usd,
        limits.max_order_notional + extra_usd,
        limits.max_leverage + extra,
        limits.max_slippage_bps + extra,
    )
    assert check_order(looser, order, view) is None


@given(limits_(), orders(), views())
def test_reduce_only__never_refused_for_position_leverage_or_instrument(limits, order, view):
    rejection = check_order(limits, replace(order, reduce_only=True, leverage=None), view)
    assert rejection is None or rejection.code in (
        "risk.no_mark",
        "risk.max_slippage",
        "risk.max_order_notional",
    )


@given(limits_(), orders(), views())
def test_verdicts_are_integers_or_strings_never_floats(limits, order, view):
    rejection = check_order(limits, order, view)
    if rejection is not None:
        for value in (rejection.limit, rejection.attempted):
            assert not isinstance(value, float)


@pytest.mark.parametrize("sz", ["0.00000001", "1", "123456.789"])
def test_notional_rounds_up_against_the_order(sz):
    order = OrderIntent(
        coin="ETH", is_buy=True, sz=int(Fraction(sz) * SCALE), kind="limit", limit_px=ETH_MARK + 1
    )
    tight = replace(LIMITS, max_order_notional=1, max_slippage_bps=5_000)
    rejection = check_order(tight, order, VIEW)
    assert rejection is not None and rejection.code == "risk.max_order_notional"
    assert rejection.attempted >= Fraction(order.sz * (ETH_MARK + 1), SCALE)  # type: ignore[operator]
