"""Once on Telegram, also across a kill -9: what the bot sent, and a check before sending again.

A message is sent, then marked (the gateway's inbox `sent`, the outbox's `sent_at`). A process
killed between Telegram's answer and the mark leaves a message the next start cannot tell sent or
not, and the Bot API has no idempotency key nor any way to read a chat. Two things close that gap:
- every message the bot sends is logged here (who: the HMAC of the chat, never its id; which
  message id; what it delivered, `ref`), right after Telegram's answer;
- before sending again a message whose fate is unknown, `already_shown` asks Telegram to edit the
  chat's messages just above the last one known, one by one, into exactly that text and keyboard:
  « message is not modified » proves it is already there (nothing changes on screen), « not found »
  or « can't be edited » (a user's message) means look further. Messages this log knows are never
  touched, so only the lost one or a user's message can be edited: a known message of another text
  is never overwritten.
Rows keep no text, are pruned after two days (long after any restart) and erased with the account."""
from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from typing import Any

from sqlalchemy import (BigInteger, Column, Float, Index, Integer, MetaData, String, Table, delete, func, insert,
                        inspect, select)
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.storage import writing
from tremplin.db import for_writes
from tremplin.db import retry_unavailable as db_retry
from tremplin.privacy.identifiers import external_hash

log = logging.getLogger(__name__)

REF: contextvars.ContextVar[str | None] = contextvars.ContextVar("tremplin_sent_ref", default=None)
PROBES = 12          # edits tried at most for one message of unknown fate
SPAN = 60            # message ids looked at above the last one known
KEEP_DAYS = 2.0

sent_metadata = MetaData()
bot_sent = Table(
    "bot_sent", sent_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bot_key", String(16), nullable=False),
    Column("chat", String(64), nullable=False),          # HMAC of the chat id
    Column("message_id", BigInteger, nullable=False),
    Column("ref", String(64)),                           # « u:<bot>:<update>:<n> », « n:<notification> »
    Column("at", Float, nullable=False),
    Index("ix_bot_sent_chat", "bot_key", "chat", "message_id"),
    Index("ix_bot_sent_ref", "bot_key", "ref"),
)


def bot_key(token: str) -> str:
    """Update and message ids are per bot: keyed by a hash of the token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def chat_key(chat_id: int | str) -> str:
    """The HMAC the rest of the system knows the user by: a private chat's id is its user's id,
    so « supprimer mes données » finds these rows by the account's sender id (`forget`)."""
    return external_hash("telegram", chat_id)


async def forget(engine: AsyncEngine, senders: list[str]) -> None:
    """Erase what the log keeps about these chats (called by the erasure job)."""
    async def erase() -> None:
        async with writing(engine), for_writes(engine).begin() as conn:
            if await conn.run_sync(lambda sync: inspect(sync).has_table("bot_sent")):
                await conn.execute(delete(bot_sent).where(bot_sent.c.chat.in_(senders)))
    await db_retry(erase, "sent log erasure", 60.0)


