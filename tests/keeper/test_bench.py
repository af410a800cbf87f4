"""The ingest micro-benchmark runs and stores every fill once (the figure is printed, not asserted)."""

from __future__ import annotations

from pathlib import Path

from keeper.bench import ingest_fills_per_s


def test_ingest_bench__small_run__returns_positive_rate(tmp_path: Path) -> None:
    assert ingest_fills_per_s(n=5_000, db_dir=tmp_path) > 0
