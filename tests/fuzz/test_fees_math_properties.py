"""Property tests: every pure fee function equals an exact Python integer reference, rounding included.

Supported ranges (documented in `contracts/modules/fees.vy`, tested here without overflow): amounts, AUM,
price-per-share and supply below 2**128; rates below 2**16 bps; elapsed times below 2**64 s. Beyond them a
function either still equals the reference or reverts with "math: mul_div overflow" when the true result
does not fit in 256 bits.
"""

from fractions import Fraction
from pathlib import Path

import boa
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

HARNESS = Path(__file__).resolve().parents[2] / "contracts" / "mocks" / "FeesHarness.vy"

BPS = 10_000
YEAR = 365 * 86_400
PPS_SCALE = 10**18
U128_MAX = 2**128 - 1
U256_MAX = 2**256 - 1
MAX_MANAGEMENT_BPS = 500
MAX_PERFORMANCE_BPS = 5_000
MAX_HURDLE_BPS = 2_000
MAX_PROTOCOL_SHARE_BPS = 3_000


def _with_edges(lo: int, hi: int, *edges: int) -> st.SearchStrategy[int]:
    """Integers in [lo, hi], with the boundaries and the given edges drawn often."""
    return st.one_of(st.sampled_from(sorted({lo, lo + 1, lo + 2, hi, *edges})), st.integers(lo, hi))


AMOUNTS = _with_edges(0, U128_MAX, 10**6, 10**18)
PPS = _with_edges(0, U128_MAX, PPS_SCALE)
RATES = _with_edges(0, 2**16 - 1, MAX_MANAGEMENT_BPS, MAX_PERFORMANCE_BPS, MAX_HURDLE_BPS, BPS)
ELAPSED = _with_edges(0, 2**64 - 1, YEAR, 86_400)
WORDS = _with_edges(0, U256_MAX, U128_MAX)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


# ---- exact references, written from the formulas in the specification ----
def ref_management_fee(aum: int, rate: int, elapsed: int) -> int:
    return aum * rate * elapsed // (BPS * YEAR)


def ref_hurdle_threshold(hwm: int, hurdle: int, elapsed: int) -> int:
    return _ceil_div(hwm * (BPS * YEAR + hurdle * elapsed), BPS * YEAR)


def ref_performance_fee(pps: int, threshold: int, supply: int, rate: int) -> int:
    if pps <= threshold:
        return 0
    gain = (pps - threshold) * supply // PPS_SCALE
    return gain * rate // BPS


def ref_fee_on_total(assets: int, rate: int) -> int:
    return _ceil_div(assets * rate, BPS)


def ref_fee_shares(fee: int, total: int, supply: int) -> int:
    return 0 if fee == 0 else fee * supply // (total - fee)


def ref_split(shares: int, protocol_bps: int) -> tuple[int, int]:
    protocol = shares * protocol_bps // BPS
    return shares - protocol, protocol


@pytest.fixture(scope="module")
def fees():
    deployer = boa.load_partial(str(HARNESS))
    return deployer.deploy((200, 2_000, 500, 50, 50, 1_000), 7 * 86_400)


# ---------------------------------------------------------------- management fee
@given(aum=AMOUNTS, rate=RATES, elapsed=ELAPSED)
def test_management_fee__equals_reference_and_rounds_down(fees, aum, rate, elapsed):
    fee = fees.management_fee(aum, rate, elapsed)

    assert fee == ref_management_fee(aum, rate, elapsed)
    exact = Fraction(aum * rate * elapsed, BPS * YEAR)
    assert fee <= exact < fee + 1


@given(aum=AMOUNTS, rate=_with_edges(0, MAX_MANAGEMENT_BPS), first=ELAPSED, second=ELAPSED)
def test_management_fee__settling_more_often__never_charges_more(fees, aum, rate, first, second):
    assume(first + second < 2**64)

    split_fee = fees.management_fee(aum, rate, first) + fees.management_fee(aum, rate, second)

    assert split_fee <= fees.management_fee(aum, rate, first + second)


@given(aum=AMOUNTS, rate=_with_edges(0, MAX_MANAGEMENT_BPS), elapsed=_with_edges(0, 20 * YEAR))
def test_management_fee__within_cap_for_twenty_years__never_exceeds_aum(fees, aum, rate, elapsed):
    assert fees.management_fee(aum, rate, elapsed) <= aum


@given(aum=WORDS, rate=RATES, elapsed=ELAPSED)
def test_management_fee__any_uint256_aum__equals_reference_or_reverts_on_overflow(fees, aum, rate, elapsed):
    expected = ref_management_fee(aum, rate, elapsed)
    if expected > U256_MAX:
        with boa.reverts("math: mul_div overflow"):
            fees.management_fee(aum, rate, elapsed)
    else:
        assert fees.management_fee(aum, rate, elapsed) == expected


# ---------------------------------------------------------------- hurdle threshold
@given(hwm=PPS, hurdle=RATES, elapsed=ELAPSED)
def test_hurdle_threshold__equals_reference_and_rounds_up(fees, hwm, hurdle, elapsed):
    threshold = fees.hurdle_threshold(hwm, hurdle, elapsed)

    assert threshold == ref_hurdle_threshold(hwm, hurdle, elapsed)
    exact = Fraction(hwm * (BPS * YEAR + hurdle * elapsed), BPS * YEAR)
    assert threshold - 1 < exact <= threshold
    assert threshold >= hwm


