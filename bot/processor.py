"""Concurrent updates across chats, strict order within a chat, and each update processed once.

PTB creates one task per update in arrival order; taking a per-chat FIFO lock *before* any other
await keeps a chat's messages in order while other chats proceed in parallel."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.storage import UpdateLog

if TYPE_CHECKING:
    from bot.telegram_inbox import Inbox

log = logging.getLogger(__name__)


def chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256, update_log: UpdateLog | None = None,
                 inbox: Inbox | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.update_log = update_log
        self.inbox = inbox  # each update's row is deleted once it is handled (bot/telegram_inbox)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._users: dict[int | None, int] = {}

    async def in_chat_order(self, key: int, coroutine: Awaitable[Any]) -> None:
        """Run work of our own (a message kept from before a restart) in the chat's FIFO: started
        before polling, it is answered before anything the user sent since."""
        await self._ordered(key, None, coroutine)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self._ordered(chat_key(update), update, coroutine)

    async def _ordered(self, key: int | None, update: object, coroutine: Awaitable[Any]) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                if (isinstance(update, Update) and self.update_log is not None
                        and not await self.update_log.first_time(update.update_id)):
                    log.info("duplicate update %s ignored", update.update_id)
                    if hasattr(coroutine, "close"):
                        coroutine.close()
                    return
                await coroutine
                if isinstance(update, Update) and self.inbox is not None:
                    await self.inbox.done(update.update_id)
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle chats so memory stays flat
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
