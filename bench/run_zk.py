"""`make bench-zk`: proofs-library throughput -> bench/results/zk.json (a benchmark, not a test)."""

import json
from pathlib import Path

from zk.bench import run

OUT = Path("bench/results/zk.json")

if __name__ == "__main__":
    results = run()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    for name, value in results.items():
        print(f"{name:40} {value}")
    print(f"wrote {OUT}")
