"""Load through the real stack: N simulated pupils on the real Telegram gateway (fake Bot API),
real Rasa servers and action servers, with a think time (5 s) and without (saturation), on
SQLite and PostgreSQL, with 1 and 2 Rasa replicas — every combination in one run, side by side.

    python bench/load.py [--users 50] [--duration 60] [--think 5] [--databases sqlite,postgresql]
                         [--replicas 1,2] [--modes think,saturation] [--tmpdir DIR]
    python bench/load.py --short        # 10 users × 20 s, SQLite, 1 and 2 replicas (≈ 4 min)

Per database, one stack is started with as many Rasa servers (and action servers) as the largest
replica count; a « 1 replica » run routes the gateway to the first server only. Each pupil greets,
says they are a pupil, joins a class, then loops over searches, a FAQ and a thank-you. A turn's
latency runs from the update's arrival at the fake Bot API to the end of the gateway's handling
(every reply sent). Turns that time out, are empty or say « Oups » count as errors. Prints numbers;
asserts nothing (tests/e2e/test_stack_replicas_real.py runs the short form and checks errors).
Each line also gives the processor time one turn costs each part (Rasa servers, action servers,
this process — the gateway and the simulated users —, PostgreSQL backends), from /proc: unlike
latencies, it barely moves when other work shares the machine, and it says what 2 cores can hold."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cpu import CpuMeter  # noqa: E402
from tests.support.replica_stack import GatewayOverReplicas, ReplicaStack, start_replica_stack  # noqa: E402

OPENING = ["/start", "je suis élève", "mon code de classe c'est FEURS-3A"]
LOOP = ["je cherche un stage dans la santé", "c koi une convention de stage", "et dans la boulangerie ?",
        "je voudrais un stage en informatique vers roanne", "merci"]
FAILED = ("oups", "quelque chose s'est mal passé")


@dataclass
class Run:
    database: str
    replicas: int
    mode: str
    users: int
    duration: float
    latencies: list[float] = field(default_factory=list)
    by_message: dict[str, list[float]] = field(default_factory=dict)  # where the slow turns are
    errors: int = 0
    turns: int = 0
    wall: float = 0.0
    load_before: float = 0.0  # the machine's 1-min load average: other work skews the figures
    cpu: dict[str, float] = field(default_factory=dict)  # seconds of CPU per part during the run

    def pct(self, q: float) -> float:
        return _pct(self.latencies, q)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def pupil(gw: GatewayOverReplicas, chat_id: int, run: Run, think: float, until: float) -> None:
    user = gw.user(chat_id)
    step = 0
    while time.monotonic() < until:
        message = OPENING[step] if step < len(OPENING) else LOOP[(step - len(OPENING)) % len(LOOP)]
        step += 1
        started = time.monotonic()
        replies = await user.say(message)
        elapsed = time.monotonic() - started
        run.turns += 1
        if not replies or any(f in (r.text or "").lower() for r in replies for f in FAILED):
            run.errors += 1
        else:
            run.latencies.append(elapsed)
            run.by_message.setdefault(message, []).append(elapsed)
        if think:
            await asyncio.sleep(random.uniform(0.6 * think, 1.4 * think))


async def postgres_backends(gw: GatewayOverReplicas) -> set[int]:
    """The server processes serving this database (the pools of every part of the stack)."""
    if gw.engine.dialect.name != "postgresql":
        return set()
    from sqlalchemy import text
    async with gw.engine.connect() as conn:
        rows = await conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        return {row[0] for row in rows}


def meter_for(stack: ReplicaStack) -> CpuMeter:
    def groups(services: list) -> set[int]:
        return {s.process.pid for s in services if s.process is not None}
    return CpuMeter({"Rasa": groups(stack.rasa), "actions": groups(stack.actions)}, {})


async def load(urls: list[str], database_url: str, run: Run, think: float, first_chat: int,
               meter: CpuMeter | None = None, own_process: Path | None = None, tracker_url: str = "") -> None:
    run.load_before = os.getloadavg()[0]
    async with GatewayOverReplicas(urls, database_url, own_process, tracker_url) as gw:
        if meter is not None:
            meter.pids["PostgreSQL"] = await postgres_backends(gw)
            if gw.service is not None and gw.service.process is not None:
                meter.groups["gateway"] = {gw.service.process.pid}
                meter.own = "simulated users and fake Telegram"
            meter.start()
        started = time.monotonic()
        until = started + run.duration
        tasks = []
        for n in range(run.users):
            tasks.append(asyncio.create_task(pupil(gw, first_chat + n, run, think, until)))
            if think:  # arrivals spread over one think time, as a class does not type in sync
                await asyncio.sleep(think / run.users)
        await asyncio.gather(*tasks)
        run.wall = time.monotonic() - started
        if meter is not None:
            meter.pids["PostgreSQL"] |= await postgres_backends(gw)
            run.cpu = meter.stop()


def machine_speed() -> float:
    """Milliseconds for a fixed pure-Python loop: the same code on the same machine has measured
    1.6 times slower an hour later (a shared host); printed beside the figures to compare runs."""
    started = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return (time.process_time() - started) * 1000


def report(runs: list[Run]) -> None:
    print(f"\nmachine: a fixed Python loop takes {machine_speed():.0f} ms now (lower is faster)")
    print(f"{'base':10s} {'Rasa':>4s} {'mode':>14s} {'users':>5s} {'turns':>6s} {'turns/s':>8s} "
          f"{'p50 ms':>7s} {'p95 ms':>7s} {'p99 ms':>7s} {'errors':>6s} {'load':>5s}")
    for r in runs:
        print(f"{r.database:10s} {r.replicas:4d} {r.mode:>14s} {r.users:5d} {r.turns:6d} "
              f"{(r.turns - r.errors) / r.wall if r.wall else 0:8.2f} {r.pct(0.5) * 1000:7.0f} "
              f"{r.pct(0.95) * 1000:7.0f} {r.pct(0.99) * 1000:7.0f} {r.errors:6d} {r.load_before:5.1f}")
    by = {(r.database, r.mode, r.replicas): r for r in runs}
    for (database, mode, replicas), r in by.items():
        one = by.get((database, mode, 1))
        if replicas > 1 and one and one.wall and r.wall and one.turns:
            ratio = ((r.turns - r.errors) / r.wall) / ((one.turns - one.errors) / one.wall)
            print(f"{database} {mode}: {replicas} replicas / 1 replica = {ratio:.2f}× turns/s")
    print("\nlatency by message (ms), the slowest p95 first:")
    for r in runs:
        parts = sorted(((_pct(v, 0.95), _pct(v, 0.5), len(v), m) for m, v in r.by_message.items()), reverse=True)
        print(f"  {r.database} × {r.replicas} Rasa, {r.mode}: "
              + " ; ".join(f"« {m} » p50 {p50 * 1000:.0f} p95 {p95 * 1000:.0f} (n={n})" for p95, p50, n, m in parts))
    print("\nprocessor time per turn (ms), from /proc:")
    for r in runs:
        if r.cpu and r.turns:
            parts = ", ".join(f"{name} {seconds * 1000 / r.turns:.0f}" for name, seconds in r.cpu.items())
            total = sum(r.cpu.values()) * 1000 / r.turns
            print(f"  {r.database} × {r.replicas} Rasa, {r.mode}: {parts} ; total {total:.0f} ms "
                  f"→ 2 cores hold ≈ {2000 / total:.0f} turns/s")


def matrix(args: argparse.Namespace) -> list[Run]:
    runs: list[Run] = []
    chat = 500_000
    replica_counts = sorted({int(x) for x in args.replicas.split(",")})
    for database in args.databases.split(","):
        with tempfile.TemporaryDirectory(dir=args.tmpdir) as tmp:
            print(f"[load] {database}: starting {max(replica_counts)} Rasa + {max(replica_counts)} action "
                  "servers…", flush=True)
            started = time.monotonic()
            stack = start_replica_stack(Path(tmp), database, replicas=max(replica_counts),
                                        action_servers=max(replica_counts))
            print(f"[load] {database}: ready in {time.monotonic() - started:.0f} s", flush=True)
            try:
                for replicas in replica_counts:
                    for mode in args.modes.split(","):
                        think = args.think if mode == "think" else 0.0
                        label = f"think {think:g} s" if think else "saturation"
                        run = Run(database, replicas, label, args.users, args.duration)
                        print(f"[load] {database} × {replicas} Rasa, {label}, {args.users} users, "
                              f"{args.duration:g} s…", flush=True)
                        asyncio.run(load(stack.rasa_urls[:replicas], stack.database_url, run, think, chat,
                                         meter_for(stack), None if args.gateway_in_process else Path(tmp),
                                         stack.tracker_url))
                        chat += args.users
                        runs.append(run)
            finally:
                stack.stop()
    return runs


def main(argv: list[str] | None = None) -> list[Run]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per combination")
    parser.add_argument("--think", type=float, default=5.0, help="pause between a pupil's messages (s)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--modes", default="think,saturation")
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument("--short", action="store_true", help="10 users × 20 s, SQLite only")
    parser.add_argument("--gateway-in-process", action="store_true",
                        help="run the gateway in this process, beside the simulated users and the fake Bot API "
                             "(by default it runs as its own process, as in production)")
    args = parser.parse_args(argv)
    if args.short:
        args.users, args.duration, args.databases = 10, 20.0, "sqlite"
    logging.basicConfig(level=logging.ERROR)
    runs = matrix(args)
    report(runs)
    return runs


if __name__ == "__main__":
    main()
