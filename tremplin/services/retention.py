"""How long what users typed is kept, and the job that forgets it (run by the notifier's hourly sweep).

- Conversations with the assistant (Rasa's tracker store): erased once nobody has written in them
  for `conversation_retention_days` (TREMPLIN_CONVERSATION_RETENTION_DAYS, 30 by default).
- Applications' free texts (the pupil's motivation, the employer's decline message): a stage
  d'observation happens during the school year, so once that year is over they have served. The
  rule: the school year ends on `school_year_end` (TREMPLIN_SCHOOL_YEAR_END, « 07-14 » by default);
  an application created on or before that day belongs to the year ending then, and from the day
  after, its texts are replaced by `EXPIRED_TEXT`. The application itself (code, offer, week,
  status) stays for the statistics, without anything anyone typed. The outbox rows of that year
  (they may quote an employer's word; unsent ones are stale by then) are deleted at the same time
  — not the notifier's own jobs.
- Accounts: until their owner asks « supprimer mes données »."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tremplin.db import session_scope
from tremplin.models import Application, Notification, utcnow
from tremplin.privacy.conversations import erase_conversations, erase_idle_conversations
from tremplin.services import turn_results
from tremplin.settings import get_settings

log = logging.getLogger("tremplin.retention")

EXPIRED_TEXT = "[texte effacé : l'année scolaire est terminée]"
ERASE_KIND = "erase_conversation"          # outbox job: never delivered to a chat
ERASE_DELAY = timedelta(seconds=10)        # Rasa stores the deletion turn after the action returns
ERASE_AGAIN = timedelta(minutes=1)         # a turn in flight during the first pass cannot bring rows back


def conversation_kept_until(last_message: datetime) -> date:
    """The day a conversation is erased if nobody writes in it after `last_message`."""
    return (last_message + timedelta(days=get_settings().conversation_retention_days)).date()


def school_year_end(day: date) -> date:
    """The last day of the school year `day` belongs to (that day included)."""
    month, dom = get_settings().school_year_end
    end = date(day.year, month, dom)
    return end if day <= end else date(day.year + 1, month, dom)


def last_finished_school_year(now: datetime) -> date:
    """The end of the most recent school year already over at `now` (its last day is before today)."""
    month, dom = get_settings().school_year_end
    end = date(now.year, month, dom)
    return end if end < now.date() else date(now.year - 1, month, dom)


@dataclass(frozen=True)
class RetentionReport:
    conversations_erased: int      # tracker rows
    applications_blanked: int
    notifications_deleted: int


async def blank_finished_school_years(engine: AsyncEngine, now: datetime) -> tuple[int, int]:
    """Blank the texts of applications of finished school years; drop their year's notifications."""
    cutoff = datetime.combine(last_finished_school_year(now) + timedelta(days=1), datetime.min.time(),
                              tzinfo=now.tzinfo)
    async with session_scope(engine) as session:
        # An UPDATE/DELETE gives a CursorResult (with rowcount); SQLAlchemy's stubs type it as Result.
        blanked = (await session.execute(
            update(Application)
            .where(Application.created_at < cutoff,
                   or_(Application.motivation != EXPIRED_TEXT, Application.decline_message.is_not(None)))
            .values(motivation=EXPIRED_TEXT, decline_message=None)
            .execution_options(synchronize_session=False))).rowcount or 0  # type: ignore[attr-defined]
        dropped = (await session.execute(
            delete(Notification).where(Notification.created_at < cutoff, Notification.recipient_account_id.is_not(None))
            .execution_options(synchronize_session=False))).rowcount or 0  # type: ignore[attr-defined]
    return blanked, dropped


async def run_retention(engine: AsyncEngine, tracker: AsyncEngine, now: datetime | None = None) -> RetentionReport:
    """The hourly retention job. Idempotent: a second run at the same time erases nothing more."""
    now = now or utcnow()
    idle_since = now - timedelta(days=get_settings().conversation_retention_days)
    erased = await erase_idle_conversations(tracker, idle_since)
    blanked, dropped = await blank_finished_school_years(engine, now)
    async with session_scope(engine, write=True) as session:
        await turn_results.purge(session, now)
    if erased or blanked or dropped:
        log.info("retention: %d conversation events erased, %d applications blanked, %d notifications dropped",
                 erased, blanked, dropped)
    return RetentionReport(erased, blanked, dropped)


async def run_erase_job(tracker: AsyncEngine, payload: dict[str, Any]) -> int:
    """The « erase_conversation » job queued by delete_my_data: the deleted account's conversations,
    up to the moment the job was due (a new conversation the same chat starts later is kept)."""
    up_to = datetime.fromisoformat(payload["up_to"]) if payload.get("up_to") else None
    return await erase_conversations(tracker, payload.get("senders") or [], up_to)
