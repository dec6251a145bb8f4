"""kill -9 of the notifier (its own process, tests/support/fault_procs.py) while employers' decisions fill
the outbox, short form: every notification reaches the fake Bot API (nothing lost, every delivery
marked), and none twice, not even the one in flight at the kill (Telegram took it, the mark was
not written: bot/sent_log finds it on screen), on PostgreSQL (SQLite when it is absent). More runs: `scripts/faults.py --target notifier`."""
from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.supervisor import Service
from tests.support.postgres import pg_problem, require_postgres
from tests.support.fault_runs import notifier
from tests.support.fault_stack import front, front_env, start_front
from tests.support.runtime_stack import drop_postgres, fresh_api, postgres_demo, sqlite_demo
from tremplin.db import make_engine
from tremplin.models import Role

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
RUNS = 2


@dataclass
class NotifierOnly:
    """What tests.support.fault_runs.notifier needs of a stack: the notifier, killable and restartable."""
    service: Service
    lease: float

    def kill(self, name: str) -> None:
        self.service.kill()

    def restart(self, name: str, timeout: float = 120) -> float:
        return start_front(self.service, timeout)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[str]:
    if pg_problem() is not None and not os.environ.get("CI"):
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
    for report in reports:  # nothing lost, every delivery marked
        assert report.notify.lost == 0 and report.notify.unsent == 0 and report.lost == 0, report.line()
        # The one in flight at the kill (Telegram took it, its mark not written yet) is found on
        # screen when its lease ends instead of being sent again (bot/sent_log).
        assert report.notify.twice == 0, report.line()


async def test_a_database_outage_between_delivery_and_mark_neither_resends_nor_loses(
        engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database goes away just after Telegram took the message (a PostgreSQL restart): the
    mark is retried until it lands, so the lease never expires on a delivered row."""
    from sqlalchemy.exc import OperationalError

    import tremplin.services.outbox as outbox_module  # the outbox marks the row (the notifier delivers)
    from bot.notifier import Notifier
    from tests.support.notifier import T0, Clock, Recorder, notified_account, outbox_rows, queue_notification

    student = await notified_account(engine, 4101, Role.STUDENT)
    await queue_notification(engine, student, "application_expired", "k-outage", code="C-1")
    real_scope, failures = outbox_module.session_scope, []

    def flaky_scope(*args, **kwargs):
        if recorder.sent and len(failures) < 2:  # after the delivery: the first two marks fail
            failures.append(1)
            raise OperationalError("UPDATE notifications", {}, ConnectionResetError("server closed the connection"))
        return real_scope(*args, **kwargs)

    monkeypatch.setattr(outbox_module, "session_scope", flaky_scope)
    recorder, clock = Recorder(), Clock()
    assert await Notifier(engine, {"telegram": recorder}, clock=clock).run_once() == 1
    clock.now = T0 + outbox_module.LEASE * 2   # long after the lease: nothing to send again
    assert await Notifier(engine, {"telegram": recorder}, clock=clock).run_once() == 0
    assert len(recorder.sent) == 1 and len(failures) == 2
    assert all(row.sent_at is not None for row in await outbox_rows(engine))
