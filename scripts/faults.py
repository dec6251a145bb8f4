"""Fault suite, full form: each process of a deployment fails at a random point of scripted
conversations (an employer registering, a pupil applying) and of employers' decisions that fill the
notification outbox, through the real Telegram gateway (its own process, against the fake Bot API),
the real Rasa and action servers and the real notifier (its own process) on the demo data:

- kill -9 of the action server, of Rasa, of the gateway, of the notifier;
- a restart of PostgreSQL (the whole stack on PostgreSQL, Rasa's tracker store included).

Printed per fault: runs, runs without any defect, conversations, user messages, lost, answered
twice, questions asked again, « Oups », forms damaged, notifications (lost, duplicated) and the mean
restart time; then the wall time. A run is one fault (one kill or one restart); `--in-flight K`
keeps K conversations going through each kill (each one checked), which costs no more restarts.

    .venv/bin/python scripts/faults.py --runs 50                       # every fault, 50 runs each
    .venv/bin/python scripts/faults.py --runs 50 --target gateway,notifier,postgres
    .venv/bin/python scripts/faults.py --runs 50 --target rasa --minutes 30 --in-flight 3
    .venv/bin/python scripts/faults.py --runs 3 --target actions --postgres --verbose

How long (2 cores, 6 December 2026): a gateway run ≈ 12 s, a notifier run ≈ 10 s, a PostgreSQL
run ≈ 15 s, an action-server run ≈ 20 s, a Rasa run ≈ 80 s (Rasa loads its model again: ≈ 60 s).
50 runs of each: ≈ 10 + 8 + 13 + 17 + 67 min ≈ 2 h; without Rasa ≈ 50 min. Stacks take ≈ 1 min to
start. `--minutes` bounds each fault's time, pauses for a benchmark excluded (the runs done are
reported, never extrapolated).

PostgreSQL is restarted with `pg_ctlcluster 15 main restart` (TREMPLIN_FAULT_PG_RESTART): every
connection of the machine is cut. Before each run the script waits while /tmp/tremplin-bench-running
exists (somebody is measuring), and it always leaves the server running.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.fault_runs import TARGETS, one_run  # noqa: E402
from tests.support.fault_stack import FaultStack, wait_for_bench  # noqa: E402
from tests.support.faults import summary, table, totals  # noqa: E402
from tests.support.runtime_stack import drop_postgres, fresh_api, postgres_demo, sqlite_demo  # noqa: E402
from tremplin.db import make_engine  # noqa: E402
from tremplin.settings import sync_database_url  # noqa: E402

RASA_OWN_STORE = "SQL"  # Rasa 3.6's own SQLTrackerStore (falls back to memory when PostgreSQL restarts)


async def run_targets(targets: list[str], on_postgres: bool, args: argparse.Namespace, reports: list,
                      walls: dict[str, float]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tremplin-faults-"))
    url = await postgres_demo() if on_postgres else await sqlite_demo(tmp)
    api = fresh_api()
    await api.start()
    tracker = sync_database_url(url) if on_postgres else ""
    stack = FaultStack(tmp, url, tracker_url=tracker, api=api, lease=args.lease,
                       tracker_store_type=RASA_OWN_STORE if args.rasa_own_store else "")
    engine = make_engine(url)
    print(f"pile sur {'PostgreSQL' if on_postgres else 'SQLite'} (journaux : {tmp})", flush=True)
    try:
        await asyncio.to_thread(wait_for_bench)  # starting Rasa takes a core for a minute
        await asyncio.to_thread(stack.start)
        for target in targets:
            started, done, paused = time.monotonic(), 0, 0.0
            runs = args.rasa_runs if target == "rasa" and args.rasa_runs is not None else args.runs
            while done < runs and (args.minutes is None
                                   or time.monotonic() - started - paused < args.minutes * 60):
                paused += await asyncio.to_thread(wait_for_bench)
                chat = 900_000_000 + 1000 * len(reports)
                report = await one_run(stack, api, engine, target, len(reports), chat,
                                       args.in_flight if target in ("rasa", "actions") else 1)
                reports.append(report)
                done += 1
                print(f"run {len(reports)} ({target} {done}/{runs}): {report.line()}", flush=True)
                if not report.ok and args.verbose:
                    print("\n".join("    " + line[:200] for line in report.transcript))
            walls[target] = time.monotonic() - started - paused
            if paused:
                print(f"  ({target} : {paused / 60:.1f} min d'attente d'un banc de mesure, non comptées)", flush=True)
    finally:
        await engine.dispose()
        await asyncio.to_thread(stack.stop)
        await api.stop()
        if on_postgres:
            await drop_postgres(url)


async def main(args: argparse.Namespace) -> int:
    random.seed(args.seed)
    targets = list(TARGETS) if args.target == "all" else args.target.split(",")
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise SystemExit(f"cibles inconnues : {', '.join(sorted(unknown))} (connues : {', '.join(TARGETS)})")
    order = [t for t in ("gateway", "notifier", "actions", "rasa") if t in targets]
    reports: list = []
    walls: dict[str, float] = {}
    started = time.monotonic()
    if order:
        await run_targets(order, args.postgres, args, reports, walls)
    if "postgres" in targets:
        await run_targets(["postgres"], True, args, reports, walls)
    wall = time.monotonic() - started
    print(f"\n{len(reports)} runs en {wall / 60:.1f} min ("
          + ", ".join(f"{t} {w / 60:.1f} min" for t, w in walls.items()) + ")")
    print(summary(reports))
    print()
    print(table(reports))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "wall_seconds": wall, "walls": walls,
            "targets": {t: totals([r for r in reports if r.target == t]) for t in walls},
            "runs": [{"target": r.target, "script": r.script, "ok": r.ok, "line": r.line()} for r in reports],
        }, indent=2, ensure_ascii=False))
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per fault")
    parser.add_argument("--rasa-runs", type=int, default=None, help="runs for the Rasa kill (default: --runs)")
    parser.add_argument("--minutes", type=float, default=None, help="stop starting runs of a fault after this")
    parser.add_argument("--target", default="all", help=f"comma-separated, among {', '.join(TARGETS)}, or all")
    parser.add_argument("--in-flight", type=int, default=1, help="conversations through each kill of rasa/actions")
    parser.add_argument("--postgres", action="store_true", help="actions/rasa/gateway/notifier on PostgreSQL too")
    parser.add_argument("--lease", type=float, default=10.0, help="the notifier's lease in seconds (prod: 300)")
    parser.add_argument("--rasa-own-store", action="store_true",
                        help="Rasa's own SQL tracker store instead of nlu/tracker_store.py, to compare")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", help="write the totals and each run's line to this file")
    parser.add_argument("--verbose", action="store_true", help="print the transcript of failed runs")
    sys.exit(asyncio.run(main(parser.parse_args())))
