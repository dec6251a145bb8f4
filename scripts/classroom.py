"""Classroom burst, full form: N pupils join their class (FEURS-3A) within a few seconds and search,
through the real gateway (fake Bot API), Rasa and action server, on SQLite and on PostgreSQL.
The normal test run does 30 pupils in 5 s (tests/e2e/test_stack_runtime.py).

    .venv/bin/python scripts/classroom.py --pupils 100 --window 5
    .venv/bin/python scripts/classroom.py --pupils 30 --only sqlite
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.classroom import classroom_burst  # noqa: E402
from tests.support.runtime_stack import RuntimeStack, drop_postgres, postgres_demo, sqlite_demo  # noqa: E402


async def main(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tremplin-classroom-"))
    stack = RuntimeStack(tmp, await sqlite_demo(tmp))
    await asyncio.to_thread(stack.start)
    failed = False
    try:
        for backend in ("sqlite", "postgres"):
            if args.only not in (None, backend):
                continue
            url = stack.database_url if backend == "sqlite" else await postgres_demo()
            try:
                if backend == "postgres":
                    await asyncio.to_thread(stack.use_database, url)
                for burst in range(args.bursts):
                    report = await classroom_burst(stack.rasa_url, url, args.pupils, args.window,
                                                   first_chat=830_000_000 + 1_000_000 * burst
                                                   + (500_000 if backend == "postgres" else 0))
                    print(report.line(f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'} #{burst + 1}"),
                          flush=True)
                    for error in report.errors[:10]:
                        print("    " + error)
                    failed |= bool(report.errors or report.not_joined)
            finally:
                if backend == "postgres":
                    await drop_postgres(url)
    finally:
        await asyncio.to_thread(stack.stop)
    print(f"journaux : {tmp}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=100)
    parser.add_argument("--window", type=float, default=5.0, help="seconds over which the pupils start")
    parser.add_argument("--bursts", type=int, default=1, help="bursts per database (new pupils each time)")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    sys.exit(asyncio.run(main(parser.parse_args())))
