"""KPIs against hand-computed values on three small series, plus properties.

Definitions are in `api.kpis`' module docstring: simple returns R_i, year-fractions Δ_i, μ = ΣR/ΣΔ,
σ² = Σ(R_i - μΔ_i)²/Δ_i / (n-1), Sharpe = (μ - r_f)/σ, CAGR over the real elapsed time.
"""

from __future__ import annotations

import statistics
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.kpis import (
    YEAR_S,
    KpiError,
    NavPoint,
    annualised_mean_return,
    annualised_return,
    annualised_variance,
    annualised_volatility,
    compute_kpis,
    max_drawdown,
    sharpe_ratio,
    total_return,
)

E18 = 10**18
Q = YEAR_S // 4  # 7_889_400 s, a quarter of a Julian year


def series(*pairs: tuple[int, Fraction | int]) -> list[NavPoint]:
    return [NavPoint(t, int(Fraction(p) * E18)) for t, p in pairs]


def dec_sqrt(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(x.numerator) / Decimal(x.denominator)).sqrt()


def q18(x: Decimal | Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        if isinstance(x, Fraction):
            x = Decimal(x.numerator) / Decimal(x.denominator)
        return x.quantize(Decimal("1e-18"))


# Series A: quarterly, one year. Prices 1.00, 1.10, 0.99, 1.089, 1.21.
A = series(
    (0, 1),
    (Q, Fraction(11, 10)),
    (2 * Q, Fraction(99, 100)),
    (3 * Q, Fraction(1089, 1000)),
    (4 * Q, Fraction(121, 100)),
)


def test_series_a__hand_computed():
    # R = 1/10, -1/10, 1/10, 1.21/1.089 - 1 = 1/9 ; Δ = 1/4 each ; T = 1 year
    assert total_return(A) == Fraction(21, 100)
    assert annualised_return(A) == Decimal("0.210000000000000000")  # T = 1: CAGR = total return
    # μ = (1/10 - 1/10 + 1/10 + 1/9) / 1 = 19/90
    assert annualised_mean_return(A) == Fraction(19, 90)
    # R - μ/4 = R - 19/360: 17/360, -55/360, 17/360, 21/360
    # squares sum = (289 + 3025 + 289 + 441)/129600 = 4044/129600
    # σ² = (4044/129600) / (1/4) / 3 = 16176/388800 = 337/8100
    assert annualised_variance(A) == Fraction(337, 8100)
    # equal spacing: the usual sample variance of returns times periods per year (independent check)
    returns = [Fraction(1, 10), Fraction(-1, 10), Fraction(1, 10), Fraction(1, 9)]
    assert statistics.variance(returns) * 4 == Fraction(337, 8100)
    assert annualised_volatility(A) == q18(dec_sqrt(Fraction(337, 8100)))  # sqrt(337)/90 ≈ 0.203973
    assert str(annualised_volatility(A)).startswith("0.20397")
    # Sharpe(r_f = 4%) = (19/90 - 1/25) / (sqrt(337)/90) = 15.4 / sqrt(337) ≈ 0.838891
    assert sharpe_ratio(A, Decimal("0.04")) == q18(Decimal("15.4") / dec_sqrt(Fraction(337)))
    assert str(sharpe_ratio(A, Decimal("0.04"))).startswith("0.8388")
    # drawdown: peak 1.10 at Q, trough 0.99 at 2Q: 1 - 99/110 = 1/10; back to >= 1.10 first at 4Q
    dd = max_drawdown(A)
    assert (dd.max_drawdown, dd.peak_s, dd.trough_s, dd.recovered_s, dd.recovery_s) == (
        Fraction(1, 10),
        Q,
        2 * Q,
        4 * Q,
        2 * Q,
    )


# Series B: irregular spacing on a 360-second "year" (year_s parameter): Δ = 1/4, 1/12, 2/3.
B = series((0, 100), (90, 105), (120, 84), (360, 126))


def test_series_b__irregular_spacing_hand_computed():
    y = 360
    # R = 1/20, -1/5, 1/2 ; ΣR = 7/20 ; ΣΔ = 1  ->  μ = 7/20
    assert annualised_mean_return(B, y) == Fraction(7, 20)
    # R - μΔ: 1/20 - 7/80 = -3/80 ; -1/5 - 7/240 = -11/48 ; 1/2 - 7/30 = 4/15
    # (·)²/Δ: (9/6400)*4 = 9/1600 ; (121/2304)*12 = 121/192 ; (16/225)*(3/2) = 8/75
    # sum = (27 + 3025 + 512)/4800 = 3564/4800 ; / (n-1 = 2) = 297/800
    assert annualised_variance(B, y) == Fraction(297, 800)
    assert annualised_volatility(B, y) == q18(dec_sqrt(Fraction(297, 800)))  # ≈ 0.609303
    # Sharpe(0) = (7/20) / sqrt(297/800) ≈ 0.574427
    assert sharpe_ratio(B, Decimal(0), y) == q18(Decimal("0.35") / dec_sqrt(Fraction(297, 800)))
    assert str(sharpe_ratio(B, Decimal(0), y)).startswith("0.57442")
    assert annualised_return(B, y) == Decimal("0.260000000000000000")
    # peak 105 at 90, trough 84 at 120: 1 - 84/105 = 1/5 ; 126 >= 105 at 360 -> recovery 240 s
    dd = max_drawdown(B)
    assert (dd.max_drawdown, dd.peak_s, dd.trough_s, dd.recovered_s, dd.recovery_s) == (
        Fraction(1, 5),
        90,
        120,
        360,
        240,
    )
    # the naive equal-spacing estimate differs: irregular spacing is really taken into account
    naive = statistics.variance([Fraction(1, 20), Fraction(-1, 5), Fraction(1, 2)]) * 3
    assert naive != Fraction(297, 800)


# Series C: two years on the real year, never recovers. Prices 1.00, 1.25, 1.00, 1.21 at 0, Y/2, Y, 2Y.
C = series((0, 1), (2 * Q, Fraction(5, 4)), (4 * Q, 1), (8 * Q, Fraction(121, 100)))


def test_series_c__two_years_unrecovered_hand_computed():
    # CAGR = 1.21 ** (1/2) - 1 = 0.1 exactly
    assert annualised_return(C) == Decimal("0.100000000000000000")
    # R = 1/4, -1/5, 21/100 ; Δ = 1/2, 1/2, 1 ; μ = (26/100) / 2 = 13/100
    assert annualised_mean_return(C) == Fraction(13, 100)
    # R - μΔ = 37/200, -53/200, 16/200 ; (·)²/Δ = 2738/40000, 5618/40000, 256/40000 ; sum/2 = 4306/40000
    assert annualised_variance(C) == Fraction(2153, 20000)
    # Sharpe(3%) = (13/100 - 3/100) / sqrt(2153/20000) ≈ 0.304785
    assert sharpe_ratio(C, Fraction(3, 100)) == q18(Decimal("0.1") / dec_sqrt(Fraction(2153, 20000)))
    assert str(sharpe_ratio(C, Fraction(3, 100))).startswith("0.30478")
    dd = max_drawdown(C)  # peak 1.25 at Y/2, trough 1.00 at Y: 1/5 ; 1.21 < 1.25: not recovered
    assert (dd.max_drawdown, dd.peak_s, dd.trough_s, dd.recovered_s, dd.recovery_s) == (
        Fraction(1, 5),
        2 * Q,
        4 * Q,
        None,
        None,
    )


def test_compute_kpis__serialises_decimals_as_strings():
    report = compute_kpis(A, Decimal("0.04")).as_json()
    assert report["total_return"] == "0.210000000000000000"
    assert report["max_drawdown"] == "0.100000000000000000"
    assert report["drawdown_recovery_s"] == 2 * Q
    assert all(not isinstance(v, float) for v in report.values())


def test_compute_kpis__two_points_has_no_volatility_or_sharpe():
    report = compute_kpis(series((0, 1), (YEAR_S, 2)))
    assert report.annualised_return == Decimal("1.000000000000000000")
    assert report.annualised_volatility is None and report.sharpe is None


def test_flat_series__sharpe_is_none_not_division_by_zero():
    flat = series((0, 1), (10, 1), (20, 1))
    assert sharpe_ratio(flat) is None
    assert annualised_volatility(flat) == Decimal("0E-18")


@pytest.mark.parametrize(
    "bad",
    [
        series((0, 1)),
        series((0, 1), (0, 2)),
        series((10, 1), (5, 2)),
        [NavPoint(0, 1), NavPoint(1, 0)],
    ],
)
def test_invalid_series__refused(bad):
    with pytest.raises(KpiError):
        compute_kpis(bad)


def test_absurd_growth_over_seconds__annualised_return_is_huge_but_exact_not_a_crash():
    # 10**6 growth in 1 s annualises to (10**6) ** 31_557_600 - 1 = 1e189_345_600 (50 significant digits)
    value = annualised_return(series((0, 1), (1, 10**6)))
    assert value is not None and value.adjusted() == 6 * YEAR_S
    assert compute_kpis(series((0, 1), (1, 10**6))).as_json()["annualised_return"].endswith("E+189345600")


# --- properties ------------------------------------------------------------------------------------------

nav_series = st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 10**24)), min_size=2, max_size=25).map(
    lambda raw: [
        NavPoint(t, p) for t, p in zip(_cumsum([d for d, _ in raw]), (p for _, p in raw), strict=True)
    ]
)


