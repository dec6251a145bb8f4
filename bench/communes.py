"""Prints how long loading and resolving communes takes (numbers only, no assertion)."""
from __future__ import annotations

import statistics
import time

from tremplin.geography.communes import CommuneIndex

QUERIES = ["st etienne", "chalon sur saone", "42600", "feur", "montbrisson", "Paris", "Saint-Just (42)",
           "noiretable", "cluny", "marcigny"]


def main() -> None:
    start = time.perf_counter()
    index = CommuneIndex.load()
    print(f"load: {(time.perf_counter() - start) * 1000:.0f} ms for {len(index)} communes")
    timings = []
    for _ in range(20):
        for query in QUERIES:
            t0 = time.perf_counter()
            index.resolve(query)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(f"resolve: p50 {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms")


if __name__ == "__main__":
    main()
