"""A token bucket per key (partner, browser session): enough for one process; the limits are small."""
from __future__ import annotations

import time
from collections import OrderedDict


class RateLimiter:
    """`per_minute` requests a minute on average, bursts up to `burst`; returns the wait when refused."""

    def __init__(self, per_minute: float, burst: int | None = None, memory: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, int(per_minute)))
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._memory = memory

    def check(self, key: str, now: float | None = None) -> float:
        """0 when allowed (and counted), else the seconds to wait before the next request."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1 - tokens) / self.rate if self.rate > 0 else 60.0
        while len(self._buckets) > self._memory:
            self._buckets.popitem(last=False)
        return wait
