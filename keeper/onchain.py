"""The leader's chain duties, one `step()` at a time: batch new fills, advance the outbox, run the NAV epoch.

Transient chain failures (node down, restarting, timeouts) back off exponentially and show in `status()`;
a diverged trade log halts the duties (nothing more is posted) until an operator intervenes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from keeper import logs
from keeper.chain.client import ChainClient, ChainUnavailable
from keeper.chain.contracts import VaultContracts
from keeper.config import KeeperSettings
from keeper.ingest.clock import Clock
from keeper.nav.engine import NavEngine, NavReportHandler, NavSettings, VenueReader
from keeper.outbox.queue import backlog
from keeper.outbox.writer import ChainWriter, WriterSettings
from keeper.reconcile import reconcile
from keeper.store.repo import Store
from keeper.trades.handlers import DivergedError, KeyWrapHandler, TradeBatchHandler
from keeper.trades.mirror import EpochInfo, TradeMirror
from zk.hpke import AuditorPublicKey
from zk.keyfiles import load_root_key

log = logs.get_logger(__name__)
MAX_WRITER_STEPS = 16
MAX_BACKOFF_S = 10.0


def active_auditors(client: ChainClient, contracts: VaultContracts) -> Sequence[AuditorPublicKey]:
    """Auditor keys registered for the vault and active at the latest block."""
    registry = contracts.registry
    added = client.rpc(
        registry.events.AuditorAdded.get_logs,
        from_block=contracts.deployment_block,
        argument_filters={"vault": contracts.address},
    )
    now = int(client.block("latest")["timestamp"])
    keys = sorted({bytes(e["args"]["auditor_key"]) for e in added})
    return [
        AuditorPublicKey(k)
        for k in keys
        if client.call(registry.functions.is_active(contracts.address, k, now))
    ]


@dataclass
class ChainDuties:
    store: Store
    client: ChainClient
    contracts: VaultContracts
    writer: ChainWriter
    mirror: TradeMirror
    engine: NavEngine
    clock: Clock
    tick_s: float
    halted: str | None = None
    last_error: str | None = None
    consecutive_errors: int = 0
    last_nav_state: str | None = None
    verdict: dict[str, Any] | None = None
    reconcile_every_s: float = 30.0
    _last_reconcile: float = 0.0
    _epoch_start: dict[int, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls, settings: KeeperSettings, store: Store, venue: VenueReader, account: str, clock: Clock
    ) -> ChainDuties:
        rpc_url, deployment_file, vault = settings.chain_config()
        keys = settings.keeper_keys_hex()
        client = ChainClient(rpc_url, keys[0])
        contracts = VaultContracts.bind(client, Path(deployment_file), vault)
        root_key = None
        if contracts.is_private:
            if settings.view_root_key_file is None:
                from keeper.config import ConfigError

                raise ConfigError("private vault: set VAULTCRAFT_KEEPER_VIEW_ROOT_KEY_FILE")
            root_key = load_root_key(settings.view_root_key_file)
        handlers = {
            "trade": TradeBatchHandler(client, contracts),
            "key_wraps": KeyWrapHandler(client, contracts),
            "nav": NavReportHandler(client, contracts, clock),
        }
        writer = ChainWriter(
            store,
            client,
            contracts.address,
            handlers,
            clock,
            WriterSettings(
                confirmations=settings.confirmations, resend_after_ms=settings.rebroadcast_after_ms
            ),
        )
        salt = settings.salt_secret_bytes()
        mirror = TradeMirror(
            store,
            contracts.chain_id,
            contracts.address,
            venue.name,
            account,
            salt,
            root_key,
            lambda: active_auditors(client, contracts),
        )
        engine = NavEngine(
            store,
            client,
            contracts,
            venue,
            salt,
            keys,
            clock,
            NavSettings(
                settings.epoch_interval_s, settings.nav_max_failures, settings.nav_out_of_bounds_grace_s
            ),
            has_unbatched_fills=mirror.has_unbatched,
        )
        return cls(store, client, contracts, writer, mirror, engine, clock, settings.chain_tick_ms / 1000)

    def _epoch(self) -> EpochInfo:
        epoch = int(self.client.call(self.contracts.vault.functions.epoch()))
        if epoch not in self._epoch_start:
            self._epoch_start = {epoch: self.engine.epoch_start_ts(epoch)}
        return EpochInfo(epoch, self._epoch_start[epoch])

    def _write(self) -> None:
        self.mirror.batch_once(self._epoch(), self.clock.now_ms())
        for _ in range(MAX_WRITER_STEPS):
            if not self.writer.step():
                break

    async def step(self) -> None:
        # Batching and the outbox make blocking RPC calls: a worker thread keeps the ingester's socket served.
        await asyncio.to_thread(self._write)
        self.last_nav_state = await self.engine.tick()
        if time.monotonic() - self._last_reconcile >= self.reconcile_every_s:
            self._last_reconcile = time.monotonic()
            verdict = await asyncio.to_thread(reconcile, self.store, self.client, self.contracts)
            self.verdict = verdict.as_dict()
            if not self.verdict["ok"]:
                log.error("reconciliation_mismatch", problems=self.verdict["problems"])

    async def run(self, stop: asyncio.Event, is_leader: Callable[[], bool]) -> None:
        while not stop.is_set():
            delay = self.tick_s
            if is_leader() and self.halted is None:
                try:
                    await self.step()
                    self.consecutive_errors, self.last_error = 0, None
                except ChainUnavailable as exc:
                    self.consecutive_errors += 1
                    self.last_error = str(exc)[:300]
                    delay = min(MAX_BACKOFF_S, self.tick_s * 2 ** min(self.consecutive_errors, 8))
                    log.warning("chain_unavailable", error=self.last_error, retry_in_s=delay)
                except DivergedError as exc:
                    self.halted = str(exc)
                    log.error("trade_log_diverged", error=self.halted)
                except Exception as exc:  # an unforeseen node answer must not kill the daemon: back off
                    self.consecutive_errors += 1
                    self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                    delay = MAX_BACKOFF_S
                    log.exception("chain_step_failed", error=self.last_error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)

    def status(self) -> dict[str, Any]:
        with self.store.session() as session:
            queue = backlog(session, self.contracts.address).as_dict()
        return {
            "vault": self.contracts.address,
            "outbox": queue,
            "nav_state": self.last_nav_state,
            "alert": self.halted or self.engine.alert,
            "chain_error": self.last_error,
            "consecutive_chain_errors": self.consecutive_errors,
            "writer": asdict(self.writer.stats),
            "reconciliation": self.verdict,
        }
