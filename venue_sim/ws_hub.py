"""WebSocket fan-out: subscription registry per connection, fault injection (drop / delay), ordering.

Each connection has its own queue and sender task, so a slow client never blocks the engine, and messages
to one client keep their order even with a delay (every message waits until publish time + delay).
Drops are decided at publish time by a per-connection RNG seeded from (seed, connection number), so a
given run drops the same messages every time. Snapshots, allMids and pongs are never dropped: only
incremental userFills/orderUpdates are, which is exactly what REST reconciliation must recover.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from venue_sim.config import SimConfig

_DROP_SCALE = 1_000_000


@dataclass
class Connection:
    number: int
    rng: random.Random
    queue: asyncio.Queue[tuple[float, str]] = field(default_factory=asyncio.Queue)
    # ("allMids", "") | ("userFills", user) | ("orderUpdates", user)
    subscriptions: set[tuple[str, str]] = field(default_factory=set)
    dropped: int = 0
    sent: int = 0


class WsHub:
    def __init__(self, config: Callable[[], SimConfig]) -> None:
        self._config = config
        self._connections: dict[int, Connection] = {}
        self._count = 0
        self.dropped_total = 0

    def connect(self) -> Connection:
        self._count += 1
        conn = Connection(self._count, random.Random(f"venue-sim-ws:{self._config().seed}:{self._count}"))
        self._connections[conn.number] = conn
        return conn

    def disconnect(self, conn: Connection) -> None:
        self._connections.pop(conn.number, None)

    def send(self, conn: Connection, message: Any, droppable: bool = False) -> None:
        cfg = self._config()
        if droppable and cfg.ws_drop_rate > 0:
            threshold = int(cfg.ws_drop_rate * _DROP_SCALE)
            if conn.rng.randrange(_DROP_SCALE) < threshold:
                conn.dropped += 1
                self.dropped_total += 1
                return
        due = asyncio.get_running_loop().time() + cfg.ws_delay_ms / 1000
        text = message if isinstance(message, str) else json.dumps(message, default=str)
        conn.queue.put_nowait((due, text))

    def _subscribers(self, key: tuple[str, str]) -> list[Connection]:
        return [c for c in self._connections.values() if key in c.subscriptions]

    def publish_mids(self, mids: dict[str, str]) -> None:
        for conn in self._subscribers(("allMids", "")):
            self.send(conn, {"channel": "allMids", "data": {"mids": mids}})

    def publish_fills(self, user: str, fills: list[dict[str, Any]]) -> None:
        for conn in self._subscribers(("userFills", user)):
            self.send(conn, {"channel": "userFills", "data": {"user": user, "fills": fills}}, droppable=True)

    def publish_order_updates(self, user: str, updates: list[dict[str, Any]]) -> None:
        for conn in self._subscribers(("orderUpdates", user)):
            self.send(conn, {"channel": "orderUpdates", "data": updates}, droppable=True)

    @staticmethod
    async def pump(conn: Connection, send_text: Callable[[str], Any]) -> None:
        """Sender loop for one connection: waits out the configured delay, then sends in order."""
        loop = asyncio.get_running_loop()
        while True:
            due, text = await conn.queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await send_text(text)
            conn.sent += 1
