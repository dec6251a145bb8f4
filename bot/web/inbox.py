"""Notifications for web users: a browser cannot be reached when the page is closed, so the
notifier keeps them (no deliverer for channel "web") and the page shows them the next time it is
opened or used. Claimed atomically (sent_at set once), so Telegram and the web never both show one
that was already delivered."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.notification_texts import render_notification
from tremplin.db import session_scope
from tremplin.models import Account, Notification, utcnow
from tremplin.services.accounts import find_account


async def take_notifications(engine: AsyncEngine, channel: str, external_id: str) -> list[dict[str, Any]]:
    """The account's undelivered notifications as chat items, marked delivered."""
    async with session_scope(engine) as session:  # most pages have none: a read only
        account = await find_account(session, channel, external_id)
        if account is None or not await session.scalar(select(Notification.id).where(
                Notification.recipient_account_id == account.id, Notification.sent_at.is_(None)).limit(1)):
            return []
        account_id = account.id
    items = []
    async with session_scope(engine, write=True) as session:
        account = await session.get(Account, account_id)
        rows = (await session.execute(
            update(Notification).where(Notification.recipient_account_id == account_id,
                                       Notification.sent_at.is_(None))
            .values(sent_at=utcnow(), last_error=None)
            .returning(Notification.id, Notification.kind, Notification.payload)
            .execution_options(synchronize_session=False))).all()
        for _, kind, payload in sorted(rows):
            items.append({"who": "bot", "buttons": [],
                          "text": "🔔 " + render_notification(kind, payload or {}, account.role if account else None)})
    return items
