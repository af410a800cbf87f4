"""`make bench-keeper`: fill ingestion throughput into SQLite -> bench/results/keeper.json."""

import json
from pathlib import Path

from keeper.bench import ingest_fills_per_s

OUT = Path("bench/results/keeper.json")

if __name__ == "__main__":
    existing = json.loads(OUT.read_text()) if OUT.exists() else {}
    existing["ingest_fills_per_s"] = round(ingest_fills_per_s(100_000))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    print(f"ingest_fills_per_s {existing['ingest_fills_per_s']}")
    print(f"wrote {OUT}")
