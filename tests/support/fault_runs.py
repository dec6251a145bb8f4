"""One run of each fault of the suite, on a running tests.support.fault_stack.FaultStack:
- « actions », « rasa », « gateway »: kill -9 at a random message of scripted conversations; one
  run is one kill, possibly with several conversations in flight (`conversations`) whose answers
  all wait for the same restart;
- « notifier »: kill -9 while employers' decisions fill the outbox; every notification counted;
- « postgres »: the server restarted at a random message of a conversation while decisions
  fill the outbox too: conversations and notifications checked together."""
from __future__ import annotations

import asyncio
import itertools
import random
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fault_notify import decide, last_id, prepare, settle, tally
from tests.support.fault_stack import FaultStack
from tests.support.faults import RunReport, Script, application, registration, run_once

TARGETS = ("actions", "rasa", "gateway", "notifier", "postgres")
DECISIONS = 8            # employers' decisions per notifier run: 16 notifications or more
NOTIFY_SPACING = 0.25    # seconds between two decisions (the outbox fills while it is delivered)


_numbers = itertools.count(1)


def _script() -> Script:
    """Each conversation its own number: its own SIRET, its own company name."""
    n = next(_numbers)
    return (registration if n % 2 == 0 else application)(n)


async def _settle_time(stack: FaultStack) -> float:
    return stack.lease + 40.0  # a row claimed by a killed notifier comes back after its lease


async def conversations(stack: FaultStack, api: FakeBotAPI, engine: AsyncEngine, target: str, n: int,
                        chat: int, count: int = 1) -> RunReport:
    """`count` conversations at once, staggered; the first one kills `target` at a random message."""
    scripts = [_script() for _ in range(count)]
    kill_at = random.randint(2, scripts[0].length)  # up to the last answer (the submit)

    async def other(i: int) -> RunReport:
        await asyncio.sleep(random.uniform(0.0, 3.0))
        return await run_once(stack, api, engine, scripts[i], chat + i, target, kill_at=0)

    first = run_once(stack, api, engine, scripts[0], chat, target, kill_at)
    reports = await asyncio.gather(first, *(other(i) for i in range(1, count)))
    report = reports[0]
    for extra in reports[1:]:
        report.sent += extra.sent
        report.lost += extra.lost
        report.twice += extra.twice
        report.asked_again += extra.asked_again
        report.sorry += extra.sorry
        report.busy += extra.busy
        report.finished = report.finished and extra.finished
        report.db_problem = report.db_problem or extra.db_problem
        report.transcript += [f"--- conversation {extra.script} ---", *extra.transcript]
    report.conversations = count
    report.resumed = stack.resumed()
    return report


async def notifier(stack: FaultStack, api: FakeBotAPI, engine: AsyncEngine, chat: int) -> RunReport:
    """kill -9 of the notifier while the decisions of the run are being delivered, restart at once."""
    decisions = await prepare(engine, DECISIONS, chat)
    since = await last_id(engine)
    producing = asyncio.create_task(decide(engine, decisions, NOTIFY_SPACING))
    at = random.uniform(0.1, DECISIONS * NOTIFY_SPACING + 0.5)
    await asyncio.sleep(at)
    stack.kill("notifier")
    report = RunReport("notifications", "notifier", kill_at=0)
    before = await tally(engine, api, since)  # what the killed notifier had done
    report.waiting = before.unsent
    report.transcript.append(f"kill -9 du notificateur {at:.2f} s après la première décision : "
                             f"{before.delivered} livrées, {before.unsent} en attente")
    report.restart_seconds = await asyncio.to_thread(stack.restart, "notifier")
    await producing
    report.notify = await settle(engine, api, since, await _settle_time(stack))
    report.finished = True
    return report


async def postgres(stack: FaultStack, api: FakeBotAPI, engine: AsyncEngine, n: int, chat: int) -> RunReport:
    """PostgreSQL restarted at a random message of a conversation while the outbox fills."""
    script = _script()
    kill_at = random.randint(2, script.length)
    decisions = await prepare(engine, DECISIONS, chat + 1)
    since = await last_id(engine)
    producing = asyncio.create_task(decide(engine, decisions, 1.5))  # through the whole conversation
    report = await run_once(stack, api, engine, script, chat, "postgres", kill_at)
    report.resumed = stack.resumed()
    await producing
    report.notify = await settle(engine, api, since, await _settle_time(stack))
    return report


async def one_run(stack: FaultStack, api: FakeBotAPI, engine: AsyncEngine, target: str, n: int,
                  chat: int, in_flight: int = 1) -> RunReport:
    started = time.monotonic()
    if target == "notifier":
        report = await notifier(stack, api, engine, chat)
    elif target == "postgres":
        report = await postgres(stack, api, engine, n, chat)
    else:
        report = await conversations(stack, api, engine, target, n, chat, in_flight)
    report.transcript.append(f"(durée du run : {time.monotonic() - started:.0f} s)")
    return report
