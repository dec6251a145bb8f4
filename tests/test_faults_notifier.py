"""kill -9 of the notifier (its own process, tests/fault_procs.py) while employers' decisions fill
the outbox, short form: every notification reaches the fake Bot API exactly once (nothing lost,
nothing twice), on SQLite and on PostgreSQL. More runs: `scripts/faults.py --target notifier`."""
from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.supervisor import Service
from tests.conftest import require_postgres
from tests.fault_runs import notifier
from tests.fault_stack import front, front_env, start_front
from tests.runtime_stack import drop_postgres, fresh_api, postgres_demo, sqlite_demo
from tremplin.db import make_engine

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
RUNS = 2


@dataclass
class NotifierOnly:
    """What tests.fault_runs.notifier needs of a stack: the notifier, killable and restartable."""
    service: Service
    lease: float

    def kill(self, name: str) -> None:
        self.service.kill()

    def restart(self, name: str, timeout: float = 120) -> float:
        return start_front(self.service, timeout)


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield await sqlite_demo(tmp_path)
        return
    require_postgres()
    url = await postgres_demo()
    yield url
    await drop_postgres(url)


async def test_kill_9_of_the_notifier_loses_and_doubles_no_notification(database: str, tmp_path: Path) -> None:
    random.seed(7)
    api = fresh_api()
    await api.start()
    engine = make_engine(database)
    stack = NotifierOnly(front("notifier", tmp_path, front_env(api, database, "http://127.0.0.1:9", "", 4.0)), 4.0)
    try:
        await asyncio.to_thread(stack.restart, "notifier")
        reports = [await notifier(stack, api, engine, 960_000_000 + 100 * n) for n in range(RUNS)]
    finally:
        stack.service.stop()
        await engine.dispose()
        await api.stop()
    for report in reports:
        print(report.line())
    assert all(report.notify.expected >= 16 for report in reports), [r.line() for r in reports]
    assert all(report.ok for report in reports), "\n".join(r.line() for r in reports)
