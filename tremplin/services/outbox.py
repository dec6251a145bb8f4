"""The notification outbox: rows are added in the caller's transaction, delivered later by the notifier."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Notification


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
