"""The gateway survives its own crash (kill -9, power cut) without losing or repeating a turn.

Telegram forgets an update as soon as the next getUpdates call confirms it, which the poller does
at once, long before the turn is answered. So every update is written here *before* getUpdates
returns it (one insert per poll; in webhook mode before the 200), and deleted once it is fully
handled. The next start handles what is left, in each chat's order, once:
- a turn Rasa never ran is asked again;
- a turn Rasa ran is not run twice: each turn's REST call carries its update in the metadata
  (`tg_update`), Rasa stores it with the user event, and the answer is read back from the tracker
  store; only the messages not sent yet are sent (`sent` counts them during the sending);
- a button press is replayed from the payload saved just before its token is spent.

On SQLite the inbox is a file of its own next to the application's database (like Rasa's tracker
store): its one or two writes per turn never take the application's write lock, nor change the
snapshot of another process's transaction in the middle. On PostgreSQL it is a table of the same
database. Rows keep no names (slimmed update) and live only while their update is handled, like
the texts of bot/storage's kept turns. Database errors met on the way (a PostgreSQL restart) are
waited out (`db_retry`) instead of dropping the message."""
from __future__ import annotations

import contextvars
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, Float, Integer, MetaData, String, Table, Text, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.rasa_client import RasaClient
from bot.sent_log import LoggedSends
from bot.storage import UpdateLog, writing
from tremplin.db import for_writes, make_engine
from tremplin.db import retry_unavailable as db_retry

log = logging.getLogger(__name__)

MARK = "tg_update"  # key of the REST metadata that names the update of a turn
AGAIN = "tg_again"  # the same turn sent again: Rasa answers from its tracker if it ran it
TURN: contextvars.ContextVar[str | None] = contextvars.ContextVar("tremplin_tg_turn", default=None)
REPLAY: contextvars.ContextVar[bool] = contextvars.ContextVar("tremplin_tg_replay", default=False)

inbox_metadata = MetaData()
inbox = Table(
    "bot_inbox", inbox_metadata,
    Column("bot_key", String(16), primary_key=True),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("raw", Text, nullable=False),       # the update without names; deleted once handled
    Column("payload", Text),                   # a pressed button's payload, saved with its spend
    Column("title", String(255)),
    Column("sent", Integer, nullable=False, default=0),  # messages of the answer already sent
    Column("attempts", Integer, nullable=False, default=0),
    Column("at", Float, nullable=False),
)


def _slim(value: Any) -> Any:
    """The update as Telegram sent it, without first names, last names, usernames or titles."""
    if isinstance(value, dict):
        out = {k: _slim(v) for k, v in value.items() if k not in ("last_name", "username", "title")}
        if "first_name" in out:
            out["first_name"] = ""
        return out
    if isinstance(value, list):
        return [_slim(v) for v in value]
    return value


