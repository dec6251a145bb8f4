"""For the notifier's tests: a deliverer that records (and fails when told), a clock the test moves,
an account to notify, a notification queued, and the outbox as it stands."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.deliverers import DeliveryError, Unsure
from tremplin.db import session_scope
from tremplin.models import Notification, Role
from tremplin.services.accounts import get_or_create_account
from tremplin.services.outbox import enqueue

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)


class Recorder:
    def __init__(self, fail_times: int = 0, permanent: bool = False, delay: float = 0.0) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_times = fail_times
        self.permanent = permanent
        self.delay = delay

    async def deliver(self, address: str, text: str, unsure: Unsure | None = None) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_times:
            self.fail_times -= 1
            raise DeliveryError("telegram down", permanent=self.permanent)
        self.sent.append((address, text))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def notified_account(engine: AsyncEngine, chat_id: int, role: Role | None, channel: str = "telegram") -> int:
    async with session_scope(engine) as session:
        account = await get_or_create_account(session, channel, chat_id, chat_id)
        account.role = role
        return account.id


async def queue_notification(engine: AsyncEngine, account_id: int, kind: str, key: str, at: datetime = T0,
                             **payload) -> None:
    async with session_scope(engine) as session:
        row = await enqueue(session, account_id, kind, key, **payload)
        row.next_attempt_at = at


async def outbox_rows(engine: AsyncEngine) -> list[Notification]:
    async with session_scope(engine) as session:
        return list(await session.scalars(select(Notification).order_by(Notification.id)))
