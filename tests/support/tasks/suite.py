"""Runs the task-success cases against one stack, a dozen conversations at a time, and reports the
success rate overall and per journey, with each failure's transcript and the check that failed."""
from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from tests.support.tasks import cases_adults, cases_employer, cases_student
from tests.support.tasks.engine import Case, Conversation, Result
from tests.support.tasks.world import Ctx, calendar
from tremplin.db import session_scope

FLOOR = 0.90          # CI floor for the overall task success rate (issue 11)
PARALLEL = 10         # conversations at once
CHAT_BASE = 700_000_000


def all_cases() -> list[Case]:
    found = [*cases_student.cases(), *cases_employer.cases(), *cases_adults.cases()]
    names = [case.name for case in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


def select(cases: list[Case], *, smoke: bool = False, journey: str | None = None,
           name: str | None = None) -> list[Case]:
    if journey:
        cases = [c for c in cases if c.journey == journey]
    if name:
        cases = [c for c in cases if c.name == name]
    if smoke:
        cases = [c for c in cases if c.smoke]
    return cases


def chats_of(index: int, case: Case) -> dict[str, int]:
    return {actor: CHAT_BASE + index * 10 + i for i, actor in enumerate(case.actors)}


async def run_cases(stack: Any, cases: list[Case], parallel: int = PARALLEL,
                    progress: Any = None) -> list[Result]:
    """Setups first (one transaction each, in order), then the conversations in parallel."""
    words = calendar(date.today())
    contexts = []
    for index, case in enumerate(cases):
        ctx = Ctx(stack.engine, chats_of(index, case), dict(words))
        ctx.setup_error = None
        if case.setup is not None:
            try:
                async with session_scope(stack.engine) as session:
                    await case.setup(ctx, session)
            except Exception as exc:  # noqa: BLE001 - one broken setup fails its case, not the run
                ctx.setup_error = f"setup failed: {type(exc).__name__}: {exc}"
        contexts.append(ctx)
    gate = asyncio.Semaphore(parallel)

    async def one(case: Case, ctx: Ctx) -> Result:
        async with gate:
            users = {actor: stack.user(chat) for actor, chat in ctx.chats.items()}
            conversation = Conversation(case, ctx, users)
            ctx.transcript = conversation.result.transcript
            if ctx.setup_error:
                conversation.result.failures.append(ctx.setup_error)
                result = conversation.result
            else:
                result = await conversation.run()
            if progress is not None:
                progress(result)
            return result

    return list(await asyncio.gather(*(one(case, ctx) for case, ctx in zip(cases, contexts))))


def figures(results: list[Result]) -> dict[str, Any]:
    by_journey: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_journey[result.case.journey].append(result)

    def rate(rs: list[Result]) -> float:
        return round(sum(r.ok for r in rs) / len(rs), 3) if rs else 0.0
    return {
        "conversations": len(results),
        "succeeded": sum(r.ok for r in results),
        "success_rate": rate(results),
        "floor": FLOOR,
        "journeys": {j: {"conversations": len(rs), "succeeded": sum(r.ok for r in rs), "success_rate": rate(rs)}
                     for j, rs in sorted(by_journey.items())},
        "failures": [{"case": r.case.name, "journey": r.case.journey, "persona": r.case.persona,
                      "conversation": r.failures, "database": r.db_problem,
                      "transcript": [f"{a}/{w}: {t}" for a, w, t in r.transcript]}
                     for r in results if not r.ok],
    }


def transcript(result: Result) -> str:
    lines = []
    multi = len(result.case.actors) > 1
    for actor, who, text in result.transcript:
        tag = ("👤 " if who == "user" else "🤖 ") + (f"{actor}: " if multi else "")
        body = text.replace("\n", "\n      ")
        lines.append(f"    {tag}{body}")
    return "\n".join(lines)


def report(results: list[Result], seconds: float, show_transcripts: bool = True) -> str:
    data = figures(results)
    out = []
    if show_transcripts:
        for result in results:
            if result.ok:
                continue
            out.append(f"\n✗ {result.case.name} ({result.case.journey}) — {result.case.persona}")
            for failure in result.failures:
                out.append(f"  conversation: {failure}")
            if result.db_problem:
                out.append(f"  database: {result.db_problem}")
            out.append(transcript(result))
    out.append(f"\nTask success: {data['succeeded']}/{data['conversations']} = {data['success_rate']:.3f} "
               f"(floor {FLOOR:.2f}) in {seconds:.0f} s")
    for journey, item in data["journeys"].items():
        out.append(f"  {journey:<22} {item['succeeded']:>3}/{item['conversations']:<3} {item['success_rate']:.2f}")
    return "\n".join(out)


def write_json(path: Path, results: list[Result], seconds: float) -> None:
    data = figures(results)
    data["seconds"] = round(seconds, 1)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


async def run_suite(tmp: Path, cases: list[Case], parallel: int = PARALLEL,
                    progress: Any = None) -> tuple[list[Result], float]:
    from tests.support.tasks.harness import TaskStack
    stack = await TaskStack.start(tmp)
    try:
        started = time.monotonic()
        results = await run_cases(stack, cases, parallel, progress)
        return results, time.monotonic() - started
    finally:
        await stack.stop()