def rest_messages(event: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored `bot` event as the REST channel had returned it (Rasa 3.6's
    OutputChannel.send_response into CollectingOutputChannel)."""
    m = dict(event.get("data") or {})
    m["text"] = event.get("text")
    m.update(event.get("metadata") or {})
    if m.get("image") == m.get("attachment"):
        m["attachment"] = None
    out: list[dict[str, Any]] = []
    if m.get("quick_replies"):
        out.append({"text": m.get("text"), "buttons": m["quick_replies"]})
    elif m.get("buttons"):
        out.append({"text": m.get("text"), "buttons": m["buttons"]})
    elif m.get("text"):
        out.extend({"text": part} for part in str(m["text"]).strip().split("\n\n"))
    for key in ("custom", "image", "attachment"):
        if m.get(key):
            out.append({key: m[key]})
    return out


class MarkedRasaClient(RasaClient):
    """Each turn names its update in the metadata Rasa stores with the user event. A turn sent
    again (replayed after a restart, or retried after a timeout or an empty answer) also says so
    (`tg_again`): Rasa then gives back the answer it stored instead of running it twice
    (nlu/rasa_runtime.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sent: OrderedDict[str, None] = OrderedDict()  # markers sent by this process, latest last

    async def send(self, sender_id: str, message: str,
                   metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        marker = TURN.get()
        if marker is not None:
            metadata = {**(metadata or {}), MARK: marker}
            if REPLAY.get() or marker in self._sent:
                metadata[AGAIN] = True
            self._sent[marker] = None
            while len(self._sent) > 10_000:
                self._sent.popitem(last=False)
        return await super().send(sender_id, message, metadata)


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    chat_id: int
    raw: str
    payload: str | None
    title: str | None
    sent: int
    at: float  # when it was received (epoch seconds)


def inbox_engine(app_engine: AsyncEngine) -> AsyncEngine:
    """SQLite: `<database>-gateway-inbox.db` beside the application's file; otherwise the same
    database (PostgreSQL has no single write lock to share)."""
    database = app_engine.url.database or ""
    if app_engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        return app_engine
    path = Path(database)
    return make_engine(f"sqlite+aiosqlite:///{path.with_name(path.stem + '-gateway-inbox.db')}")


class Inbox:
    def __init__(self, engine: AsyncEngine, bot_key: str, update_log: UpdateLog | None = None,
                 tracker: AsyncEngine | None = None) -> None:
        """`engine`: where the inbox lives (`inbox_engine(app_engine)` for the gateway)."""
        self.engine, self.bot_key, self.update_log = engine, bot_key, update_log
        self._tracker = tracker
        self._held: set[int] = set()
        self._early: set[int] = set()        # deleted right after their answer's last message
        self._loaded: dict[int, InboxRow] = {}   # rows from before this start, being replayed

    @property
    def tracker(self) -> AsyncEngine:
        if self._tracker is None:
            from tremplin.privacy.conversations import tracker_engine
            self._tracker = tracker_engine()
        return self._tracker

    async def setup(self) -> None:
        async def create() -> None:
            async with self.engine.begin() as conn:
                await conn.run_sync(inbox_metadata.create_all)
        await db_retry(create, "inbox table", 120.0)

    def marker(self, update_id: int) -> str:
        return f"{self.bot_key}:{update_id}"

    def _key(self, update_id: int) -> Any:
        return (inbox.c.bot_key == self.bot_key) & (inbox.c.update_id == update_id)

    async def _write(self, statement: Any, what: str, budget: float = 60.0) -> None:
        async def run() -> None:
            async with writing(self.engine), for_writes(self.engine).begin() as conn:
                await conn.execute(statement)
        await db_retry(run, what, budget)

    async def receive(self, updates: Sequence[Update]) -> None:
        """Written before Telegram hears they were received; updates already handled are skipped."""
        rows = [{"bot_key": self.bot_key, "update_id": u.update_id, "raw": json.dumps(_slim(u.to_dict())),
                 "chat_id": (u.effective_chat.id if u.effective_chat else
                             u.effective_user.id if u.effective_user else 0),
                 "sent": 0, "attempts": 0, "at": time.time()}
                for u in updates if self.update_log is None or not self.update_log.seen(u.update_id)]
        if rows:
            insert_ = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
            await self._write(insert_(inbox).values(rows).on_conflict_do_nothing(), "inbox", 30.0)

    def hold(self, update_id: int) -> None:
        """Deferred or failed: the row stays for the next start."""
        self._held.add(update_id)

    async def done(self, update_id: int) -> None:
        """The update is handled (called once its handler returned)."""
        if update_id in self._held:
            self._held.discard(update_id)
            return
        if update_id in self._early:
            self._early.discard(update_id)
            return
        self._loaded.pop(update_id, None)
        await self._write(delete(inbox).where(self._key(update_id)), "inbox done")

    async def answered_now(self, update_id: int) -> None:
        """Deleted as soon as the last message of the answer is sent: a crash after that instant
        must not send it again (the rest of the handler runs after; `done` then does nothing)."""
        self._loaded.pop(update_id, None)
        await self._write(delete(inbox).where(self._key(update_id)), "inbox done")
        self._early.add(update_id)

    async def progress(self, update_id: int, sent: int) -> None:
        await self._write(update(inbox).where(self._key(update_id)).values(sent=sent), "inbox progress")

    async def record_button(self, update_id: int, payload: str, title: str) -> None:
        """A press's payload, saved before its token is spent: replayed after a crash even if the
        token was spent just before it."""
        await self._write(update(inbox).where(self._key(update_id)).values(payload=payload, title=title[:255]),
                          "inbox button")

    def loaded(self, update_id: int) -> InboxRow | None:
        return self._loaded.get(update_id) if REPLAY.get() else None

    async def unfinished(self, max_age_days: float = 1, max_attempts: int = 5) -> list[InboxRow]:
        """What a previous run left, in update order; what is too old or was tried too often at
        start (a message that crashes the gateway each time) is dropped, its text with it."""
        async def run() -> list[InboxRow]:
            async with writing(self.engine), for_writes(self.engine).begin() as conn:
                mine = inbox.c.bot_key == self.bot_key
                await conn.execute(delete(inbox).where(mine, (inbox.c.at < time.time() - max_age_days * 86400)
                                                       | (inbox.c.attempts >= max_attempts)))
                await conn.execute(update(inbox).where(mine).values(attempts=inbox.c.attempts + 1))
                rows = await conn.execute(select(inbox).where(mine).order_by(inbox.c.update_id))
                return [InboxRow(r.update_id, r.chat_id, r.raw, r.payload, r.title, r.sent, r.at) for r in rows]
        rows = await db_retry(run, "inbox at start", 120.0)
        self._loaded = {row.update_id: row for row in rows}
        return rows

    async def answered(self, sender: str, update_id: int) -> list[dict[str, Any]] | None:
        """Rasa's answer to this update if Rasa ran the turn (read from its tracker store), else None."""
        from tremplin.privacy.conversations import _has_events, events
        marker = self.marker(update_id)

        url = self.tracker.url
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            return None  # Rasa never ran here: no tracker store yet

        async def look() -> list[dict[str, Any]] | None:
            async with self.tracker.connect() as conn:
                if not await _has_events(conn):
                    return None
                users = await conn.execute(select(events.c.id, events.c.data).where(
                    events.c.sender_id == sender, events.c.type_name == "user",
                    events.c.data.contains(marker)).order_by(events.c.id))
                ids = [r.id for r in users if (json.loads(r.data).get("metadata") or {}).get(MARK) == marker]
                if not ids:
                    return None
                after = await conn.execute(select(events.c.type_name, events.c.data).where(
                    events.c.sender_id == sender, events.c.id > ids[-1]).order_by(events.c.id).limit(500))
                said: list[dict[str, Any]] = []
                for row in after:
                    if row.type_name == "user":
                        break
                    if row.type_name == "bot":
                        said.extend(rest_messages(json.loads(row.data)))
                return said
        try:
            return await db_retry(look, "tracker store", 30.0)
        except Exception:  # noqa: BLE001 - unknown: asked again (at least once rather than never)
            log.exception("could not read the tracker store for update %s", update_id)
            return None


class InboxBot(LoggedSends):
    """The gateway's bot: updates from getUpdates are in the inbox before the next call confirms
    them, and what it sends is logged (bot/sent_log)."""

    def set_inbox(self, box: Inbox) -> None:
        self._inbox = box

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        box: Inbox | None = getattr(self, "_inbox", None)
        if updates and box is not None:
            await box.receive(updates)  # raises if the database stays away: fetched again, unconfirmed
        return updates
