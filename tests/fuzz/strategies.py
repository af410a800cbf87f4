"""Hypothesis strategies for the vault state machine (`test_vault_stateful.py`)."""

from hypothesis import strategies as st

from vaultcraft.protocol import (
    MAX_ENTRY_BPS,
    MAX_EXIT_BPS,
    MAX_HURDLE_BPS,
    MAX_MANAGEMENT_BPS,
    MAX_PERFORMANCE_BPS,
    MAX_PROTOCOL_SHARE_BPS,
    FeeConfig,
)

HOUR = 3_600
DAY = 86_400
CAPS = (
    MAX_MANAGEMENT_BPS,
    MAX_PERFORMANCE_BPS,
    MAX_HURDLE_BPS,
    MAX_ENTRY_BPS,
    MAX_EXIT_BPS,
    MAX_PROTOCOL_SHARE_BPS,
)


def _rate(cap: int) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([0, 1, cap // 2, cap - 1, cap]), st.integers(0, cap))


@st.composite
def fee_configs(draw) -> FeeConfig:
    """Any configuration within the caps, boundary values favoured."""
    return FeeConfig(*(draw(_rate(cap)) for cap in CAPS))


@st.composite
def asset_amounts(draw, unit: int, max_units: int = 50_000) -> int:
    """An amount of the asset: dust, a few whole units, or a large round-ish sum with odd dust."""
    kind = draw(st.sampled_from(["dust", "units", "large"]))
    if kind == "dust":
        return draw(st.integers(1, 1_000))
    whole = draw(st.integers(1, 100) if kind == "units" else st.integers(100, max_units))
    dust = draw(st.integers(0, unit - 1))
    return whole * unit + dust


@st.composite
def fractions_bps(draw) -> int:
    """A share of something in bps (1..10,000), with the edges favoured."""
    return draw(st.one_of(st.sampled_from([1, 5_000, 9_999, 10_000]), st.integers(1, 10_000)))


@st.composite
def pnl_bps(draw) -> int:
    """Venue profit or loss on the custody balance, in bps: mostly small, sometimes beyond the NAV bounds."""
    return draw(st.one_of(st.integers(-300, 300), st.integers(-4_000, 4_000), st.just(0)))


@st.composite
def time_warps(draw) -> int:
    """Seconds to move the clock: a minute to a few days, lockup and notice edges included."""
    return draw(st.one_of(st.sampled_from([60, HOUR, DAY - 1, DAY, 7 * DAY]), st.integers(1, 3 * DAY)))


claim_modes_deposit = st.sampled_from(["deposit", "mint"])
claim_modes_redeem = st.sampled_from(["redeem", "withdraw"])
in_flight_moves = st.sampled_from([None, "send", "return"])
