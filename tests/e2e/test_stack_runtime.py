"""The runtime under a classroom and under faults, through the real gateway (fake Bot API), Rasa
and action server. A classroom: 30 pupils join their class within 5 s and search, on SQLite (the
default) and on PostgreSQL → no « Oups », everyone in the class (bigger: `scripts/classroom.py`).
Faults: kill -9 of the action server, then of Rasa, in the middle of a registration and of an
application → nothing lost, nothing answered twice, the form intact (more runs: `scripts/faults.py`)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.classroom import classroom_burst
from tests.support.fakes.gateway import GatewayRunner
from tests.support.faults import application, registration, run_once
from tests.support.postgres import pg_problem, require_postgres
from tests.support.runtime_stack import (STACK_CONFIG, RuntimeStack, drop_postgres, fresh_api, postgres_demo,
                                 sqlite_demo)
from tests.support.stack import require_stack
from tremplin.db import make_engine

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeStack]:
    import asyncio
    require_stack()
    tmp = tmp_path_factory.mktemp("classroom")
    stack = RuntimeStack(tmp, asyncio.run(sqlite_demo(tmp)))
    stack.start()
    yield stack
    stack.stop()


async def test_a_class_joins_at_once_on_sqlite(runtime: RuntimeStack) -> None:
    report = await classroom_burst(runtime.rasa_url, runtime.database_url, pupils=30, window=5)
    print(report.line("SQLite"))
    assert report.errors == [] and report.not_joined == 0, report.line("SQLite")


async def test_a_class_joins_at_once_on_postgres(runtime: RuntimeStack) -> None:
    require_postgres()
    assert pg_problem() is None
    url = await postgres_demo()
    sqlite_url = runtime.database_url
    try:
        runtime.use_database(url)
        report = await classroom_burst(runtime.rasa_url, url, pupils=30, window=5, first_chat=820_000_000)
        print(report.line("PostgreSQL"))
        assert report.errors == [] and report.not_joined == 0, report.line("PostgreSQL")
    finally:
        runtime.use_database(sqlite_url)
        await drop_postgres(url)


@pytest.mark.parametrize("target, script, kill_at", [("actions", registration, 5), ("rasa", application, 5)])
async def test_kill_9_mid_conversation_loses_and_repeats_nothing(runtime: RuntimeStack, target: str,
                                                                 script, kill_at: int) -> None:
    api = fresh_api()
    await api.start()
    engine = make_engine(runtime.database_url)
    gateway = GatewayRunner(api, runtime.rasa_url, engine, STACK_CONFIG, rate_limit=False)
    await gateway.start()
    try:
        chat = 840_000_000 + (1 if target == "rasa" else 0)
        report = await run_once(runtime, api, engine, script(kill_at), chat, target, kill_at)
    finally:
        await gateway.stop()
        await api.stop()
        await engine.dispose()
    print(f"kill -9 {target}: {report}")
    assert report.ok, "\n".join(report.transcript)
