"""Exact conversion of human decimal amounts to the integer fixed-point units used in commitments.

The keeper scales quantities, prices and fees by 10**8 (KEEPER_DECIMALS). Floats are refused outright: a
binary float cannot represent most decimal prices, and a commitment over a rounded value would not match the
venue's record.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import EncodingError, InexactValueError

KEEPER_DECIMALS = 8
# Bounds the exponent before we build 10**exp: "1e999999999" must fail fast, not allocate a giant int.
_MAX_EXPONENT = 80


def fixed_units(value: int | str | Decimal, decimals: int = KEEPER_DECIMALS) -> int:
    """Return `value` in fixed-point units of 10**-decimals.

    An `int` is taken to be already in fixed-point units and returned unchanged. A `str` or `Decimal` is a
    human amount ("1.5") scaled exactly; any digit below the unit raises InexactValueError.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise EncodingError(f"amount: {type(value).__name__} refused; use int units or a decimal string")
    if isinstance(value, int):
        return value
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 36:
        raise EncodingError("decimals: expected int in 0..36")
    if isinstance(value, str):
        if len(value) > 100:
            raise EncodingError("amount: string too long")
        try:
            dec = Decimal(value.strip())
        except InvalidOperation:
            raise EncodingError("amount: not a decimal number") from None
    elif isinstance(value, Decimal):
        dec = value
    else:
        raise EncodingError(f"amount: unsupported type {type(value).__name__}")
    if not dec.is_finite():
        raise EncodingError("amount: must be finite")
    sign, digits, exponent = dec.as_tuple()
    assert isinstance(exponent, int)  # finite Decimals have an int exponent
    coefficient = int("".join(map(str, digits))) if digits else 0
    shift = exponent + decimals
    if shift > _MAX_EXPONENT:
        raise EncodingError("amount: exponent too large")
    if shift >= 0:
        units = coefficient * 10**shift
    else:
        if -shift > _MAX_EXPONENT + len(digits):
            # More fractional digits than any coefficient can cancel: exact only if the value is zero.
            if coefficient != 0:
                raise InexactValueError(f"amount: more than {decimals} decimal places")
            units = 0
        else:
            divisor = 10**-shift
            if coefficient % divisor:
                raise InexactValueError(f"amount: more than {decimals} decimal places")
            units = coefficient // divisor
    return -units if sign else units
