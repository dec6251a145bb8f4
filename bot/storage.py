"""The gateway's own small tables (own metadata, created with `create_all`, outside the domain's
migrations): button tokens that survive a restart, the update ids already processed, and the
messages waiting for Rasa to come back (kept until answered, delivered after a gateway restart)."""
from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (BigInteger, Column, Float, Integer, MetaData, String, Table, Text, delete,
                        insert, select, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.replies import Button
from tremplin.db import for_writes, local_writer
from tremplin.settings import get_settings

log = logging.getLogger(__name__)
metadata = MetaData()


def writing(engine: AsyncEngine) -> contextlib.AbstractAsyncContextManager[object]:
    """The gateway's writes queue behind this process's other writers (`tremplin.db.local_writer`,
    SQLite only) and their transaction begins with `for_writes(engine)` (BEGIN IMMEDIATE): against
    the other processes (action server, notifier), the lock is waited for at BEGIN."""
    return local_writer(engine)


button_tokens = Table(
    "bot_button_tokens", metadata,
    Column("token", String(24), primary_key=True),
    Column("group_id", String(24), nullable=False, index=True),  # all buttons of one message
    Column("sender", String(64), nullable=False),                # HMAC of who may press it
    Column("payload", Text, nullable=False),
    Column("title", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("used_at", Float),
)

processed_updates = Table(
    "bot_processed_updates", metadata,
    Column("bot_key", String(16), primary_key=True),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", Float, nullable=False, index=True),
)


pending_turns = Table(
    "bot_pending_turns", metadata,
    Column("bot_key", String(16), primary_key=True),
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("message", Text, nullable=False),  # what the user typed: deleted once answered
    Column("at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
)


async def ensure_tables(engine: AsyncEngine) -> None:
    """Idempotent; two processes starting together may race on PostgreSQL, so retry once."""
    for attempt in range(2):
        try:
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            return
        except (IntegrityError, DBAPIError):
            if attempt:
                raise


@dataclass(frozen=True)
class Redeemed:
    status: str  # "ok", "used" or "unknown"
    payload: str = ""
    title: str = ""


def _derived(sender: str, seed: str, part: str) -> str:
    """16 unguessable characters (HMAC with the secret key), the same for the same message."""
    digest = hmac.new(get_settings().secret_key.encode(), f"button:{sender}:{seed}:{part}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


class TokenStore:
    """Button payloads behind short random tokens (Telegram allows 64 bytes of callback data).
    Tokens are unguessable and bound to their user, so callback data cannot be forged into intents."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def issue(self, sender: str, buttons: Sequence[Button], seed: str | None = None) -> list[str]:
        """`seed` names the message (« u:<bot>:<update>:<n> »): its tokens are then derived from it with
        the secret key, so the same answer sent again after a crash carries the same keyboard
        (bot/sent_log can recognise it on screen) and its tokens are issued once."""
        now = time.time()
        if seed is None:
            group = secrets.token_urlsafe(9)
            tokens = [secrets.token_urlsafe(12) for _ in buttons]
        else:
            group = _derived(sender, seed, "group")[:12]
            tokens = [_derived(sender, seed, str(i)) for i in range(len(buttons))]
        if buttons:
            rows = [{"token": token, "group_id": group, "sender": sender, "payload": b.payload,
                     "title": b.title[:255], "created_at": now} for token, b in zip(tokens, buttons)]
            statement = insert(button_tokens)
            if seed is not None:
                dialect = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
                statement = dialect(button_tokens).on_conflict_do_nothing()
            async with writing(self.engine), for_writes(self.engine).begin() as conn:
                await conn.execute(statement, rows)
        return tokens

    async def peek(self, token: str, sender: str) -> Redeemed:
        """What the button says (spent or not), without spending it: « ok » or « unknown »."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(button_tokens.c.payload, button_tokens.c.title).where(
                button_tokens.c.token == token, button_tokens.c.sender == sender))).first()
        return Redeemed("ok", row.payload, row.title) if row is not None else Redeemed("unknown")

    async def redeem(self, token: str, sender: str) -> Redeemed:
        """Single use per message: the first press wins, later presses on any sibling are refused."""
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            row = (await conn.execute(select(button_tokens).where(
                button_tokens.c.token == token, button_tokens.c.sender == sender))).first()
            if row is None:
                return Redeemed("unknown")
            claimed = await conn.execute(update(button_tokens).where(
                button_tokens.c.group_id == row.group_id, button_tokens.c.used_at.is_(None))
                .values(used_at=time.time()))
            if claimed.rowcount == 0:
                return Redeemed("used")
            return Redeemed("ok", row.payload, row.title)

    async def redeem_latest(self, sender: str, payload: str) -> Redeemed:
        """A choice typed instead of pressed (bot/choices): spends the sender's newest keyboard if it
        offers `payload`, as a press would. « unknown » when the newest keyboard has no such button
        (a newer one replaced it), « used » when it was already spent."""
        async with self.engine.connect() as conn:  # read first: the write lock only for the spend
            group = (await conn.execute(select(button_tokens.c.group_id).where(
                button_tokens.c.sender == sender).order_by(button_tokens.c.created_at.desc()).limit(1))).scalar()
            row = None if group is None else (await conn.execute(select(button_tokens).where(
                button_tokens.c.group_id == group, button_tokens.c.payload == payload))).first()
        if row is None:
            return Redeemed("unknown")
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            claimed = await conn.execute(update(button_tokens).where(
                button_tokens.c.group_id == group, button_tokens.c.used_at.is_(None))
                .values(used_at=time.time()))
            if claimed.rowcount == 0:
                return Redeemed("used")
            return Redeemed("ok", row.payload, row.title)

    async def prune(self, max_age_days: float = 60) -> int:
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            result = await conn.execute(delete(button_tokens).where(
                button_tokens.c.created_at < time.time() - max_age_days * 86400))
            return result.rowcount


class UpdateLog:
    """Remembers processed update ids so each update is handled once, also across a restart.

    The check is in memory (loaded from the database at start); new ids are written in batches
    by one background flush, so deduplication costs no database round trip per message."""

    def __init__(self, engine: AsyncEngine, bot_key: str, memory: int = 100_000) -> None:
        self.engine = engine
        self.bot_key = bot_key
        self._recent: OrderedDict[int, None] = OrderedDict()
        self._memory = memory
        self._pending: list[int] = []
        self._flusher: asyncio.Task[None] | None = None

    async def load(self, max_age_days: float = 2) -> None:
        async with self.engine.connect() as conn:
            ids = await conn.scalars(select(processed_updates.c.update_id).where(
                processed_updates.c.bot_key == self.bot_key,
                processed_updates.c.at > time.time() - max_age_days * 86400)
                .order_by(processed_updates.c.update_id.desc()).limit(self._memory))
            for update_id in sorted(ids):
                self._recent[update_id] = None

    def remember(self, update_ids: Sequence[int]) -> None:
        """Ids handled by other means (a pending turn replayed at start): never processed again."""
        for update_id in update_ids:
            if update_id not in self._recent:
                self._recent[update_id] = None
                self._pending.append(update_id)

    def seen(self, update_id: int) -> bool:
        """Already handled or being handled by this process (or known from the database)."""
        return update_id in self._recent

    async def first_time(self, update_id: int) -> bool:
        if update_id in self._recent:
            return False
        self._recent[update_id] = None
        while len(self._recent) > self._memory:
            self._recent.popitem(last=False)
        self._pending.append(update_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())
        return True

    async def _flush_soon(self) -> None:
        await asyncio.sleep(0.05)  # gather the ids of a burst into one transaction
        try:
            await self.flush()
        except Exception:  # noqa: BLE001 - memory still dedups; the next flush retries
            log.exception("could not record processed updates")

    async def flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            rows = [{"bot_key": self.bot_key, "update_id": u, "at": time.time()} for u in batch]
            insert_ = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
            try:
                async with writing(self.engine), for_writes(self.engine).begin() as conn:
                    await conn.execute(insert_(processed_updates).on_conflict_do_nothing(), rows)
            except Exception:
                self._pending = batch + self._pending
                raise

    async def close(self) -> None:
        if self._flusher is not None:
            await self._flusher
        await self.flush()

    async def prune(self, max_age_days: float = 7) -> int:
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            result = await conn.execute(delete(processed_updates).where(
                processed_updates.c.at < time.time() - max_age_days * 86400))
            return result.rowcount


@dataclass(frozen=True)
class PendingTurn:
    update_id: int
    chat_id: int
    user_id: int
    message: str
    attempts: int


class PendingTurns:
    """Messages Rasa could not take yet. A message is written here when its first try fails and
    deleted once its answer is sent (or the user was told we gave up): a gateway restarted while
    Rasa is down still answers it, once — the row is keyed on Telegram's update id."""

    def __init__(self, engine: AsyncEngine, bot_key: str) -> None:
        self.engine = engine
        self.bot_key = bot_key

    async def keep(self, update_id: int, chat_id: int, user_id: int, message: str) -> None:
        insert_ = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            await conn.execute(insert_(pending_turns).on_conflict_do_nothing(), [{
                "bot_key": self.bot_key, "update_id": update_id, "chat_id": chat_id,
                "user_id": user_id, "message": message, "at": time.time(), "attempts": 0}])

    async def done(self, update_id: int) -> None:
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            await conn.execute(delete(pending_turns).where(
                pending_turns.c.bot_key == self.bot_key, pending_turns.c.update_id == update_id))

    async def resumed(self, update_id: int) -> None:
        """Counted at each restart that picks the message up: a message that crashes the gateway
        every time is dropped after a few restarts instead of looping forever."""
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            await conn.execute(update(pending_turns).where(
                pending_turns.c.bot_key == self.bot_key, pending_turns.c.update_id == update_id)
                .values(attempts=pending_turns.c.attempts + 1))

    async def waiting(self, max_age_days: float = 1, max_attempts: int = 5) -> list[PendingTurn]:
        """In update order; what is too old or tried too often is forgotten (the text with it)."""
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            await conn.execute(delete(pending_turns).where(
                pending_turns.c.bot_key == self.bot_key,
                (pending_turns.c.at < time.time() - max_age_days * 86400)
                | (pending_turns.c.attempts >= max_attempts)))
            rows = await conn.execute(select(pending_turns).where(
                pending_turns.c.bot_key == self.bot_key).order_by(pending_turns.c.update_id))
            return [PendingTurn(r.update_id, r.chat_id, r.user_id, r.message, r.attempts) for r in rows]
