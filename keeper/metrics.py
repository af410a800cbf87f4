"""Prometheus metrics of one keeper process, refreshed from its status snapshot (no globals: an own registry).

Served on `VAULTCRAFT_KEEPER_METRICS_PORT` when set. Names: vaultcraft_keeper_* (see docs/operator-manual.md).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Gauge, start_http_server

_WRITER_FIELDS = (
    "sent",
    "confirmed",
    "adopted",
    "failed",
    "rebroadcasts",
    "fee_bumps",
    "nonce_taken",
    "reorged",
)
_INGEST_FIELDS = ("ws_fills", "reconciled_fills", "ws_dropped_suspected")


class KeeperMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()

        def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(f"vaultcraft_keeper_{name}", doc, labels, registry=self.registry)

        self.leader = gauge("is_leader", "1 while this process holds the lease and writes on-chain")
        self.alert = gauge(
            "alert", "1 while the keeper halts on an alert (quarantine, repeated failures, divergence)"
        )
        self.chain_errors = gauge(
            "consecutive_chain_errors", "RPC failures in a row (0 when the node answers)"
        )
        self.outbox = gauge("outbox_entries", "Outbox intents by status", ("status",))
        self.oldest_open_age = gauge("outbox_oldest_open_age_seconds", "Age of the oldest unfinished intent")
        self.writer = gauge("writer_events", "Chain writer events since start", ("event",))
        self.ingest = gauge(
            "ingest_fills", "Fills by how they arrived, and suspected socket drops", ("kind",)
        )
        self.reconciled_ok = gauge("reconciliation_ok", "1 if the last store-vs-chain check agreed, 0 if not")

    def update(self, status: dict[str, Any], now_ms: int) -> None:
        self.leader.set(1 if status.get("is_leader") else 0)
        ingest = status.get("ingest") or {}
        for kind in _INGEST_FIELDS:
            self.ingest.labels(kind).set(int(ingest.get(kind) or 0))
        chain = status.get("chain")
        if not chain:
            return
        self.alert.set(1 if chain.get("alert") else 0)
        self.chain_errors.set(int(chain.get("consecutive_chain_errors") or 0))
        outbox = chain.get("outbox") or {}
        for state, count in (outbox.get("by_status") or {}).items():
            self.outbox.labels(state).set(int(count))
        oldest = outbox.get("oldest_open_ms")
        self.oldest_open_age.set(0 if oldest is None else max(0, now_ms - int(oldest)) / 1000)
        for event in _WRITER_FIELDS:
            self.writer.labels(event).set(int((chain.get("writer") or {}).get(event, 0)))
        verdict = chain.get("reconciliation")
        if verdict is not None:
            self.reconciled_ok.set(1 if verdict.get("ok") else 0)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        start_http_server(port, addr=host, registry=self.registry)
