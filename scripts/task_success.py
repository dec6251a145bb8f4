#!/usr/bin/env python3
"""Task-success suite (issue 11, item 6): whole conversations of simulated users through the real
Telegram gateway (fake Bot API), the real Rasa server and the real action server on the demo
database; after each, the database is checked.

    .venv/bin/python scripts/task_success.py                 # all conversations (~160)
    .venv/bin/python scripts/task_success.py --smoke         # one or two per journey
    .venv/bin/python scripts/task_success.py --journey register
    .venv/bin/python scripts/task_success.py --case search_jsp_2 --json var/tasks.json

Prints the success rate overall and per journey, and each failure with its transcript. Exit code 1
when the overall rate is under the floor (tests/support/tasks/suite.FLOOR). Each run's database and
the Rasa, action server and gateway logs stay in var/tasks/<time>-<pid>/ (var/tasks/last: the newest). Needs the trained model
models/tremplin-latest.tar.gz and .venv-rasa."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import logging
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def run_directory(root: Path, keep: int = 5) -> Path:
    """var/tasks/<time>-<pid>/ for this run's database and logs (two runs at once never share one),
    var/tasks/last pointing at it; only the newest few runs are kept."""
    root.mkdir(parents=True, exist_ok=True)
    work = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    work.mkdir()
    runs = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and p.name[:1].isdigit())
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    last = root / "last"
    if last.is_symlink() or last.exists():
        if last.is_dir() and not last.is_symlink():
            shutil.rmtree(last, ignore_errors=True)
        else:
            last.unlink()
    last.symlink_to(work.name)
    return work


def main(argv: list[str] | None = None) -> int:
    from tests.support.stack import MODEL, RASA_BIN
    from tests.support.tasks.suite import FLOOR, PARALLEL, all_cases, report, run_suite, select, write_json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="the small set (one or two per journey)")
    parser.add_argument("--journey", help="only this journey (see --list)")
    parser.add_argument("--case", help="only this case")
    parser.add_argument("--json", type=Path, help="write the figures and failures to this file")
    parser.add_argument("--parallel", type=int, default=PARALLEL, help=f"conversations at once ({PARALLEL})")
    parser.add_argument("--list", action="store_true", help="list journeys and cases, run nothing")
    parser.add_argument("--quiet", action="store_true", help="figures only, no transcripts")
    args = parser.parse_args(argv)

    cases = select(all_cases(), smoke=args.smoke, journey=args.journey, name=args.case)
    if args.list:
        for case in cases:
            print(f"{case.journey:<22} {case.name:<26} {'smoke ' if case.smoke else '      '}{case.persona}")
        print(f"{len(cases)} cases")
        return 0
    if not cases:
        print("no case selected", file=sys.stderr)
        return 2
    if not (RASA_BIN.exists() and MODEL.exists()):
        print(f"missing {MODEL} or {RASA_BIN}: train the model first (scripts/nlu_train.sh)", file=sys.stderr)
        return 2

    def progress(result) -> None:  # noqa: ANN001
        print(("." if result.ok else "F"), end="", flush=True)

    print(f"{len(cases)} conversations, {args.parallel} at a time; starting Rasa (about a minute)…", flush=True)
    work = run_directory(ROOT / "var" / "tasks")
    handler = logging.FileHandler(work / "gateway.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("bot").addHandler(handler)
    logging.getLogger("bot").setLevel(logging.INFO)
    results, seconds = asyncio.run(run_suite(work, cases, args.parallel, progress))
    print()
    print(report(results, seconds, show_transcripts=not args.quiet))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_json(args.json, results, seconds)
    print(f"Rasa, action server and gateway logs, database: {work}")
    rate = sum(r.ok for r in results) / len(results)
    return 0 if rate >= FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
