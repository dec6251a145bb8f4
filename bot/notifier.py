"""Delivers the domain's notification outbox (tremplin/services/outbox.py: claim, lease, mark,
retry, at least once without double sending): this module only routes each claimed row to one of
the recipient's channels this process serves, words it (bot/notification_texts.py) and hands it to
that channel's deliverer, then tells the outbox how it went.

Some rows are jobs for the notifier itself, never shown in a chat: « erase_conversation » (queued
by « supprimer mes données ») erases the deleted user's conversation from Rasa's tracker store
(outbox.erase_conversation_pass), and here the gateway's button payloads of that chat.
The hourly sweep queues reminders and runs the retention job (services/retention.py)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.deliverers import Deliverer, DeliveryError, Unsure
from bot.notification_texts import render_notification
from bot.sent_log import forget as forget_sent
from bot.telegram_inbox import inbox_engine
from tremplin.db import retry_unavailable, session_scope
from tremplin.models import Account, ChannelIdentity, utcnow
from tremplin.privacy.conversations import tracker_engine
from tremplin.privacy.identifiers import unseal
from tremplin.services import outbox
from tremplin.services.outbox import LEASE, Claimed
from tremplin.services.reminders import run_reminders
from tremplin.services.retention import ERASE_KIND, run_retention

log = logging.getLogger(__name__)


async def _has_button_tokens(session: AsyncSession) -> bool:
    """Whether the gateway's table of button payloads is in this database (it creates it at start-up)."""
    return await session.run_sync(lambda sync: inspect(sync.connection()).has_table("bot_button_tokens"))


async def _forget_buttons(session: AsyncSession, senders: list[str]) -> None:
    """The gateway's button payloads of those chats (its own table, when it runs on this database)."""
    if await _has_button_tokens(session):
        from bot.storage import button_tokens
        await session.execute(delete(button_tokens).where(button_tokens.c.sender.in_(senders)))


class Notifier:
    def __init__(self, engine: AsyncEngine, deliverers: Mapping[str, Deliverer], *,
                 batch: int = 20, lease: timedelta = LEASE,
                 clock: Callable[[], datetime] = utcnow, tracker: AsyncEngine | None = None) -> None:
        self.engine = engine
        self._tracker = tracker
        self._sent_engine: AsyncEngine | None = None  # where bot/sent_log keeps its rows
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
        return await outbox.claim(self.engine, self.clock(), batch=self.batch, lease=self.lease)

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

    async def _forget_chats(self, session: AsyncSession, senders: list[str]) -> None:
        """What the Telegram front end keeps about those chats: button payloads, the sent log."""
        await _forget_buttons(session, senders)
        if self._sent_engine is None:
            self._sent_engine = inbox_engine(self.engine)
        await forget_sent(self._sent_engine, senders)

    async def run_job(self, row: Claimed) -> bool:
        try:
            if row.kind == ERASE_KIND:
                await outbox.erase_conversation_pass(self.engine, self.tracker, row, self.clock(), self._forget_chats)
            else:
                raise ValueError(f"unknown job kind {row.kind}")
        except Exception as exc:  # noqa: BLE001 - retried with backoff like a failed delivery
            log.exception("job %s (%s) failed", row.id, row.kind)
            await outbox.retry_later(self.engine, row, type(exc).__name__, self.clock(), wait=self.db_wait)
            return False
        return True

    async def deliver(self, row: Claimed) -> bool:
        now = self.clock()
        if row.recipient_account_id is None:  # a job for the notifier itself, never shown in a chat
            return await self.run_job(row)
        route = await self._route(row.recipient_account_id)
        if route is None:
            # No channel this process serves (yet): keep the row and try later, with backoff.
            await outbox.retry_later(self.engine, row, "no deliverable channel", now, wait=self.db_wait)
            return False
        role, deliverer, address = route
        # Claimed again after a lease ran out: the notifier that had it may have sent it, then died.
        unsure = Unsure(f"n:{row.id}", row.created_at) if row.attempts > 1 else None
        try:
            await deliverer.deliver(address, render_notification(row.kind, row.payload or {}, role), unsure)
        except DeliveryError as exc:
            give_up = await outbox.retry_later(self.engine, row, str(exc), now, permanent=exc.permanent,
                                               wait=self.db_wait)
            log.warning("notification %s failed (attempt %d%s): %s", row.id, row.attempts,
                        ", giving up" if give_up else "", exc)
            return False
        except Exception as exc:  # noqa: BLE001 - a bug in one row must not stop the others
            log.exception("notification %s crashed the deliverer", row.id)
            await outbox.retry_later(self.engine, row, type(exc).__name__, now, wait=self.db_wait)
            return False
        await outbox.mark_sent(self.engine, row, self.clock(), wait=self.db_wait)
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
