"""Delivers the domain's notification outbox, at least once, without double sending:
a row is *claimed* (leased) in a short transaction — `FOR UPDATE SKIP LOCKED` on PostgreSQL so
concurrent notifiers take different rows — then delivered, then marked sent. A crash between
claim and mark only delays the row until its lease expires; a sent row is never claimed again.
A database outage (PostgreSQL restart) between the delivery and the mark is waited out, so the
mark still lands; only a crash of this process in that instant (the time of one UPDATE after the
Bot API's answer) can send a notification twice — Telegram's sendMessage has no idempotency key.

Some rows are jobs for the notifier itself, never shown in a chat: « erase_conversation » (queued
by « supprimer mes données ») erases the deleted user's conversation from Rasa's tracker store.
The hourly sweep queues reminders and runs the retention job (services/retention.py)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.deliverers import Deliverer, DeliveryError
from bot.notification_texts import render_notification
from tremplin.db import retry_unavailable, session_scope
from tremplin.models import Account, ChannelIdentity, Notification, utcnow
from tremplin.privacy.conversations import tracker_engine
from tremplin.privacy.identifiers import unseal
from tremplin.services.reminders import run_reminders
from tremplin.services.retention import ERASE_AGAIN, ERASE_KIND, run_erase_job, run_retention

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)   # longer than any single delivery may take


async def _has_button_tokens(session: AsyncSession) -> bool:
    """Whether the gateway's table of button payloads is in this database (it creates it at start-up)."""
    return await session.run_sync(lambda sync: inspect(sync.connection()).has_table("bot_button_tokens"))


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 6 h."""
    return min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), timedelta(hours=6))


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient_account_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    idempotency_key: str


class Notifier:
    def __init__(self, engine: AsyncEngine, deliverers: Mapping[str, Deliverer], *,
                 batch: int = 20, lease: timedelta = LEASE,
                 clock: Callable[[], datetime] = utcnow, tracker: AsyncEngine | None = None) -> None:
        self.engine = engine
        self._tracker = tracker
        self.deliverers = dict(deliverers)
        self.batch = batch
        self.lease = lease
        self.clock = clock
        # How long a database outage is waited out in the middle of a row: well under the lease.
        self.db_wait = min(60.0, lease.total_seconds() / 2)

    @property
    def tracker(self) -> AsyncEngine:
        """Rasa's tracker store (settings.tracker_store_url unless given)."""
        if self._tracker is None:
            self._tracker = tracker_engine()
        return self._tracker

    async def claim(self) -> list[Claimed]:
        now = self.clock()
        due = (select(Notification.id)
               .where(Notification.sent_at.is_(None), Notification.next_attempt_at <= now,
                      Notification.attempts < MAX_ATTEMPTS)
               .order_by(Notification.next_attempt_at, Notification.id).limit(self.batch))
        if self.engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        # write=True: on SQLite the claim (a read, then a write) takes the write lock at BEGIN and
        # waits for it, instead of failing with « database is locked » when a turn just wrote.
        async with session_scope(self.engine, write=True) as session:
            ids = list(await session.scalars(due))
            if not ids:
                return []
            # Conditional: on SQLite (no row locks) a concurrent claimer simply gets no row back.
            result = await session.execute(
                update(Notification)
                .where(Notification.id.in_(ids), Notification.sent_at.is_(None),
                       Notification.next_attempt_at <= now)
                .values(next_attempt_at=now + self.lease, attempts=Notification.attempts + 1)
                .returning(Notification.id, Notification.recipient_account_id, Notification.kind,
                           Notification.payload, Notification.attempts, Notification.idempotency_key)
                .execution_options(synchronize_session=False))
            return sorted((Claimed(*row) for row in result), key=lambda c: c.id)

    async def _route(self, account_id: int) -> tuple[Any, Deliverer, str] | None:
        """The recipient's role, and the first of their channels this process can deliver to."""
        async def read() -> tuple[Account | None, list[ChannelIdentity]]:
            async with session_scope(self.engine) as session:
                return await session.get(Account, account_id), list(await session.scalars(
                    select(ChannelIdentity).where(ChannelIdentity.account_id == account_id)
                    .order_by(ChannelIdentity.id)))
        account, identities = await retry_unavailable(read, "notification route", self.db_wait)
        for identity in identities:
            deliverer = self.deliverers.get(identity.channel)
            address = unseal(identity.sealed_address) if identity.sealed_address else None
            if deliverer is not None and address:
                return (account.role if account else None), deliverer, address
        return None

    async def _finish(self, row: Claimed, error: str | None, retry_at: datetime | None,
                      give_up: bool = False) -> None:
        values: dict[str, Any]
        if error is None:
            values = {"sent_at": self.clock(), "last_error": None}
        else:
            values = {"last_error": error[:255], "next_attempt_at": retry_at or self.clock()}
            if give_up:
                values["attempts"] = MAX_ATTEMPTS
        async def write() -> None:
            async with session_scope(self.engine) as session:
                await session.execute(update(Notification).where(
                    Notification.id == row.id, Notification.sent_at.is_(None)).values(**values)
                    .execution_options(synchronize_session=False))
        # After a delivery, the mark must land even through a database restart: a row left
        # unmarked is sent again when its lease expires (a duplicate the user would see).
        await retry_unavailable(write, "notification mark", self.db_wait)

    async def _erase(self, row: Claimed) -> None:
        """Erase the conversation twice, a minute apart: Rasa re-appends what a turn in flight
        held in memory, the second pass removes it. Then the job row itself goes."""
        senders = list((row.payload or {}).get("senders") or [])
        erased = await run_erase_job(self.tracker, row.payload or {})
        async with session_scope(self.engine) as session:
            if senders and await _has_button_tokens(session):
                from bot.storage import button_tokens  # the gateway's table: button payloads of that chat
                await session.execute(delete(button_tokens).where(button_tokens.c.sender.in_(senders)))
            if row.attempts >= 2:
                await session.execute(delete(Notification).where(Notification.id == row.id))
            else:
                await session.execute(update(Notification).where(Notification.id == row.id).values(
                    next_attempt_at=self.clock() + ERASE_AGAIN, last_error=None))
        await self._flush_app_traces()
        log.info("job %s: conversation erased (%d events, pass %d)", row.id, erased, row.attempts)

    async def _flush_app_traces(self) -> None:
        """SQLite in WAL mode keeps old page images (deleted texts) in the -wal file until a
        checkpoint; truncate it (best effort, readers may hold it: the next job tries again)."""
        if self.engine.dialect.name != "sqlite":
            return
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def run_job(self, row: Claimed) -> bool:
        try:
            if row.kind == ERASE_KIND:
                await self._erase(row)
            else:
                raise ValueError(f"unknown job kind {row.kind}")
        except Exception as exc:  # noqa: BLE001 - retried with backoff like a failed delivery
            log.exception("job %s (%s) failed", row.id, row.kind)
            await self._finish(row, type(exc).__name__, self.clock() + backoff(row.attempts))
            return False
        return True

    async def deliver(self, row: Claimed) -> bool:
        now = self.clock()
        if row.recipient_account_id is None:  # a job for the notifier itself, never shown in a chat
            return await self.run_job(row)
        route = await self._route(row.recipient_account_id)
        if route is None:
            # No channel this process serves (yet): keep the row and try later, with backoff.
            await self._finish(row, "no deliverable channel", now + backoff(row.attempts))
            return False
        role, deliverer, address = route
        try:
            await deliverer.deliver(address, render_notification(row.kind, row.payload or {}, role))
        except DeliveryError as exc:
            give_up = exc.permanent or row.attempts >= MAX_ATTEMPTS
            log.warning("notification %s failed (attempt %d%s): %s", row.id, row.attempts,
                        ", giving up" if give_up else "", exc)
            await self._finish(row, str(exc), now + backoff(row.attempts), give_up)
            return False
        except Exception as exc:  # noqa: BLE001 - a bug in one row must not stop the others
            log.exception("notification %s crashed the deliverer", row.id)
            await self._finish(row, f"{type(exc).__name__}", now + backoff(row.attempts))
            return False
        await self._finish(row, None, None)
        log.info("notification %s (%s) delivered", row.id, row.kind)
        return True

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many were sent."""
        return (await self._batch())[1]

    async def _batch(self) -> tuple[int, int]:
        claimed = await self.claim()
        sent = 0
        for row in claimed:
            sent += await self.deliver(row)
        return len(claimed), sent

    async def sweep(self) -> None:
        """The hourly chores, each on its own so one failing never stops the other."""
        try:
            await run_reminders(self.engine, self.clock())
        except Exception:  # noqa: BLE001 - retried at the next sweep
            log.exception("reminder sweep failed")
        try:
            await run_retention(self.engine, self.tracker, self.clock())
        except Exception:  # noqa: BLE001 - retried at the next sweep
            log.exception("retention sweep failed")

    async def run_forever(self, stop: asyncio.Event, idle: float = 2.0,
                          sweep_every: timedelta = timedelta(hours=1)) -> None:
        """Deliver what is due; once an hour also queue the employer reminders and expiries and
        forget what is kept too long (retention)."""
        next_sweep = self.clock()
        while not stop.is_set():
            if self.clock() >= next_sweep:
                next_sweep = self.clock() + sweep_every
                await self.sweep()
            try:
                claimed_full = (await self._batch())[0] >= self.batch
            except Exception:  # noqa: BLE001 - the database may be restarting: wait and go on
                log.exception("notifier loop error")
                claimed_full = False
            if claimed_full:
                continue
            try:
                await asyncio.wait_for(stop.wait(), idle)
            except asyncio.TimeoutError:
                pass
