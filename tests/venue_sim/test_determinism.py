"""Same seed -> same price path, across processes and regardless of how time is stepped."""

from __future__ import annotations

from tests.venue_sim.conftest import SimProcess, spawn_sim, wait_ready
from venue_sim.config import SimConfig
from venue_sim.state import VenueState


def mids_path(sim: SimProcess, steps: int) -> list[dict[str, str]]:
    return [sim.sim("/sim/advance", {"ms": 1000})["mids"] for _ in range(steps)]


def test_same_seed_same_mids_across_processes() -> None:
    sims = [spawn_sim("--step-clock", "--seed", seed) for seed in ("42", "42", "43")]  # boot in parallel
    try:
        a, b, c = (mids_path(wait_ready(sim), 15) for sim in sims)
    finally:
        for sim in sims:
            sim.stop()
    assert a == b
    assert a != c
    assert len({m["BTC"] for m in a}) > 1  # the path actually moves


def test_path_depends_on_tick_index_not_step_size() -> None:
    config = SimConfig(seed=5, step_clock=True, start_time_ms=1_700_000_000_000)
    coarse, fine = VenueState(config), VenueState(config)
    coarse.advance(10_000)
    for _ in range(20):
        fine.advance(500)
    assert coarse.mids_wire() == fine.mids_wire()
    assert coarse.now_ms() == fine.now_ms() == 1_700_000_010_000
