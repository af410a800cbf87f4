"""Exact display of integer token amounts (no floats anywhere near money)."""

from decimal import Decimal


def fmt_units(amount: int, decimals: int, places: int = 2) -> str:
    """`amount` base units shown with `places` decimals, truncated toward zero, thousands separated."""
    value = Decimal(amount).scaleb(-decimals).quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")
    return f"{value:,}"
