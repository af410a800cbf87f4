"""Keeper metrics mirror the status snapshot an operator would alert on."""

from __future__ import annotations

import httpx

from keeper.metrics import KeeperMetrics
from tests.fixtures.venue_process import free_port

STATUS = {
    "is_leader": True,
    "ingest": {"ws_fills": 7, "reconciled_fills": 2, "ws_dropped_suspected": 1},
    "chain": {
        "alert": "epoch 4: report quarantined",
        "consecutive_chain_errors": 3,
        "outbox": {"by_status": {"confirmed": 12, "sent": 1}, "oldest_open_ms": 10_000},
        "writer": {"sent": 13, "rebroadcasts": 2, "fee_bumps": 1},
        "reconciliation": {"ok": False},
    },
}


def value(metrics: KeeperMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels or None)


def test_status_becomes_gauges() -> None:
    metrics = KeeperMetrics()
    metrics.update(STATUS, now_ms=25_000)
    assert value(metrics, "vaultcraft_keeper_is_leader") == 1
    assert value(metrics, "vaultcraft_keeper_alert") == 1
    assert value(metrics, "vaultcraft_keeper_consecutive_chain_errors") == 3
    assert value(metrics, "vaultcraft_keeper_outbox_entries", status="sent") == 1
    assert value(metrics, "vaultcraft_keeper_outbox_oldest_open_age_seconds") == 15
    assert value(metrics, "vaultcraft_keeper_writer_events", event="rebroadcasts") == 2
    assert value(metrics, "vaultcraft_keeper_ingest_fills", kind="reconciled_fills") == 2
    assert value(metrics, "vaultcraft_keeper_reconciliation_ok") == 0


def test_a_standby_without_chain_duties_reports_no_alert() -> None:
    metrics = KeeperMetrics()
    metrics.update({"is_leader": False, "ingest": {}, "chain": None}, now_ms=0)
    assert value(metrics, "vaultcraft_keeper_is_leader") == 0
    assert value(metrics, "vaultcraft_keeper_alert") == 0


def test_served_over_http_from_its_own_registry() -> None:
    metrics, port = KeeperMetrics(), free_port()
    metrics.serve(port)
    metrics.update(STATUS, now_ms=25_000)
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "vaultcraft_keeper_alert 1.0" in body.splitlines()
    assert 'vaultcraft_keeper_outbox_entries{status="confirmed"} 12.0' in body.splitlines()
