"""Sticky routing of conversations over several Rasa servers: a consistent-hash ring.

Why a ring: a conversation must always reach the same Rasa server while that server is up (its
lock and its turns stay on one process), and when a server goes down only *its* conversations
move — to the next server on the ring, which reads their tracker from the shared SQL store.
Virtual nodes spread each server over the ring so the load stays balanced.

The `Drain` registry is process-wide: a rolling restart (bot/stack.py) marks a server as draining,
every router of the process skips it until it is back."""
from __future__ import annotations

import bisect
import hashlib
import threading
import time
from collections.abc import Iterable, Sequence

VIRTUAL_NODES = 160


def _point(value: str) -> int:
    """A stable 64-bit position (never Python's `hash`, which changes with each process)."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


class HashRing:
    """Nodes (e.g. Rasa URLs) placed `replicas` times each on a 64-bit ring."""

    def __init__(self, nodes: Iterable[str] = (), replicas: int = VIRTUAL_NODES) -> None:
        self.replicas = replicas
        self._points: list[int] = []
        self._owners: list[str] = []
        self.nodes: list[str] = []
        for node in nodes:
            self.add(node)

    def add(self, node: str) -> None:
        if node in self.nodes:
            return
        self.nodes.append(node)
        for i in range(self.replicas):
            point = _point(f"{node}#{i}")
            at = bisect.bisect(self._points, point)
            self._points.insert(at, point)
            self._owners.insert(at, node)

    def remove(self, node: str) -> None:
        if node not in self.nodes:
            return
        self.nodes.remove(node)
        kept = [(p, o) for p, o in zip(self._points, self._owners) if o != node]
        self._points = [p for p, _ in kept]
        self._owners = [o for _, o in kept]

    def candidates(self, key: str) -> list[str]:
        """Every node, in the order a key tries them: its owner first, then clockwise."""
        if not self._points:
            return []
        start = bisect.bisect(self._points, _point(key)) % len(self._points)
        seen: list[str] = []
        for i in range(len(self._points)):
            owner = self._owners[(start + i) % len(self._points)]
            if owner not in seen:
                seen.append(owner)
                if len(seen) == len(self.nodes):
                    break
        return seen

    def node_for(self, key: str, skip: Iterable[str] = ()) -> str | None:
        """The node that serves `key`, skipping the ones that are down or draining."""
        skipped = set(skip)
        return next((n for n in self.candidates(key) if n not in skipped), None)


class Drain:
    """Servers taken out of the ring on purpose (rolling restart), shared by the whole process."""
    _lock = threading.Lock()
    _draining: set[str] = set()
    _in_flight: dict[str, int] = {}

    @classmethod
    def start(cls, url: str) -> None:
        with cls._lock:
            cls._draining.add(url.rstrip("/"))

    @classmethod
    def stop(cls, url: str) -> None:
        with cls._lock:
            cls._draining.discard(url.rstrip("/"))

    @classmethod
    def current(cls) -> frozenset[str]:
        with cls._lock:
            return frozenset(cls._draining)

    @classmethod
    def enter(cls, url: str) -> None:
        """A turn is being sent to `url` (counted so a drain can wait for it to finish)."""
        with cls._lock:
            cls._in_flight[url] = cls._in_flight.get(url, 0) + 1

    @classmethod
    def leave(cls, url: str) -> None:
        with cls._lock:
            cls._in_flight[url] = max(0, cls._in_flight.get(url, 0) - 1)

    @classmethod
    def wait_idle(cls, url: str, timeout: float) -> bool:
        """Until no turn of this process is in flight on `url` (True) or `timeout` (False)."""
        url = url.rstrip("/")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with cls._lock:
                if not cls._in_flight.get(url):
                    return True
            time.sleep(0.05)
        return False


class Router:
    """A ring plus what the process knows of each server's health: a server that refused a
    connection is skipped for `cooldown` seconds, then tried again by the next turn for it."""

    def __init__(self, urls: Sequence[str], cooldown: float = 3.0) -> None:
        self.urls = [u.rstrip("/") for u in urls]
        self.ring = HashRing(self.urls)
        self.cooldown = cooldown
        self._down_until: dict[str, float] = {}

    def unavailable(self) -> set[str]:
        now = time.monotonic()
        down = {u for u, until in self._down_until.items() if until > now}
        return down | set(Drain.current())

    def order(self, sender: str) -> list[str]:
        """Servers to try for one turn: the sticky one first; down or draining ones at the end
        (tried last rather than never, so a stack where all look down still gets a chance)."""
        skip = self.unavailable()
        ranked = self.ring.candidates(sender)
        return [u for u in ranked if u not in skip] + [u for u in ranked if u in skip]

    def mark_down(self, url: str) -> None:
        self._down_until[url] = time.monotonic() + self.cooldown

    def mark_up(self, url: str) -> None:
        self._down_until.pop(url, None)


def parse_urls(value: str) -> list[str]:
    """`RASA_URL` may list several servers, separated by commas."""
    return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
