"""Rasa's tracker store, seen from the application: erase what a user typed to the assistant.

Rasa 3.6's `SQLTrackerStore` keeps every event of a conversation (the user's texts, the bot's
answers, the slots filled from what was typed) as one row of its `events` table, keyed by the
sender id — for us the HMAC of the chat id (`ChannelIdentity.external_hash`). Rasa has no API to
delete a conversation, so the application deletes the rows itself, in the same database.

Caveat (Rasa's own design): at the end of a turn Rasa appends the events its in-memory tracker
holds beyond the number already stored for the current session. Rows deleted *during* a turn of
that same sender would therefore come back; callers erase after the turn (the outbox job runs a
few seconds later, and once more a minute after) and the idle sweep only touches conversations
nobody has written to for weeks."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import (Column, Float, Integer, MetaData, String, Table, Text, delete, event, func, inspect,
                        select)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from tremplin.settings import get_settings, normalise_database_url

metadata = MetaData()

# Mirrors rasa.core.tracker_store.SQLTrackerStore.SQLEvent (Rasa creates the table, never us).
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),            # seconds since the epoch (UTC), as Rasa writes it
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),                  # the whole event as JSON: typed text, slots, bot answers
)

_engines: dict[str, AsyncEngine] = {}


def _sqlite_erasing(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:  # pragma: no cover - driver hook
    cursor = dbapi_connection.cursor()
    # Rasa writes this file too: wait for its lock rather than fail.
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten with zeros instead of lingering in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def tracker_engine(url: str | None = None) -> AsyncEngine:
    """An async engine on the tracker store (settings.tracker_store_url unless given), one per URL.
    Unlike tremplin.db's engines it never switches the file to WAL: the file belongs to Rasa."""
    url = normalise_database_url(url or get_settings().tracker_store_url)
    if url not in _engines:
        if url.startswith("sqlite"):
            engine = create_async_engine(url, hide_parameters=True)
            event.listen(engine.sync_engine, "connect", _sqlite_erasing)
        else:
            engine = create_async_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True,
                                         hide_parameters=True)
        _engines[url] = engine
    return _engines[url]


async def dispose_tracker_engines() -> None:
    for engine in list(_engines.values()):
        await engine.dispose()
    _engines.clear()


async def _has_events(conn: AsyncConnection) -> bool:
    """Before Rasa's first start there is no table: nothing to erase, nothing to read."""
    return await conn.run_sync(lambda sync: inspect(sync).has_table("events"))


async def _secure(conn: AsyncConnection) -> None:
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql("PRAGMA secure_delete=ON")


async def _flush_traces(engine: AsyncEngine) -> None:
    """After a delete, make sure the old bytes are gone from the files too.

    SQLite: secure_delete zeroes the rows in the database file; in WAL mode the old page images
    also sit in the -wal file until a checkpoint, so truncate it (best effort: a reader holding an
    old snapshot makes it wait for the next erasure). In rollback-journal mode (Rasa's default)
    the journal is deleted at commit.
    PostgreSQL: a DELETE only marks the row versions dead; VACUUM (autovacuum, soon after) makes
    their space reusable and later writes overwrite it. The bytes are unreachable through SQL at
    once; only someone reading the raw data files before that could see them."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        if str(mode).lower() == "wal":
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


async def erase_conversations(engine: AsyncEngine, sender_ids: Iterable[str],
                              up_to: datetime | None = None) -> int:
    """Delete every stored event of these senders (only those up to `up_to` if given, so a new
    conversation started after the erasure was asked is kept). Returns the number of rows."""
    senders = sorted(set(sender_ids))
    if not senders:
        return 0
    async with engine.begin() as conn:
        if not await _has_events(conn):
            return 0
        await _secure(conn)
        query = delete(events).where(events.c.sender_id.in_(senders))
        if up_to is not None:
            query = query.where(events.c.timestamp <= _epoch(up_to))
        erased = (await conn.execute(query)).rowcount or 0
    await _flush_traces(engine)
    return erased


async def erase_idle_conversations(engine: AsyncEngine, idle_since: datetime) -> int:
    """Delete the whole conversation of every sender whose last event is older than `idle_since`.
    One statement, so a sender who writes meanwhile is judged on the rows as they are now."""
    async with engine.begin() as conn:
        if not await _has_events(conn):
            return 0
        await _secure(conn)
        idle = (select(events.c.sender_id).group_by(events.c.sender_id)
                .having(func.max(events.c.timestamp) < _epoch(idle_since)))
        erased = (await conn.execute(delete(events).where(events.c.sender_id.in_(idle)))).rowcount or 0
    if erased:
        await _flush_traces(engine)
    return erased


async def last_activity(engine: AsyncEngine, sender_id: str) -> datetime | None:
    """When this sender's conversation last moved (any event), or None if nothing is stored."""
    async with engine.connect() as conn:
        if not await _has_events(conn):
            return None
        last = await conn.scalar(select(func.max(events.c.timestamp)).where(events.c.sender_id == sender_id))
    return datetime.fromtimestamp(last, timezone.utc) if last is not None else None


async def stored_senders(engine: AsyncEngine) -> set[str]:
    """Every sender with at least one stored event (for checks and the retention report)."""
    async with engine.connect() as conn:
        if not await _has_events(conn):
            return set()
        return set(await conn.scalars(select(events.c.sender_id).distinct()))
