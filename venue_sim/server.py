"""App factory and uvicorn entry point."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI

from venue_sim import http_api, sim_api, ws_api
from venue_sim.config import SimConfig
from venue_sim.state import VenueState


async def _ticker(state: VenueState) -> None:
    """Wall-clock mode: step the market as ticks elapse even when no request arrives (WS mids, triggers)."""
    interval = state.config.tick_ms / 1000
    while True:
        await asyncio.sleep(interval)
        state.sync()


def create_app(config: SimConfig | None = None) -> FastAPI:
    config = config or SimConfig()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state: VenueState = app.state.venue
        task = None if state.config.step_clock else asyncio.create_task(_ticker(state))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="VaultCraft venue simulator",
        description="Hyperliquid-compatible /info, /exchange and /ws for tests; /sim/* is simulator-only.",
        lifespan=lifespan,
    )
    app.state.venue = VenueState(config)
    app.include_router(http_api.router)
    app.include_router(ws_api.router)
    app.include_router(sim_api.router)
    return app


def run(
    host: str = "127.0.0.1", port: int = 3001, config: SimConfig | None = None, log_level: str = "warning"
) -> None:
    uvicorn.run(create_app(config), host=host, port=port, log_level=log_level, ws_ping_interval=None)
