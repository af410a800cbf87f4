"""Ready-made readiness probes for `/readyz` (the store and chain add their own `ReadinessProbe`s)."""

from __future__ import annotations

from typing import Any

from api.container import ReadinessProbe


def redis_probe(client: Any, name: str = "redis") -> ReadinessProbe:
    """Ready when `PING` answers (async redis client)."""

    async def check() -> bool:
        return bool(await client.ping())

    return ReadinessProbe(name, check)
