"""Reminders and expiry of unanswered applications, for the notifier or any scheduler to call.

An application unanswered for 5 days reminds the employer's contacts once; after 15 days it expires and
the student (and their parents) are told. Everything goes through the outbox, in one transaction."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from tremplin.db import session_scope
from tremplin.services.applications import expire_stale

log = logging.getLogger("tremplin.reminders")


async def run_reminders(engine: AsyncEngine, now: datetime | None = None) -> tuple[int, int]:
    """Queue the due reminders and expiries; returns (reminded, expired). Safe to call often: each
    reminder is sent once (reminded_at and the outbox's idempotency keys)."""
    async with session_scope(engine) as session:
        reminded, expired = await expire_stale(session, now)
    if reminded or expired:
        log.info("application reminders: %d reminded, %d expired", reminded, expired)
    return reminded, expired
