"""The venue's whole mutable state, owned by one object per app (no module-level state).

All mutation happens on the event loop thread (every route is `async def` and the engine is synchronous),
so there is no locking: each request runs to completion before the next starts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from venue_sim import render
from venue_sim.accounts import margin_used
from venue_sim.book import SyntheticBook
from venue_sim.clock import SimClock, wall_ms
from venue_sim.config import SimConfig
from venue_sim.engine import Engine
from venue_sim.fills import IdSource
from venue_sim.nonces import NonceBook
from venue_sim.numbers import wire
from venue_sim.prices import Market
from venue_sim.ws_hub import WsHub

# Cap one /sim/advance so a typo cannot freeze the server stepping through years of ticks.
MAX_ADVANCE_MS = 7 * 24 * 3600 * 1000


class VenueState:
    def __init__(self, config: SimConfig, wall: Callable[[], int] = wall_ms) -> None:
        self._config = config
        start = config.start_time_ms if config.start_time_ms is not None else wall()
        self.clock = SimClock(start, config.tick_ms, config.step_clock, wall)
        self.market = Market(config.instruments, config.seed)
        self.book = SyntheticBook()
        self.engine = Engine(lambda: self._config, self.market, self.book, IdSource(start))
        self.nonces = NonceBook()
        self.agents: dict[str, str] = {}  # agent address -> account it signs for
        self.named_agents: dict[tuple[str, str], str] = {}  # (user, agent name) -> agent address
        self.vault_leaders: dict[str, str] = {}  # vault address -> leader account
        self.hub = WsHub(lambda: self._config)
        self._processed_tick = 0

    @property
    def config(self) -> SimConfig:
        return self._config

    def set_config(self, patch: dict[str, Any]) -> SimConfig:
        self._config = self._config.with_patch(patch)
        return self._config

    # --- time ------------------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def sync(self) -> None:
        """Catch the market up to the clock: one price step and one engine pass per elapsed tick."""
        target = self.clock.tick_index(self.clock.now_ms())
        while self._processed_tick < target:
            self._processed_tick += 1
            self.market.step(self._config.instruments)
            self.book.on_tick(self._processed_tick)
            self.engine.on_tick(self.clock.tick_time(self._processed_tick))
            self.flush(mids_changed=True)

    def advance(self, ms: int) -> None:
        if not 0 <= ms <= MAX_ADVANCE_MS:
            raise ValueError(f"ms must be between 0 and {MAX_ADVANCE_MS}")
        self.clock.advance(ms)
        self.sync()

    def jump_price(self, coin: str, px: Decimal) -> None:
        """Shock a path to `px` now; crossed orders and triggers are processed at once, at current time."""
        self.sync()
        if coin not in self.market.specs:
            raise ValueError(f"unknown coin {coin}")
        self.market.jump(coin, px)
        self.engine.on_tick(self.now_ms())
        self.flush(mids_changed=True)

    # --- events ----------------------------------------------------------------------------------------

    def mids_wire(self) -> dict[str, str]:
        return {coin: wire(px) for coin, px in self.market.mids().items()}

    def flush(self, mids_changed: bool = False) -> None:
        out = self.engine.drain()
        for user, fills in out.fills.items():
            self.hub.publish_fills(user, [render.fill(f) for f in fills])
        for user, updates in out.order_updates.items():
            self.hub.publish_order_updates(user, updates)
        if mids_changed:
            self.hub.publish_mids(self.mids_wire())

    # --- accounts --------------------------------------------------------------------------------------

    def fund(self, user: str, amount: Decimal, vault_leader: str | None = None) -> None:
        if amount <= 0:
            raise ValueError("usd must be positive")
        self.engine.fund(user, amount)
        if vault_leader is not None:
            self.vault_leaders[user] = vault_leader

    def withdraw(self, user: str, amount: Decimal) -> None:
        """Take USDC out to the (simulated) bridge, up to what is withdrawable: value minus margin in use."""
        if amount <= 0:
            raise ValueError("usd must be positive")
        account = self.engine.account(user)
        if account is None:
            raise ValueError(f"unknown account {user}")
        mids = self.market.mids()
        withdrawable = account.account_value(mids) - margin_used(account, mids, self.engine.margin_params())
        if amount > withdrawable:
            raise ValueError(f"usd {amount} exceeds withdrawable {withdrawable:.6f}")
        account.withdraw(amount)

    def approve_agent(self, user: str, agent: str, name: str) -> None:
        # Like the venue: a new unnamed agent replaces the previous unnamed one; a name replaces its namesake.
        previous = self.named_agents.get((user, name))
        if previous is not None:
            self.agents.pop(previous, None)
        self.named_agents[(user, name)] = agent
        self.agents[agent] = user