@given(hwm=PPS, hurdle=RATES, earlier=ELAPSED, later=ELAPSED)
def test_hurdle_threshold__never_falls_as_time_passes(fees, hwm, hurdle, earlier, later):
    earlier, later = sorted((earlier, later))

    assert fees.hurdle_threshold(hwm, hurdle, earlier) <= fees.hurdle_threshold(hwm, hurdle, later)


# ---------------------------------------------------------------- performance fee
@given(pps=PPS, threshold=PPS, supply=AMOUNTS, rate=RATES)
def test_performance_fee__equals_reference_and_never_exceeds_the_exact_fee(
    fees, pps, threshold, supply, rate
):
    fee = fees.performance_fee(pps, threshold, supply, rate)

    assert fee == ref_performance_fee(pps, threshold, supply, rate)
    exact = Fraction(max(pps - threshold, 0) * supply * rate, PPS_SCALE * BPS)
    assert fee <= exact


@given(pps=PPS, threshold=PPS, supply=AMOUNTS, rate=RATES)
def test_performance_fee__at_or_below_threshold__is_zero(fees, pps, threshold, supply, rate):
    assume(pps <= threshold)

    assert fees.performance_fee(pps, threshold, supply, rate) == 0


@given(pps=WORDS, threshold=WORDS, supply=WORDS, rate=RATES)
def test_performance_fee__any_uint256__equals_reference_or_reverts_on_overflow(
    fees, pps, threshold, supply, rate
):
    gain = max(pps - threshold, 0) * supply // PPS_SCALE
    if gain > U256_MAX or gain * rate // BPS > U256_MAX:
        with boa.reverts("math: mul_div overflow"):
            fees.performance_fee(pps, threshold, supply, rate)
    else:
        assert fees.performance_fee(pps, threshold, supply, rate) == ref_performance_fee(
            pps, threshold, supply, rate
        )


# ---------------------------------------------------------------- entry / exit fee
@given(assets=AMOUNTS, rate=RATES)
def test_fee_on_total__equals_reference_and_rounds_up(fees, assets, rate):
    fee = fees.fee_on_total(assets, rate)

    assert fee == ref_fee_on_total(assets, rate)
    exact = Fraction(assets * rate, BPS)
    assert fee - 1 < exact <= fee


@given(assets=WORDS, rate=_with_edges(0, BPS))
def test_fee_on_total__any_uint256_amount__never_exceeds_the_amount(fees, assets, rate):
    fee = fees.fee_on_total(assets, rate)

    assert fee == ref_fee_on_total(assets, rate)
    assert fee <= assets


# ---------------------------------------------------------------- fee shares
@given(fee=AMOUNTS, total=AMOUNTS, supply=AMOUNTS)
def test_fee_shares__equals_reference_or_reverts_when_fee_reaches_assets(fees, fee, total, supply):
    if fee != 0 and fee >= total:
        with boa.reverts("fees: fee exceeds assets"):
            fees.fee_shares(fee, total, supply)
        return

    shares = fees.fee_shares(fee, total, supply)

    assert shares == ref_fee_shares(fee, total, supply)


@given(fee=AMOUNTS, total=AMOUNTS, supply=_with_edges(1, U128_MAX))
def test_fee_shares__recipients_never_own_more_than_the_fee(fees, fee, total, supply):
    assume(fee < total)

    shares = fees.fee_shares(fee, total, supply)

    # value of the minted shares after minting, exactly
    assert Fraction(shares * total, supply + shares) <= fee


@given(fee=WORDS, total=WORDS, supply=WORDS)
def test_fee_shares__any_uint256__equals_reference_or_reverts(fees, fee, total, supply):
    if fee != 0 and fee >= total:
        with boa.reverts("fees: fee exceeds assets"):
            fees.fee_shares(fee, total, supply)
    elif ref_fee_shares(fee, total, supply) > U256_MAX:
        with boa.reverts("math: mul_div overflow"):
            fees.fee_shares(fee, total, supply)
    else:
        assert fees.fee_shares(fee, total, supply) == ref_fee_shares(fee, total, supply)


# ---------------------------------------------------------------- split
@given(shares=WORDS, protocol_bps=_with_edges(0, BPS, MAX_PROTOCOL_SHARE_BPS))
def test_split__equals_reference_and_conserves_shares(fees, shares, protocol_bps):
    manager, protocol = fees.split(shares, protocol_bps)

    assert (manager, protocol) == ref_split(shares, protocol_bps)
    assert manager + protocol == shares
    assert protocol <= Fraction(shares * protocol_bps, BPS) < protocol + 1


@given(shares=WORDS, protocol_bps=_with_edges(BPS + 1, U256_MAX))
def test_split__protocol_share_above_one_hundred_percent__reverts(fees, shares, protocol_bps):
    with boa.reverts("fees: split above 100%"):
        fees.split(shares, protocol_bps)
