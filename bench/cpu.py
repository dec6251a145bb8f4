"""Processor time per process group, read from /proc: what a turn costs each part of the stack,
whatever else the machine is doing (latencies move with the machine's load; CPU time per turn
barely does). Linux only; used by bench/load.py."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid_dir: Path) -> tuple[int, int, float] | None:
    """(pid, process group, user + system seconds) of one live process."""
    try:
        raw = (pid_dir / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # the name may hold spaces and parentheses
    return int(pid_dir.name), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICK


def group_seconds(groups: dict[str, set[int]], pids: dict[str, set[int]] | None = None) -> dict[str, float]:
    """CPU seconds used so far by each named set of process groups (services started in their own
    group: a server and the workers it forks) and of single pids (PostgreSQL backends)."""
    totals = {name: 0.0 for name in [*groups, *(pids or {})]}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(entry)
        if stat is None:
            continue
        pid, pgrp, seconds = stat
        for name, wanted in groups.items():
            if pgrp in wanted:
                totals[name] += seconds
        for name, wanted in (pids or {}).items():
            if pid in wanted:
                totals[name] += seconds
    return totals


@dataclass
class CpuMeter:
    """Seconds of CPU spent by each part between `start()` and `stop()`."""
    groups: dict[str, set[int]]
    pids: dict[str, set[int]]
    own: str = "gateway+simulated users"  # what this process is doing

    def start(self) -> None:
        self.before = group_seconds(self.groups, self.pids)
        self.own_before = sum(os.times()[:2])

    def stop(self) -> dict[str, float]:
        after = group_seconds(self.groups, self.pids)
        spent = {name: after[name] - self.before.get(name, 0.0) for name in after}
        spent[self.own] = sum(os.times()[:2]) - self.own_before
        return spent
