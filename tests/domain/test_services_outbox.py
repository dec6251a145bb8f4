"""The notification outbox on its own (tremplin/services/outbox.py), without Telegram or Rasa:
a claim leases due rows and counts the attempt, a leased or sent row is not claimed again, two
claimers at once never share a row, failures are retried with backoff until they give up, a mark
lands through a database outage, and the erase job runs twice then goes."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tremplin.db import session_scope
from tremplin.models import Notification
from tremplin.privacy.conversations import dispose_tracker_engines, events, metadata, stored_senders, tracker_engine
from tremplin.services import outbox
from tremplin.services.accounts import get_or_create_account
from tremplin.services.outbox import LEASE, MAX_ATTEMPTS, backoff, claim, enqueue, enqueue_job, mark_sent, retry_later
from tremplin.services.retention import ERASE_AGAIN, ERASE_KIND

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)


async def queued(engine: AsyncEngine, *keys: str, at: datetime = T0) -> None:
    """One notification per key, for one account, due at `at`."""
    async with session_scope(engine) as session:
        account = await get_or_create_account(session, "telegram", 4242, 4242)
        await session.flush()
        for key in keys:
            row = await enqueue(session, account.id, "application_expired", key, code="C-1")
            assert row is not None
            row.next_attempt_at = at


async def rows(engine: AsyncEngine) -> dict[str, Notification]:
    async with session_scope(engine) as session:
        return {row.idempotency_key: row for row in await session.scalars(select(Notification))}


async def test_a_claim_leases_the_due_rows_oldest_first_and_counts_the_attempt(engine: AsyncEngine) -> None:
    await queued(engine, "late", at=T0 + timedelta(minutes=1))
    await queued(engine, "b", "a", at=T0)
    await queued(engine, "early", at=T0 - timedelta(minutes=1))
    claimed = await claim(engine, T0, batch=2)
    assert sorted(c.idempotency_key for c in claimed) == ["b", "early"]  # due first; ties by id
    assert all(c.attempts == 1 and c.payload == {"code": "C-1"} for c in claimed)
    assert [c.idempotency_key for c in await claim(engine, T0)] == ["a"]  # the others are leased
    assert [c.idempotency_key for c in await claim(engine, T0 + timedelta(minutes=1))] == ["late"]  # due now
    assert await claim(engine, T0 + LEASE - timedelta(seconds=1)) == []  # every row is leased
    expired = await claim(engine, T0 + LEASE)  # a notifier crashed: the leases ran out
    assert {c.idempotency_key: c.attempts for c in expired} == {"a": 2, "b": 2, "early": 2}


async def test_a_sent_row_is_never_claimed_again(engine: AsyncEngine) -> None:
    await queued(engine, "k")
    [row] = await claim(engine, T0)
    await mark_sent(engine, row, T0 + timedelta(seconds=1))
    assert await claim(engine, T0 + LEASE * 10) == []
    stored = (await rows(engine))["k"]
    assert stored.sent_at is not None and stored.last_error is None and stored.attempts == 1


async def test_a_failure_is_retried_with_backoff_until_the_attempts_are_spent(engine: AsyncEngine) -> None:
    await queued(engine, "k")
    now = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [row] = await claim(engine, now)
        assert row.attempts == attempt
        gave_up = await retry_later(engine, row, "telegram down " + "!" * 300, now)
        assert gave_up == (attempt == MAX_ATTEMPTS)
        stored = (await rows(engine))["k"]
        assert stored.next_attempt_at.replace(tzinfo=timezone.utc) == now + backoff(attempt)
        assert stored.last_error is not None and len(stored.last_error) == 255
        assert await claim(engine, now + backoff(attempt) - timedelta(seconds=1)) == []  # not due yet
        now += backoff(attempt)
    assert await claim(engine, now + timedelta(days=1)) == []
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 12)] == [30, 60, 120, 6 * 3600]


async def test_a_permanent_failure_gives_up_at_once(engine: AsyncEngine) -> None:
    await queued(engine, "blocked")
    [row] = await claim(engine, T0)
    assert await retry_later(engine, row, "blocked by user", T0, permanent=True)
    assert (await rows(engine))["blocked"].attempts == MAX_ATTEMPTS
    assert await claim(engine, T0 + timedelta(days=1)) == []


async def test_two_claimers_at_once_never_share_a_row(engine: AsyncEngine) -> None:
    """PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the second waits for the write lock."""
    await queued(engine, *[f"k-{i}" for i in range(12)])
    first, second = await asyncio.gather(claim(engine, T0, batch=7), claim(engine, T0, batch=7))
    ids = [c.id for c in first] + [c.id for c in second]
    assert len(ids) == len(set(ids)) == 12


async def test_a_mark_lands_through_a_database_outage(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    await queued(engine, "k")
    [row] = await claim(engine, T0)
    real_scope, failures = outbox.session_scope, []

    def restarting(*args: Any, **kwargs: Any) -> Any:
        if len(failures) < 2:  # the server is restarting: the first two connections are cut
            failures.append(1)
            raise OperationalError("UPDATE notifications", {}, ConnectionResetError("server closed the connection"))
        return real_scope(*args, **kwargs)

    monkeypatch.setattr(outbox, "session_scope", restarting)
    await mark_sent(engine, row, T0, wait=10.0)
    assert len(failures) == 2 and (await rows(engine))["k"].sent_at is not None


@pytest.fixture
async def tracker(tmp_path: Path) -> Any:
    """Rasa's tracker store as a file of its own, its `events` table created as Rasa would."""
    store = tracker_engine(f"sqlite:///{tmp_path / 'rasa-trackers.db'}")
    async with store.begin() as conn:
        await conn.run_sync(metadata.create_all)
        for sender in ("gone", "stays"):
            await conn.execute(insert(events).values(sender_id=sender, type_name="user", timestamp=T0.timestamp(),
                                                     data=json.dumps({"event": "user", "text": "bonjour"})))
    yield store
    await dispose_tracker_engines()


async def test_the_erase_job_runs_twice_a_minute_apart_then_goes(engine: AsyncEngine, tracker: AsyncEngine) -> None:
    async with session_scope(engine) as session:
        await enqueue_job(session, ERASE_KIND, "erase-1", T0, senders=["gone"], up_to=T0.isoformat())
    forgotten: list[list[str]] = []

    async def forget_chats(session: AsyncSession, senders: list[str]) -> None:
        forgotten.append(senders)

    [first] = await claim(engine, T0)
    assert first.recipient_account_id is None and first.kind == ERASE_KIND
    assert await outbox.erase_conversation_pass(engine, tracker, first, T0, forget_chats) == 1
    assert await stored_senders(tracker) == {"stays"} and forgotten == [["gone"]]
    assert (await rows(engine))["erase-1"].next_attempt_at.replace(tzinfo=timezone.utc) == T0 + ERASE_AGAIN
    assert await claim(engine, T0 + ERASE_AGAIN - timedelta(seconds=1)) == []
    [second] = await claim(engine, T0 + ERASE_AGAIN)
    assert await outbox.erase_conversation_pass(engine, tracker, second, T0 + ERASE_AGAIN) == 0
    assert await rows(engine) == {}  # the job row itself is gone
