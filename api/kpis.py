"""Performance KPIs over a NAV series, on the real (irregular) time base. Pure functions, no floats.

Input: points `(t_i, p_i)`: `t_i` unix seconds, strictly increasing; `p_i` price per share as an int
scaled by 1e18 (> 0). Only the ratios p_j / p_i matter, so the scale cancels. Let n+1 points give n
intervals, `Δ_i = (t_i - t_{i-1}) / Y` in years with `Y = 31_557_600` s (Julian year, 365.25 days — NAV is
posted around the clock, there are no trading-day conventions), `T = ΣΔ_i`, simple returns
`R_i = p_i / p_{i-1} - 1`.

* total return           `p_n / p_0 - 1`                                   (exact Fraction)
* annualised return      `(p_n / p_0) ** (1 / T) - 1`  (compound, CAGR over the actual elapsed time)
* annualised mean return `μ = ΣR_i / ΣΔ_i`  (the per-year drift of simple returns; exact Fraction). With
  `R_i ≈ μΔ_i + σ√Δ_i ε_i` this is the weighted least-squares estimate of μ under irregular spacing.
* annualised variance    `σ² = 1/(n-1) · Σ (R_i - μΔ_i)² / Δ_i`  (exact Fraction; needs n ≥ 2). For equal
  spacing this is the usual sample variance of returns times periods per year.
* annualised volatility  `σ = sqrt(σ²)`
* Sharpe ratio           `(μ - r_f) / σ`, `r_f` an annual simple rate (e.g. Decimal("0.04")); None if σ = 0.
  Note the numerator is the arithmetic mean rate μ, not the CAGR (standard Sharpe).
* max drawdown           `max_i (1 - p_i / max_{j≤i} p_j)`, exact Fraction in [0, 1). The peak is the last
  sample at the running maximum before the trough; the trough is the first sample attaining the max
  drawdown; recovery is the first later sample with `p ≥ p_peak`; `recovery_s = t_recovery - t_trough`
  (None if not recovered). Moves between samples are invisible.

Precision: rational quantities are exact; `sqrt` and the non-integer power are evaluated in a 50-digit
`decimal` context and every Decimal result is rounded (half-even) to 18 decimal places (to 50 significant
digits when a value is too large for that). An annualised return that overflows even that (absurd growth
over seconds) is None. Serialise results as strings (`KpiReport.as_json`).
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

YEAR_S = 31_557_600
PPS_SCALE = 10**18
_PREC = 50
_QUANT = Decimal(1).scaleb(-18)


@dataclass(frozen=True)
class NavPoint:
    timestamp_s: int
    price_per_share: int  # scaled 1e18


class NavSeriesProvider(Protocol):
    """What the store implements: the posted NAV points of a vault in [start_s, end_s] (inclusive, None =
    open), oldest first; None if the vault is unknown (the route answers 404)."""

    async def nav_series(
        self, vault: str, start_s: int | None, end_s: int | None
    ) -> Sequence[NavPoint] | None: ...


class InMemoryNavSeries:
    """Fixed series per vault (tests, offline demo)."""

    def __init__(self, series: dict[str, Sequence[NavPoint]] | None = None) -> None:
        self._series = {k.lower(): list(v) for k, v in (series or {}).items()}

    async def nav_series(
        self, vault: str, start_s: int | None, end_s: int | None
    ) -> Sequence[NavPoint] | None:
        points = self._series.get(vault.lower())
        if points is None:
            return None
        return [
            p
            for p in points
            if (start_s is None or p.timestamp_s >= start_s) and (end_s is None or p.timestamp_s <= end_s)
        ]


class KpiError(ValueError):
    pass


def _ctx() -> decimal.Context:
    return decimal.Context(
        prec=_PREC, rounding=decimal.ROUND_HALF_EVEN, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN
    )


def _round(value: Decimal) -> Decimal:
    """18 decimal places, or 50 significant digits for huge values (where 18 places would not fit)."""
    ctx = _ctx()
    if value.is_zero() or value.adjusted() < _PREC - 19:
        return value.quantize(_QUANT, context=ctx)
    return ctx.plus(value)


def to_decimal(value: Fraction | Decimal) -> Decimal:
    ctx = _ctx()
    if isinstance(value, Fraction):
        value = ctx.divide(Decimal(value.numerator), Decimal(value.denominator))
    return _round(value)


def _validate(series: Sequence[NavPoint], min_points: int) -> None:
    if len(series) < min_points:
        raise KpiError(f"need at least {min_points} NAV points, got {len(series)}")
    for prev, cur in zip(series, series[1:], strict=False):
        if cur.timestamp_s <= prev.timestamp_s:
            raise KpiError("timestamps must be strictly increasing")
    for point in series:
        if point.price_per_share <= 0:
            raise KpiError("price per share must be positive")


def total_return(series: Sequence[NavPoint]) -> Fraction:
    _validate(series, 2)
    return Fraction(series[-1].price_per_share, series[0].price_per_share) - 1


def elapsed_years(series: Sequence[NavPoint], year_s: int = YEAR_S) -> Fraction:
    return Fraction(series[-1].timestamp_s - series[0].timestamp_s, year_s)


def annualised_return(series: Sequence[NavPoint], year_s: int = YEAR_S) -> Decimal | None:
    """CAGR: (p_n/p_0) ** (1/T) - 1, T in years; None if it overflows (absurd growth over seconds)."""
    growth = total_return(series) + 1
    years = elapsed_years(series, year_s)
    ctx = _ctx()
    base = ctx.divide(Decimal(growth.numerator), Decimal(growth.denominator))
    exponent = ctx.divide(Decimal(years.denominator), Decimal(years.numerator))
    try:
        return _round(ctx.subtract(ctx.power(base, exponent), Decimal(1)))
    except decimal.Overflow:
        return None


def _intervals(series: Sequence[NavPoint], year_s: int) -> list[tuple[Fraction, Fraction]]:
    """(R_i, Δ_i) per interval."""
    return [
        (Fraction(b.price_per_share, a.price_per_share) - 1, Fraction(b.timestamp_s - a.timestamp_s, year_s))
        for a, b in zip(series, series[1:], strict=False)
    ]


def annualised_mean_return(series: Sequence[NavPoint], year_s: int = YEAR_S) -> Fraction:
    _validate(series, 2)
    parts = _intervals(series, year_s)
    return sum((r for r, _ in parts), Fraction(0)) / sum((d for _, d in parts), Fraction(0))


def annualised_variance(series: Sequence[NavPoint], year_s: int = YEAR_S) -> Fraction:
    _validate(series, 3)
    parts = _intervals(series, year_s)
    mu = annualised_mean_return(series, year_s)
    return sum(((r - mu * d) ** 2 / d for r, d in parts), Fraction(0)) / (len(parts) - 1)


def annualised_volatility(series: Sequence[NavPoint], year_s: int = YEAR_S) -> Decimal:
    var = annualised_variance(series, year_s)
    ctx = _ctx()
    return _round(ctx.sqrt(ctx.divide(Decimal(var.numerator), Decimal(var.denominator))))


def sharpe_ratio(
    series: Sequence[NavPoint], risk_free_rate: Decimal | Fraction = Decimal(0), year_s: int = YEAR_S
) -> Decimal | None:
    var = annualised_variance(series, year_s)
    if var == 0:
        return None
    rf = Fraction(risk_free_rate)
    excess = annualised_mean_return(series, year_s) - rf
    ctx = _ctx()
    sigma = ctx.sqrt(ctx.divide(Decimal(var.numerator), Decimal(var.denominator)))
    num = ctx.divide(Decimal(excess.numerator), Decimal(excess.denominator))
    return _round(ctx.divide(num, sigma))


@dataclass(frozen=True)
class Drawdown:
    max_drawdown: Fraction  # in [0, 1)
    peak_s: int | None
    trough_s: int | None
    recovered_s: int | None

    @property
    def recovery_s(self) -> int | None:
        if self.recovered_s is None or self.trough_s is None:
            return None
        return self.recovered_s - self.trough_s


def max_drawdown(series: Sequence[NavPoint]) -> Drawdown:
    _validate(series, 1)
    peak_price, peak_t = series[0].price_per_share, series[0].timestamp_s
    worst = Fraction(0)
    best: tuple[int, int, int] | None = None  # (peak_t, trough_t, peak_price)
    for point in series:
        if point.price_per_share >= peak_price:
            peak_price, peak_t = point.price_per_share, point.timestamp_s
            continue
        dd = 1 - Fraction(point.price_per_share, peak_price)
        if dd > worst:
            worst, best = dd, (peak_t, point.timestamp_s, peak_price)
    if best is None:
        return Drawdown(Fraction(0), None, None, None)
    peak_at, trough_at, level = best
    recovered = next(
        (p.timestamp_s for p in series if p.timestamp_s > trough_at and p.price_per_share >= level), None
    )
    return Drawdown(worst, peak_at, trough_at, recovered)


@dataclass(frozen=True)
class KpiReport:
    start_s: int
    end_s: int
    points: int
    total_return: Decimal
    annualised_return: Decimal | None
    annualised_volatility: Decimal | None
    sharpe: Decimal | None
    max_drawdown: Decimal
    drawdown_peak_s: int | None
    drawdown_trough_s: int | None
    drawdown_recovered_s: int | None
    drawdown_recovery_s: int | None

    def as_json(self) -> dict[str, str | int | None]:
        """Decimals as strings (never JSON floats)."""
        out: dict[str, str | int | None] = {}
        for key, value in self.__dict__.items():
            out[key] = str(value) if isinstance(value, Decimal) else value
        return out


def compute_kpis(
    series: Sequence[NavPoint], risk_free_rate: Decimal | Fraction = Decimal(0), year_s: int = YEAR_S
) -> KpiReport:
    _validate(series, 2)
    enough = len(series) >= 3
    dd = max_drawdown(series)
    return KpiReport(
        start_s=series[0].timestamp_s,
        end_s=series[-1].timestamp_s,
        points=len(series),
        total_return=to_decimal(total_return(series)),
        annualised_return=annualised_return(series, year_s),
        annualised_volatility=annualised_volatility(series, year_s) if enough else None,
        sharpe=sharpe_ratio(series, risk_free_rate, year_s) if enough else None,
        max_drawdown=to_decimal(dd.max_drawdown),
        drawdown_peak_s=dd.peak_s,
        drawdown_trough_s=dd.trough_s,
        drawdown_recovered_s=dd.recovered_s,
        drawdown_recovery_s=dd.recovery_s,
    )
