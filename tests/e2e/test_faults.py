"""Fault tests with real processes: the keeper killed at random points, a lossy WebSocket, Anvil restarted,
an RPC provider failing requests, and a report the oracle's bounds reject."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

from tests.e2e.harness import Chain, Scenario, wait_for
from tests.fixtures.flaky_rpc import FlakyRpc

KILLS = 20


def _trade_in_background(scenario: Scenario, orders: int, pause_s: float) -> threading.Thread:
    thread = threading.Thread(target=scenario.trade, args=(orders, pause_s), daemon=True)
    thread.start()
    return thread


def _running(scenario: Scenario, keeper) -> None:
    keeper.start()
    wait_for(lambda: scenario.epoch() >= 2, 60, "epoch 1 settled")
    scenario.fund_venue()


def test_sigkill_twenty_times_loses_and_duplicates_nothing(fresh_stack, sim, tmp_path: Path) -> None:
    scenario = Scenario(Chain(fresh_stack), sim, tmp_path).prepare()
    keeper = scenario.keeper()
    _running(scenario, keeper)
    orders = _trade_in_background(scenario, 60, 0.1)
    rng = random.Random(20261124)
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.05, 0.8))
        keeper.kill()
        keeper.start()
    orders.join(timeout=120)
    wait_for(scenario.all_fills_on_chain, 90, "every fill on-chain after the kills")
    epoch = scenario.epoch()
    wait_for(lambda: scenario.epoch() > epoch, 60, "an epoch settled after the kills")
    assert keeper.stop() == 0
    scenario.assert_mirrored_exactly_once()


def test_thirty_percent_websocket_loss_still_mirrors_each_fill_once(fresh_stack, sim, tmp_path: Path) -> None:
    scenario = Scenario(Chain(fresh_stack), sim, tmp_path).prepare()
    sim.sim("/sim/config", {"ws_drop_rate": "0.3", "ws_delay_ms": 300})
    keeper = scenario.keeper()
    try:
        _running(scenario, keeper)
        scenario.trade(30, 0.05)
        wait_for(scenario.all_fills_on_chain, 90, "every fill on-chain despite the lossy socket")
    finally:
        sim.sim("/sim/config", {"ws_drop_rate": "0", "ws_delay_ms": 0})
        keeper.stop()
    scenario.assert_mirrored_exactly_once()
    status = [line for line in keeper.log_lines() if line.get("event") == "keeper_status"][-1]
    assert status["ingest"]["reconciled_fills"] > 0  # REST recovered what the socket dropped


def test_anvil_restart_mid_run_is_survived(fresh_stack, sim, tmp_path: Path) -> None:
    scenario = Scenario(Chain(fresh_stack), sim, tmp_path).prepare()
    keeper = scenario.keeper()
    _running(scenario, keeper)
    orders = _trade_in_background(scenario, 20, 0.1)
    time.sleep(1.0)
    fresh_stack.anvil.stop()  # SIGTERM: Anvil dumps its state; the mempool is lost
    time.sleep(3.0)
    fresh_stack.anvil.start()
    orders.join(timeout=120)
    wait_for(scenario.all_fills_on_chain, 90, "every fill on-chain after the restart")
    assert keeper.stop() == 0
    scenario.assert_mirrored_exactly_once()
    errors = [line for line in keeper.log_lines() if line.get("event") == "chain_unavailable"]
    assert errors, "the outage should have been seen and retried"


def test_rpc_failing_a_third_of_requests_is_retried(fresh_stack, sim, tmp_path: Path) -> None:
    scenario = Scenario(Chain(fresh_stack), sim, tmp_path).prepare()
    proxy = FlakyRpc(fresh_stack.url, failure_rate=0.3).start()
    keeper = scenario.keeper(rpc_url=proxy.url)
    try:
        _running(scenario, keeper)
        scenario.trade(20, 0.05)
        wait_for(scenario.all_fills_on_chain, 120, "every fill on-chain through the flaky RPC")
    finally:
        keeper.stop()
        proxy.stop()
    assert proxy.failures > 0
    scenario.assert_mirrored_exactly_once()


def test_report_outside_bounds_is_quarantined_and_posting_stops(fresh_stack, sim, tmp_path: Path) -> None:
    scenario = Scenario(Chain(fresh_stack), sim, tmp_path).prepare()
    chain, oracle = scenario.chain, scenario.oracle
    keeper = scenario.keeper(VAULTCRAFT_KEEPER_NAV_OUT_OF_BOUNDS_GRACE_S="2")
    _running(scenario, keeper)
    wait_for(lambda: scenario.epoch() >= 3, 60, "a settled epoch with capital at the venue")
    # Bounds of 0.01% per report: the next valuation (fees, marks) moves the share price by more.
    chain.send(oracle.functions.set_nav_guards(1, 86_400, 1, 7 * 86_400, 1), fresh_stack.key("admin"))
    sim.sim("/sim/fund", {"user": scenario.venue_account, "usd": "2000"})  # +5% at the venue
    wait_for(lambda: scenario.vault.functions.quarantined().call(), 60, "the report quarantined")
    waited = [line for line in keeper.log_lines() if line.get("event") == "nav_out_of_bounds_waiting"]
    assert waited, "the keeper should re-snapshot for the grace period before posting out of bounds"
    stuck_epoch = scenario.epoch()
    posted_before = len(oracle.events.ReportQuarantined.get_logs(from_block=0))
    time.sleep(6)  # two epoch intervals: a looping keeper would try again
    assert scenario.epoch() == stuck_epoch
    assert len(oracle.events.ReportQuarantined.get_logs(from_block=0)) == posted_before
    status = [line for line in keeper.log_lines() if line.get("event") == "keeper_status"][-1]
    assert "quarantined" in (status["chain"]["alert"] or ""), status["chain"]
    # The guardian accepts it: the epoch settles and the keeper goes on by itself.
    quarantined = oracle.events.ReportQuarantined.get_logs(from_block=0)[-1]["args"]["report"]
    chain.send(oracle.functions.set_nav_guards(1, 86_400, 1_000, 7 * 86_400, 3_000), fresh_stack.key("admin"))
    chain.send(oracle.functions.resolve_quarantine(quarantined, True), fresh_stack.key("guardian"))
    wait_for(lambda: scenario.epoch() > stuck_epoch + 1, 60, "epochs settle after the accept")
    assert keeper.stop() == 0
    # The accepted report counts as posted (statements and reconciliation see it), not as quarantined.
    assert scenario.report_status(stuck_epoch) == "posted"
    verdict = scenario.verdict()
    assert verdict.ok, verdict.problems
