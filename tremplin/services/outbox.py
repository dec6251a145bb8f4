"""The notification outbox, whole: rows are added in the caller's transaction (`enqueue`), then a
notifier (bot/notifier.py: routing and delivery only) works through them, at least once, without
double sending:

- `claim` leases a batch of due rows in a short transaction — `FOR UPDATE SKIP LOCKED` on
  PostgreSQL so concurrent notifiers take different rows; on SQLite the transaction takes the write
  lock at BEGIN — and counts the attempt. A crash between claim and mark only delays the row until
  its lease expires.
- `mark_sent` after the delivery (a sent row is never claimed again); `retry_later` after a failure
  (backoff, or never again when the failure is permanent or the attempts are spent). Both wait out a
  database outage (PostgreSQL restart), so the mark still lands: only a crash of the notifier in
  that instant can send a notification twice (Telegram's sendMessage has no idempotency key).
- Rows without a recipient are jobs for the notifier itself: `erase_conversation_pass` runs the
  « erase_conversation » job queued by « supprimer mes données »."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tremplin.db import retry_unavailable, session_scope
from tremplin.models import Notification
from tremplin.services.retention import ERASE_AGAIN, run_erase_job

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)   # longer than any single delivery may take
MARK_WAIT = 60.0               # seconds a database outage is waited out to mark a row (well under the lease)


async def enqueue(session: AsyncSession, recipient_account_id: int | None, kind: str, key: str,
                  **payload: Any) -> Notification | None:
    """Add one notification unless the same idempotency key is already queued in this database."""
    existing = await session.scalar(select(Notification.id).where(Notification.idempotency_key == key))
    if existing is not None:
        return None
    row = Notification(recipient_account_id=recipient_account_id, kind=kind, payload=payload,
                       idempotency_key=key)
    session.add(row)
    return row


async def enqueue_job(session: AsyncSession, kind: str, key: str, due_at: datetime,
                      **payload: Any) -> Notification | None:
    """A job for the notifier itself (no recipient, never shown in a chat), run from `due_at`."""
    row = await enqueue(session, None, kind, key, **payload)
    if row is not None:
        row.next_attempt_at = due_at
    return row


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 6 h."""
    doubled: timedelta = timedelta(seconds=30) * 2 ** max(attempts - 1, 0)
    return min(doubled, timedelta(hours=6))


@dataclass(frozen=True)
class Claimed:
    """A leased row, as the notifier needs it; `attempts` counts this one."""
    id: int
    recipient_account_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    idempotency_key: str
    created_at: datetime  # when it was queued: a delivery of an earlier attempt came after


async def claim(engine: AsyncEngine, now: datetime, *, batch: int = 20, lease: timedelta = LEASE) -> list[Claimed]:
    """Lease up to `batch` due rows until `now + lease`, oldest due first."""
    due = (select(Notification.id)
           .where(Notification.sent_at.is_(None), Notification.next_attempt_at <= now,
                  Notification.attempts < MAX_ATTEMPTS)
           .order_by(Notification.next_attempt_at, Notification.id).limit(batch))
    if engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # write=True: on SQLite the claim (a read, then a write) takes the write lock at BEGIN and
    # waits for it, instead of failing with « database is locked » when a turn just wrote.
    async with session_scope(engine, write=True) as session:
        ids = list(await session.scalars(due))
        if not ids:
            return []
        # Conditional: on SQLite (no row locks) a concurrent claimer simply gets no row back.
        result = await session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.sent_at.is_(None), Notification.next_attempt_at <= now)
            .values(next_attempt_at=now + lease, attempts=Notification.attempts + 1)
            .returning(Notification.id, Notification.recipient_account_id, Notification.kind,
                       Notification.payload, Notification.attempts, Notification.idempotency_key,
                       Notification.created_at)
            .execution_options(synchronize_session=False))
        return sorted((Claimed(*row) for row in result), key=lambda c: c.id)


async def _mark(engine: AsyncEngine, row: Claimed, values: dict[str, Any], wait: float) -> None:
    async def write() -> None:
        async with session_scope(engine) as session:
            await session.execute(update(Notification).where(
                Notification.id == row.id, Notification.sent_at.is_(None)).values(**values)
                .execution_options(synchronize_session=False))
    # After a delivery, the mark must land even through a database restart: a row left
    # unmarked is sent again when its lease expires (a duplicate the user would see).
    await retry_unavailable(write, "notification mark", wait)


async def mark_sent(engine: AsyncEngine, row: Claimed, now: datetime, *, wait: float = MARK_WAIT) -> None:
    """Delivered: never claimed again."""
    await _mark(engine, row, {"sent_at": now, "last_error": None}, wait)


async def retry_later(engine: AsyncEngine, row: Claimed, error: str, now: datetime, *, permanent: bool = False,
                      wait: float = MARK_WAIT) -> bool:
    """Not delivered: due again after `backoff`, or never again when the failure is `permanent`
    (the user blocked the bot) or this was the last attempt. Returns whether it gave up."""
    give_up = permanent or row.attempts >= MAX_ATTEMPTS
    values: dict[str, Any] = {"last_error": error[:255], "next_attempt_at": now + backoff(row.attempts)}
    if give_up:
        values["attempts"] = MAX_ATTEMPTS
    await _mark(engine, row, values, wait)
    return give_up


async def erase_conversation_pass(engine: AsyncEngine, tracker: AsyncEngine, row: Claimed, now: datetime,
                                  forget_chats: Callable[[AsyncSession, list[str]], Awaitable[None]] | None = None
                                  ) -> int:
    """One pass of the « erase_conversation » job: the conversation erased from Rasa's tracker
    store (`tracker`), twice, a minute apart: Rasa re-appends what a turn in flight held in
    memory, the second pass removes it. Then the job row itself goes. `forget_chats(session,
    senders)`: what a front end keeps about those chats, erased in the same transaction as the
    row's update. Returns how many tracker events were erased."""
    payload = row.payload or {}
    senders = list(payload.get("senders") or [])
    erased = await run_erase_job(tracker, payload)
    async with session_scope(engine) as session:
        if senders and forget_chats is not None:
            await forget_chats(session, senders)
        if row.attempts >= 2:
            await session.execute(delete(Notification).where(Notification.id == row.id))
        else:
            await session.execute(update(Notification).where(Notification.id == row.id).values(
                next_attempt_at=now + ERASE_AGAIN, last_error=None))
    await _flush_sqlite_wal(engine)
    log.info("job %s: conversation erased (%d events, pass %d)", row.id, erased, row.attempts)
    return erased


async def _flush_sqlite_wal(engine: AsyncEngine) -> None:
    """SQLite in WAL mode keeps old page images (deleted texts) in the -wal file until a
    checkpoint; truncate it (best effort, readers may hold it: the next job tries again)."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
