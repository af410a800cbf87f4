"""Scaled-integer money: every price, size and USDC amount in the store is an int scaled by 10**8.

The venue sends numbers as decimal strings; they are parsed with `Decimal` (never `float`) and scaled
exactly. A value with more than 8 decimals is refused rather than rounded, so a silent loss of precision
can never enter the books. Uint256 on-chain quantities (NAV, shares) are kept as Python ints / strings.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

SCALE_DECIMALS = 8
SCALE = 10**SCALE_DECIMALS  # 1.0 == 100_000_000 (prices in USD, sizes in coin units, amounts in USDC)
_QUANTUM = Decimal(1).scaleb(-SCALE_DECIMALS)


class MoneyError(ValueError):
    """A number that is not an exact finite decimal representable at the store scale."""


def to_decimal(value: object) -> Decimal:
    """Parse a wire number (str / int / Decimal). Floats and bools are refused: they are already lossy."""
    if isinstance(value, bool | float):
        raise MoneyError(f"refusing binary float / bool as money: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value)
        except InvalidOperation as exc:
            raise MoneyError(f"not a decimal number: {value!r}") from exc
    else:
        raise MoneyError(f"not a decimal number: {value!r}")
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def to_scaled(value: object) -> int:
    """Exact conversion to an int scaled by 1e8; raises MoneyError if precision would be lost."""
    dec = to_decimal(value)
    scaled = dec.scaleb(SCALE_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{value!r} has more than {SCALE_DECIMALS} decimals")
    return int(scaled)


def from_scaled(value: int) -> Decimal:
    """Inverse of `to_scaled` (exact)."""
    return (Decimal(value) * _QUANTUM).normalize() if value else Decimal(0)
