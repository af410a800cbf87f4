"""The pure money math, with hand-computed examples and the rounding direction of each function."""

import boa
import pytest
from fees_spec import BPS, PPS_SCALE, YEAR

DECIMALS = [6, 18]
U128_MAX = 2**128 - 1
U256_MAX = 2**256 - 1


@pytest.fixture(params=DECIMALS, ids=lambda d: f"{d}dec")
def unit(request):
    """One whole asset unit for a 6- or 18-decimal asset."""
    return 10 ** request.param


# ---------------------------------------------------------------- management fee
def test_management_fee__two_percent_for_a_year__is_two_percent_of_aum(fees, unit):
    assert fees.management_fee(1_000_000 * unit, 200, YEAR) == 20_000 * unit


def test_management_fee__half_a_year__is_half_the_annual_fee(fees, unit):
    assert fees.management_fee(1_000_000 * unit, 200, YEAR // 2) == 10_000 * unit


def test_management_fee__one_second__accrues_per_second(fees, unit):
    # 1e6 units * 5% / 31_536_000 s
    assert fees.management_fee(1_000_000 * unit, 500, 1) == 1_000_000 * unit * 500 // (BPS * YEAR)


def test_management_fee__fraction_of_a_unit__rounds_down_in_holders_favour(fees):
    # 1 * 500 * YEAR / (BPS * YEAR) = 0.05 -> 0
    assert fees.management_fee(1, 500, YEAR) == 0
    # 39 * 500 / 10_000 = 1.95 -> 1
    assert fees.management_fee(39, 500, YEAR) == 1


@pytest.mark.parametrize(("aum", "rate", "elapsed"), [(0, 500, YEAR), (10**24, 0, YEAR), (10**24, 500, 0)])
def test_management_fee__any_zero_input__is_zero(fees, aum, rate, elapsed):
    assert fees.management_fee(aum, rate, elapsed) == 0


def test_management_fee__max_supported_inputs__do_not_overflow(fees):
    expected = U128_MAX * (2**16 - 1) * (2**64 - 1) // (BPS * YEAR)
    assert fees.management_fee(U128_MAX, 2**16 - 1, 2**64 - 1) == expected


def test_management_fee__result_above_uint256__reverts(fees):
    with boa.reverts("math: mul_div overflow"):
        fees.management_fee(U256_MAX, BPS, 2 * YEAR)


# ---------------------------------------------------------------- hurdle threshold
def test_hurdle_threshold__ten_percent_for_a_year__raises_the_bar_by_ten_percent(fees):
    assert fees.hurdle_threshold(PPS_SCALE, 1_000, YEAR) == 11 * PPS_SCALE // 10


def test_hurdle_threshold__is_simple_not_compounded(fees):
    # two years at 10% -> +20%, not +21%
    assert fees.hurdle_threshold(PPS_SCALE, 1_000, 2 * YEAR) == 12 * PPS_SCALE // 10


@pytest.mark.parametrize(("hurdle", "elapsed"), [(0, YEAR), (2_000, 0)])
def test_hurdle_threshold__no_hurdle_or_no_time__is_the_high_water_mark(fees, hurdle, elapsed):
    assert fees.hurdle_threshold(1_234_567_890_123_456_789, hurdle, elapsed) == 1_234_567_890_123_456_789


def test_hurdle_threshold__fraction__rounds_up_in_holders_favour(fees):
    # 1 * (BPS*YEAR + 1) / (BPS*YEAR) = 1.000...03 -> 2
    assert fees.hurdle_threshold(1, 1, 1) == 2


def test_hurdle_threshold__zero_high_water_mark__is_zero(fees):
    assert fees.hurdle_threshold(0, 2_000, YEAR) == 0


# ---------------------------------------------------------------- performance fee
def test_performance_fee__twenty_percent_of_a_twenty_percent_gain(fees, unit):
    # (1.2 - 1.0) pps * 1_000 shares = 200 units gain; 20% -> 40 units
    supply = 1_000 * unit
    assert fees.performance_fee(12 * PPS_SCALE // 10, PPS_SCALE, supply, 2_000) == 40 * unit


@pytest.mark.parametrize("pps", [PPS_SCALE, PPS_SCALE - 1, 0])
def test_performance_fee__at_or_below_threshold__is_zero(fees, pps):
    assert fees.performance_fee(pps, PPS_SCALE, 10**24, 5_000) == 0


def test_performance_fee__gain_below_one_unit__rounds_down_to_zero(fees):
    # gain = 1 * (1e18 - 1) / 1e18 -> 0
    assert fees.performance_fee(2 * PPS_SCALE - 1, PPS_SCALE, 1, 5_000) == 0


def test_performance_fee__rounds_the_gain_down_then_the_fee_down(fees):
    # gain = 3 * 0.5e18 / 1e18 = 1.5 -> 1; fee = 1 * 5_000 / 10_000 = 0.5 -> 0
    assert fees.performance_fee(PPS_SCALE + PPS_SCALE // 2, PPS_SCALE, 3, 5_000) == 0
    # gain = 7 * 0.5 = 3.5 -> 3; fee = 3 * 0.5 = 1.5 -> 1
    assert fees.performance_fee(PPS_SCALE + PPS_SCALE // 2, PPS_SCALE, 7, 5_000) == 1


def test_performance_fee__zero_rate_or_supply__is_zero(fees):
    assert fees.performance_fee(2 * PPS_SCALE, PPS_SCALE, 10**24, 0) == 0
    assert fees.performance_fee(2 * PPS_SCALE, PPS_SCALE, 0, 5_000) == 0


def test_performance_fee__max_supported_inputs__do_not_overflow(fees):
    expected = (U128_MAX * U128_MAX // PPS_SCALE) * 5_000 // BPS
    assert fees.performance_fee(U128_MAX, 0, U128_MAX, 5_000) == expected


# ---------------------------------------------------------------- entry / exit fee
def test_fee_on_total__half_a_percent_of_a_deposit(fees, unit):
    assert fees.fee_on_total(10_000 * unit, 50) == 50 * unit


def test_fee_on_total__fraction__rounds_up_so_the_user_pays_it(fees):
    # 1 * 1 / 10_000 -> 1
    assert fees.fee_on_total(1, 1) == 1
    # 10_001 * 100 / 10_000 = 100.01 -> 101
    assert fees.fee_on_total(10_001, 100) == 101


def test_fee_on_total__exact_division__does_not_round_up(fees):
    assert fees.fee_on_total(20_000, 200) == 400


@pytest.mark.parametrize(("assets", "rate"), [(0, 200), (10**24, 0)])
def test_fee_on_total__zero_amount_or_rate__is_zero(fees, assets, rate):
    assert fees.fee_on_total(assets, rate) == 0


def test_fee_on_total__max_uint256_amount__does_not_overflow(fees):
    assert fees.fee_on_total(U256_MAX, 200) == -(-U256_MAX * 200 // BPS)


# ---------------------------------------------------------------- fee shares
def test_fee_shares__recipients_end_up_owning_the_fee(fees, unit):
    # fee 10 of 110 total, 100 shares -> mint 10: 10 / 110 shares own 10 / 110 assets
    assert fees.fee_shares(10 * unit, 110 * unit, 100 * unit) == 10 * unit


def test_fee_shares__fraction__rounds_down_so_holders_are_diluted_less(fees):
    # 1 * 10 / (4 - 1) = 3.33 -> 3
    assert fees.fee_shares(1, 4, 10) == 3


def test_fee_shares__zero_fee__is_zero_even_with_zero_assets(fees):
    assert fees.fee_shares(0, 0, 0) == 0
    assert fees.fee_shares(0, 10**24, 10**24) == 0


def test_fee_shares__fee_equal_to_assets__reverts(fees):
    with boa.reverts("fees: fee exceeds assets"):
        fees.fee_shares(100, 100, 1_000)


def test_fee_shares__fee_above_assets__reverts(fees):
    with boa.reverts("fees: fee exceeds assets"):
        fees.fee_shares(101, 100, 1_000)


def test_fee_shares__fee_one_below_assets__mints_a_huge_but_finite_amount(fees):
    assert fees.fee_shares(99, 100, 1_000) == 99_000


def test_fee_shares__zero_supply__is_zero(fees):
    assert fees.fee_shares(10, 100, 0) == 0


# ---------------------------------------------------------------- split
def test_split__thirty_percent_to_the_protocol(fees):
    assert fees.split(1_000, 3_000) == (700, 300)


def test_split__fraction__rounds_the_protocol_down_and_gives_the_remainder_to_the_manager(fees):
    # 1 * 3_000 / 10_000 = 0.3 -> protocol 0, manager 1
    assert fees.split(1, 3_000) == (1, 0)
    # 7 * 3_000 / 10_000 = 2.1 -> protocol 2, manager 5
    assert fees.split(7, 3_000) == (5, 2)


def test_split__zero_protocol_share__all_to_the_manager(fees):
    assert fees.split(12_345, 0) == (12_345, 0)


def test_split__full_share__all_to_the_protocol(fees):
    assert fees.split(12_345, BPS) == (0, 12_345)


def test_split__share_above_one_hundred_percent__reverts(fees):
    with boa.reverts("fees: split above 100%"):
        fees.split(1_000, BPS + 1)


def test_split__max_uint256_shares__does_not_overflow(fees):
    protocol = U256_MAX * 3_000 // BPS
    assert fees.split(U256_MAX, 3_000) == (U256_MAX - protocol, protocol)
