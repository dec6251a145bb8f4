"""A turn run twice acts once (tremplin/models/turns.py): each action run that changed the
database keeps what it answered, under a key naming the turn (the Telegram update the gateway put
in the message's metadata), the action and its place in the turn; when the same turn comes again
(`tg_again`: sent again after a crash or a timeout) the action gives back that answer instead of
running. Kept a day, erased with the account."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from tremplin.models import TurnResult, utcnow

KEEP = timedelta(days=1)
_WROTE = "tremplin_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: UOWTransaction) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def wrote(session: AsyncSession) -> bool:
    """Whether this transaction changed anything so far (an ORM flush or an INSERT/UPDATE/DELETE)."""
    return bool(session.info.get(_WROTE))


def turn_key(sender: str, events: list[dict[str, Any]], metadata: dict[str, Any], action: str) -> str | None:
    """The action's place in the turn, the same when Rasa runs the turn again from the same state;
    None for a message that names no update (nothing to recognise it by)."""
    marker = metadata.get("tg_update")
    if not marker:
        return None
    step = 0
    for item in reversed(events):
        if item.get("event") == "user":
            break
        step += 1
    return hashlib.sha256(f"{sender}|{marker}|{action}|{step}".encode()).hexdigest()


async def replayed(session: AsyncSession, key: str) -> dict[str, Any] | None:
    return await session.scalar(select(TurnResult.result).where(TurnResult.key == key))


async def keep(session: AsyncSession, key: str, sender: str, result: dict[str, Any]) -> None:
    """Kept only when the action changed the database (in its transaction): other actions can run again."""
    if wrote(session):
        session.add(TurnResult(key=key, sender=sender, result=result))


async def forget(session: AsyncSession, senders: list[str]) -> None:
    """The deleted account's (`senders`: its HMACs)."""
    if senders:
        await session.execute(delete(TurnResult).where(TurnResult.sender.in_(senders)))


async def purge(session: AsyncSession, now: datetime | None = None) -> int:
    """What is older than a day (the retention job): a turn is never sent again that late."""
    result = await session.execute(delete(TurnResult).where(TurnResult.created_at < (now or utcnow()) - KEEP))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
