"""Two keepers on one PostgreSQL store: exactly one holds the lease and writes; when it dies the other takes
over within the lease time and finishes the work, with nothing lost or posted twice."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from tests.e2e.harness import Chain, Scenario, wait_for
from tests.keeper.fixtures.stores import pg_schemas, pg_url  # noqa: F401

LEASE_TTL_MS = 3_000


def _events(keeper, name: str) -> list[dict]:
    return [line for line in keeper.log_lines() if line.get("event") == name]


def test_standby_keeper_takes_over_when_the_leader_dies(fresh_stack, sim, pg_url, tmp_path: Path) -> None:  # noqa: F811
    scenario = Scenario(Chain(fresh_stack), sim, tmp_path).prepare()
    scenario.db_url = pg_url
    settings = {"VAULTCRAFT_KEEPER_LEASE_TTL_MS": str(LEASE_TTL_MS)}
    first = scenario.keeper(log_name="first.log", **settings).start()
    wait_for(lambda: _events(first, "leadership_changed"), 30, "the first keeper leads")
    second = scenario.keeper(log_name="second.log", **settings).start()
    try:
        wait_for(lambda: scenario.epoch() >= 2, 60, "epoch 1 settled")
        scenario.fund_venue()
        scenario.trade(10, 0.05)
        wait_for(scenario.all_fills_on_chain, 60, "the leader mirrored the first fills")
        assert not _events(second, "outbox_sent"), "the standby wrote while the leader lived"
        first.kill()
        killed_at = time.time()
        scenario.trade(10, 0.05)
        wait_for(scenario.all_fills_on_chain, 90, "the standby mirrored the rest")
        took_over = [e for e in _events(second, "leadership_changed") if e.get("leader")]
        assert took_over, "the standby never took the lease"
        delay = datetime.fromisoformat(took_over[0]["timestamp"]).timestamp() - killed_at
        assert 0 < delay <= LEASE_TTL_MS / 1000 + 2, f"takeover after {delay:.1f} s"
        epoch = scenario.epoch()
        wait_for(lambda: scenario.epoch() > epoch, 60, "the new leader settles epochs")
    finally:
        assert second.stop() == 0
        first.kill()
    assert _events(second, "outbox_sent"), "the standby never wrote after taking over"
    scenario.assert_mirrored_exactly_once()
