"""Exec and quant trading API (write half of issue 5): risk templates, orders, drafts, cancels, open
orders, positions, fills, a store-backed WebSocket stream, and the audit trail of every write.

Wiring (the app includes the routers through `ApiDeps.routers`):

    from api.trading import TradingDeps, TradingSettings, StaticVaultBindings, trading_routers
    from api.trading.venue import LazySettingsVenues

    trading = TradingDeps(store=store, venues=LazySettingsVenues(TradingSettings()),
                          bindings=StaticVaultBindings(...), role_reader=None)  # None: ApiDeps.role_reader
    deps = ApiDeps(..., routers=[*trading_routers(trading)])
"""

from __future__ import annotations

from fastapi import APIRouter

from api.trading.deps import StaticVaultBindings, TradingDeps, VaultBindings
from api.trading.routes_orders import build_orders_router
from api.trading.routes_risk import build_risk_router
from api.trading.routes_stream import build_stream_router
from api.trading.settings import TradingSettings

__all__ = ["StaticVaultBindings", "TradingDeps", "TradingSettings", "VaultBindings", "trading_routers"]


def trading_routers(deps: TradingDeps) -> list[APIRouter]:
    """The trading routers, bound to `deps` (no module state: two apps never share anything)."""
    return [build_risk_router(deps), build_orders_router(deps), build_stream_router(deps)]