class SentLog:
    def __init__(self, engine: AsyncEngine, bot_key: str) -> None:
        self.engine, self.bot_key = engine, bot_key

    async def setup(self) -> None:
        async def create() -> None:
            async with self.engine.begin() as conn:
                await conn.run_sync(sent_metadata.create_all)
        await db_retry(create, "sent log table", 120.0)

    async def record(self, chat_id: int | str, message_id: int, ref: str | None) -> None:
        row = {"bot_key": self.bot_key, "chat": chat_key(chat_id), "message_id": message_id,
               "ref": ref, "at": time.time()}

        async def write() -> None:
            async with writing(self.engine), for_writes(self.engine).begin() as conn:
                await conn.execute(insert(bot_sent).values(row))
        try:
            await db_retry(write, "sent log", 60.0)
        except Exception:  # noqa: BLE001 - the message is out; only a later check would miss it
            log.exception("could not log a sent message")

    def _mine(self, chat_id: int | str | None) -> Any:
        """This chat's rows, or with None every chat's of this bot."""
        mine = bot_sent.c.bot_key == self.bot_key
        return mine if chat_id is None else mine & (bot_sent.c.chat == chat_key(chat_id))

    async def find(self, ref: str) -> int | None:
        """The message that delivered `ref`, if its send was logged."""
        async def read() -> int | None:
            async with self.engine.connect() as conn:
                return (await conn.execute(select(bot_sent.c.message_id).where(
                    bot_sent.c.bot_key == self.bot_key, bot_sent.c.ref == ref).limit(1))).scalar()
        return await db_retry(read, "sent log", 60.0)

    async def floor(self, chat_id: int | str | None, before: float) -> int:
        """The newest message logged in this chat (None: in any chat) before `before` (epoch
        seconds): what was sent after that moment has a higher id. 0 when none is known."""
        async def read() -> int:
            async with self.engine.connect() as conn:
                return (await conn.execute(select(func.max(bot_sent.c.message_id)).where(
                    self._mine(chat_id), bot_sent.c.at < before))).scalar() or 0
        return await db_retry(read, "sent log", 60.0)

    async def known(self, chat_id: int | str | None, above: int) -> set[int]:
        async def read() -> set[int]:
            async with self.engine.connect() as conn:
                return set((await conn.execute(select(bot_sent.c.message_id).where(
                    self._mine(chat_id), bot_sent.c.message_id > above))).scalars())
        return await db_retry(read, "sent log", 60.0)

    async def prune(self, max_age_days: float = KEEP_DAYS) -> int:
        async with writing(self.engine), for_writes(self.engine).begin() as conn:
            result = await conn.execute(delete(bot_sent).where(
                bot_sent.c.bot_key == self.bot_key, bot_sent.c.at < time.time() - max_age_days * 86400))
            return result.rowcount


class LoggedSends(ExtBot):
    """A bot whose every sent message is logged (`set_sent_log`), with the `REF` of the moment."""

    def set_sent_log(self, sent_log: SentLog) -> None:
        self._sent_log = sent_log

    async def _logged(self, message: Message) -> Message:
        sent_log: SentLog | None = getattr(self, "_sent_log", None)
        if sent_log is not None:
            await sent_log.record(message.chat_id, message.message_id, REF.get())
        return message

    async def send_message(self, *args: Any, **kwargs: Any) -> Message:
        return await self._logged(await super().send_message(*args, **kwargs))

    async def send_photo(self, *args: Any, **kwargs: Any) -> Message:
        return await self._logged(await super().send_photo(*args, **kwargs))

    async def send_document(self, *args: Any, **kwargs: Any) -> Message:
        return await self._logged(await super().send_document(*args, **kwargs))


async def since(sent_log: SentLog, chat_id: int, moment: float) -> tuple[int, bool]:
    """Where to look for a message sent after `moment`: above the chat's newest logged message
    before it; in a chat with none, above the bot's (message ids then counted across chats)."""
    floor = await sent_log.floor(chat_id, moment)
    return (floor, False) if floor else (await sent_log.floor(None, moment), True)


async def already_shown(bot: ExtBot, sent_log: SentLog, chat_id: int, floor: int, *, text: str | None = None,
                        caption: str | None = None, markup: InlineKeyboardMarkup | None = None,
                        ref: str | None = None, across_chats: bool = False) -> int | None:
    """The id of a message of this chat above `floor` that already shows exactly this text (or
    photo caption) and keyboard, None if there is none (then it was never sent). Only messages
    the log does not know (`across_chats`: in any chat) are tried (see the module's docstring)."""
    if ref is not None and (found := await sent_log.find(ref)) is not None:
        return found
    if not (text or caption) or floor <= 0:
        return None  # nothing to compare (a photo without caption, a document), or nowhere to look
    known = await sent_log.known(None if across_chats else chat_id, floor)
    tried = 0
    for message_id in range(floor + 1, floor + SPAN + 1):
        if message_id in known:
            continue
        if tried >= PROBES:
            break
        tried += 1
        try:
            if text:
                await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
            else:
                await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=caption,
                                               reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                log.info("a message of unknown fate was already shown (%d edit(s) tried): not sent again", tried)
                await sent_log.record(chat_id, message_id, ref)
                return message_id
            continue  # not there, or a user's message: further up
        except TelegramError as exc:
            log.info("could not check a message of unknown fate (%s): sent again", type(exc).__name__)
            return None
        else:  # a message of ours the log did not know now shows this text: it is shown, once
            log.warning("an unlogged message of the bot was edited while checking a lost send")
            await sent_log.record(chat_id, message_id, ref)
            return message_id
    return None
