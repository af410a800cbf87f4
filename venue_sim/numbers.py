"""Exact decimal helpers: parsing wire numbers, Hyperliquid price/size rules, wire rendering.

Every value on a money path (price, size, margin, fee, PnL) is a `Decimal`; floats never enter. Incoming
JSON is parsed with `parse_float=Decimal`, so a number only reaches this module as `str`, `int` or `Decimal`.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

# USDC amounts (fees, closed PnL, balances) are kept at micro-dollar precision, like the venue's USDC.
USD_QUANTUM = Decimal("0.000001")
# Internal precision of entry prices and price-path state; finer than any tick so rounding never shows.
PX_INTERNAL_QUANTUM = Decimal("0.00000001")
# Perp prices may have at most 6 - szDecimals decimals and 5 significant figures (integers always allowed).
PERP_MAX_DECIMALS = 6
MAX_SIG_FIGS = 5


class NumberError(ValueError):
    """A wire number that is not a finite decimal in the accepted form."""


def parse_decimal(value: object) -> Decimal:
    """Parse a wire number (string, int or JSON-decoded Decimal) without touching binary floats."""
    if isinstance(value, bool) or isinstance(value, float):
        # bool is an int subclass; a float here means someone bypassed parse_float=Decimal.
        raise NumberError(f"not a decimal number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or text != value:
            raise NumberError(f"not a decimal number: {value!r}")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise NumberError(f"not a decimal number: {value!r}") from exc
    else:
        raise NumberError(f"not a decimal number: {value!r}")
    if not result.is_finite():
        raise NumberError(f"not a finite number: {value!r}")
    return result


def parse_int(value: object, what: str) -> int:
    """Parse an integer field (ids, timestamps, leverage); JSON floats and bools are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        raise NumberError(f"{what} must be an integer, got {value!r}")
    return value


def wire(value: Decimal) -> str:
    """Render like Hyperliquid's float strings: plain notation, no trailing zeros, at least one decimal."""
    if value == 0:
        return "0.0"  # also folds -0
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return text


def usd(value: Decimal) -> Decimal:
    """Round a USDC amount to micro-dollars (banker's rounding keeps aggregate error unbiased)."""
    return value.quantize(USD_QUANTUM, rounding=ROUND_HALF_EVEN)


def decimals_of(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def sig_figs_of(value: Decimal) -> int:
    digits = value.normalize().as_tuple().digits
    return len(digits)


def max_price_decimals(sz_decimals: int) -> int:
    return max(0, PERP_MAX_DECIMALS - sz_decimals)


def is_valid_price(px: Decimal, sz_decimals: int) -> bool:
    """Hyperliquid's tick rule: integer prices always pass; otherwise <=5 sig figs and <=6-szDecimals dp."""
    if px <= 0:
        return False
    if px == px.to_integral_value():
        return True
    return sig_figs_of(px) <= MAX_SIG_FIGS and decimals_of(px) <= max_price_decimals(sz_decimals)


def price_quantum(px: Decimal, sz_decimals: int) -> Decimal:
    """The tick that applies at `px`: 5 significant figures, capped by the decimal limit, never below 1."""
    if px <= 0:
        raise NumberError("price must be positive")
    exponent = px.adjusted() - (MAX_SIG_FIGS - 1)
    exponent = max(exponent, -max_price_decimals(sz_decimals))
    exponent = min(exponent, 0)  # integer prices are always valid, so the tick never exceeds 1
    return Decimal(1).scaleb(exponent)


def round_price(px: Decimal, sz_decimals: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """Round to a valid price in the given direction (ROUND_UP/ROUND_DOWN/ROUND_HALF_EVEN)."""
    quantum = price_quantum(px, sz_decimals)
    rounded = px.quantize(quantum, rounding=rounding)
    if rounded <= 0:
        rounded = quantum
    if not is_valid_price(rounded, sz_decimals):
        # Rounding up can add a digit (9.9999 -> 10.000); recompute the tick at the new magnitude.
        rounded = rounded.quantize(price_quantum(rounded, sz_decimals), rounding=rounding)
    return rounded


def is_valid_size(sz: Decimal, sz_decimals: int) -> bool:
    return sz > 0 and decimals_of(sz) <= sz_decimals


def floor_size(sz: Decimal, sz_decimals: int) -> Decimal:
    return sz.quantize(Decimal(1).scaleb(-sz_decimals), rounding=ROUND_DOWN)
