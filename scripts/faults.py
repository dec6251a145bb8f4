"""Fault suite, full form: kill -9 of the action server and of Rasa at a random point of scripted
conversations (an employer registering, a pupil applying), through the real gateway, Rasa and action
server on the demo data; prints lost / doubled / re-asked counts per process killed.

    .venv/bin/python scripts/faults.py --runs 50            # 50 runs per process (long: Rasa reloads
                                                            # its model at each kill, ≈ 1 min a run)
    .venv/bin/python scripts/faults.py --runs 3 --target actions --postgres
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.gateway import GatewayRunner  # noqa: E402
from tests.faults import application, registration, run_once, summary  # noqa: E402
from tests.runtime_stack import (STACK_CONFIG, RuntimeStack, drop_postgres, fresh_api,  # noqa: E402
                                 postgres_demo, sqlite_demo)
from tremplin.db import make_engine  # noqa: E402


async def main(args: argparse.Namespace) -> int:
    random.seed(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="tremplin-faults-"))
    url = await postgres_demo() if args.postgres else await sqlite_demo(tmp)
    stack = RuntimeStack(tmp, url)
    await asyncio.to_thread(stack.start)
    api = fresh_api()
    await api.start()
    engine = make_engine(url)
    gateway = GatewayRunner(api, stack.rasa_url, engine, STACK_CONFIG, rate_limit=False)
    await gateway.start()
    reports = []
    started = time.monotonic()
    try:
        targets = ["actions", "rasa"] if args.target == "both" else [args.target]
        for n in range(args.runs):
            for target in targets:
                script = (registration if (n + len(reports)) % 2 == 0 else application)(n)
                kill_at = random.randint(2, script.length)  # up to the last answer (the submit)
                chat = 900_000_000 + len(reports)
                report = await run_once(stack, api, engine, script, chat, target, kill_at)
                reports.append(report)
                print(f"run {len(reports)}: {script.name}, kill -9 {target} après le message {kill_at} → "
                      f"{'ok' if report.ok else 'ÉCHEC'} (perdus {report.lost}, doubles {report.twice}, "
                      f"reposées {report.asked_again}, Oups {report.sorry}, fini {report.finished}, "
                      f"base {report.db_problem or 'ok'}, redémarrage {report.restart_seconds:.0f} s)",
                      flush=True)
                if not report.ok and args.verbose:
                    print("\n".join("    " + line[:160] for line in report.transcript))
    finally:
        await gateway.stop()
        await api.stop()
        await engine.dispose()
        await asyncio.to_thread(stack.stop)
        if args.postgres:
            await drop_postgres(url)
    print(f"\n{'PostgreSQL' if args.postgres else 'SQLite'}, {len(reports)} runs en "
          f"{time.monotonic() - started:.0f} s (journaux : {tmp})")
    print(summary(reports))
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per process killed")
    parser.add_argument("--target", choices=["actions", "rasa", "both"], default="both")
    parser.add_argument("--postgres", action="store_true", help="the domain on PostgreSQL (TREMPLIN_TEST_PG_URL)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--verbose", action="store_true", help="print the transcript of failed runs")
    sys.exit(asyncio.run(main(parser.parse_args())))
