"""The benchmark entry point runs end to end on tiny sizes (numbers come from zk.bench.run, not tests)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_bench__tiny_run__reports_every_metric() -> None:
    from zk.bench import run

    result = run(n_leaves=1_000, depth=10, n_records=20)
    for key in ("merkle_build_1m_leaves_s", "hpke_seal_per_record_us", "audit_decrypt_check_per_record_us"):
        assert isinstance(result[key], float) and result[key] > 0
