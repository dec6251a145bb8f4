"""Latency of masking one message (tremplin.privacy.mask) over the labelled corpus, and the one-time
cost of loading spaCy's French model, with the process's memory after loading.

    python bench/privacy_mask.py [--rounds 3]

Every corpus message is masked `rounds` times (after one warm-up pass); p50/p95/p99/max are per message.
Only numbers are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tremplin.privacy import Audience, mask  # noqa: E402
from tremplin.privacy.evaluation import AUDIENCES, load  # noqa: E402
from tremplin.privacy.masker import analyzer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = load(ROOT / "tests" / "privacy")
    started = time.perf_counter()
    analyzer()
    loaded = time.perf_counter() - started
    for row in rows:  # warm-up
        mask(row["text"], AUDIENCES.get(row.get("dir"), Audience.PUPIL_TO_EMPLOYER), row.get("known_names", ()))
    times = []
    for _ in range(args.rounds):
        for row in rows:
            audience = AUDIENCES.get(row.get("dir"), Audience.PUPIL_TO_EMPLOYER)
            t0 = time.perf_counter()
            mask(row["text"], audience, row.get("known_names", ()))
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    q = statistics.quantiles(times, n=100)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model load (once per process): {loaded:.2f} s; peak RSS {rss:.0f} MiB")
    print(f"{len(times)} maskings of {len(rows)} messages (mean {statistics.mean(len(r['text']) for r in rows):.0f} chars)")
    print(f"per message: p50 {q[49]:.1f} ms  p95 {q[94]:.1f} ms  p99 {q[98]:.1f} ms  max {times[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