def _cumsum(deltas: list[int]) -> list[int]:
    out, acc = [], 1_700_000_000
    for d in deltas:
        acc += d
        out.append(acc)
    return out


@given(nav_series)
def test_property__drawdown_in_unit_interval(points):
    dd = max_drawdown(points).max_drawdown
    assert 0 <= dd < 1


@given(nav_series, st.integers(1, 10**6))
def test_property__scaling_prices_changes_nothing(points, k):
    scaled = [NavPoint(p.timestamp_s, p.price_per_share * k) for p in points]
    assert compute_kpis(points, Decimal("0.05")) == compute_kpis(scaled, Decimal("0.05"))


@given(nav_series, st.integers(-(10**9), 10**9))
def test_property__shifting_time_changes_only_timestamps(points, shift):
    shifted = [NavPoint(p.timestamp_s + shift, p.price_per_share) for p in points]
    a, b = compute_kpis(points), compute_kpis(shifted)
    assert (a.total_return, a.annualised_return, a.annualised_volatility, a.sharpe, a.max_drawdown) == (
        b.total_return,
        b.annualised_return,
        b.annualised_volatility,
        b.sharpe,
        b.max_drawdown,
    )


@given(nav_series)
def test_property__monotone_series_has_zero_drawdown(points):
    prices = sorted(p.price_per_share for p in points)
    monotone = [NavPoint(p.timestamp_s, price) for p, price in zip(points, prices, strict=True)]
    dd = max_drawdown(monotone)
    assert dd.max_drawdown == 0 and dd.peak_s is None and dd.trough_s is None


@given(nav_series)
def test_property__variance_is_non_negative_and_sharpe_sign_follows_excess_mean(points):
    if len(points) < 3:
        return
    assert annualised_variance(points) >= 0
    sharpe = sharpe_ratio(points)
    if sharpe is not None:
        assert (sharpe > 0) == (annualised_mean_return(points) > 0) or sharpe == 0


def test_drawdown__peak_is_the_last_sample_at_the_running_high():
    # 1, 2, 1.5, 2, 1: the deepest fall (1 - 1/2 = 1/2) starts from the *second* visit to 2 at t=3
    dd = max_drawdown(series((0, 1), (1, 2), (2, Fraction(3, 2)), (3, 2), (4, 1)))
    assert (dd.max_drawdown, dd.peak_s, dd.trough_s, dd.recovered_s) == (Fraction(1, 2), 3, 4, None)
