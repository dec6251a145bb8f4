"""The task-success stack: the real Rasa server, the real action server (both from
tests/support/stack.start_stack, on a seeded SQLite demo database) and the real Telegram gateway
(bot.telegram_app.serve) polling the fake Bot API of tests/support/fakes/bot_api.py.

A simulated user is one Telegram chat: `TelegramUser.say()` pushes a text update, `press()` a
callback query for one of the bot's inline buttons; both wait until the gateway has finished
handling that update and return the bot messages it sent meanwhile.

To know when a turn is over without sleeping, the gateway's handler class is subclassed to count
finished updates per chat (the handlers themselves run unchanged)."""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bot.telegram_app as telegram_app
from bot.config import BotConfig
from bot.telegram_gateway import TelegramGateway
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.gateway import GatewayRunner
from tests.support.stack import Stack, start_stack
from tremplin.db import make_engine

# Rasa answers slowly when a dozen chats talk at once on 2 cores: a short timeout would make the
# relay resend a message Rasa is still processing (a duplicate turn), so wait long instead.
TASK_CONFIG = BotConfig(webhook_url=None, webhook_secret="tasks-secret", webhook_listen="127.0.0.1:0",
                        action_server_url="", rasa_timeout=90.0, retry_delays=(1.0, 2.0))
TURN_TIMEOUT = 150.0


class _Turns:
    """Finished updates per chat, shared by the observed gateway and the simulated users."""

    def __init__(self) -> None:
        self.done: dict[int, int] = defaultdict(int)
        self.changed = asyncio.Condition()

    async def finished(self, chat_id: int | None) -> None:
        if chat_id is None:
            return
        async with self.changed:
            self.done[chat_id] += 1
            self.changed.notify_all()

    async def wait(self, chat_id: int, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        async with self.changed:
            while self.done[chat_id] < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                try:
                    await asyncio.wait_for(self.changed.wait(), min(left, 1.0))
                except asyncio.TimeoutError:
                    pass
        return True


TURNS: _Turns | None = None


def _chat_of(update: Any) -> int | None:
    chat = getattr(update, "effective_chat", None)
    if chat is not None:
        return chat.id
    user = getattr(update, "effective_user", None)
    return user.id if user is not None else None


class ObservedGateway(TelegramGateway):
    """The real gateway; each handler, once finished (or failed), counts the update as handled."""

    async def finished(self, update: Any, context: Any) -> None:
        if TURNS is not None:
            await TURNS.finished(_chat_of(update))

    async def on_text(self, update, context) -> None:  # type: ignore[no-untyped-def]
        try:
            await super().on_text(update, context)
        finally:
            await self.finished(update, context)

    async def on_button(self, update, context) -> None:  # type: ignore[no-untyped-def]
        try:
            await super().on_button(update, context)
        finally:
            await self.finished(update, context)

    async def on_other(self, update, context) -> None:  # type: ignore[no-untyped-def]
        try:
            await super().on_other(update, context)
        finally:
            await self.finished(update, context)


class SignallingGateway(ObservedGateway):
    """The same, in a process of its own (bench/load.py): it tells the fake Bot API, over its
    own HTTP client, which calls the waiting simulated user's `TURNS.finished`."""

    async def finished(self, update: Any, context: Any) -> None:
        chat = _chat_of(update)
        if chat is not None:
            await context.bot.do_api_request("x_turn_done", api_kwargs={"chat_id": chat})


@dataclass
class BotMessage:
    text: str
    buttons: list[tuple[str, str]]  # (title, callback_data)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def _message(raw: dict[str, Any]) -> BotMessage:
    rows = (raw.get("reply_markup") or {}).get("inline_keyboard") or []
    buttons = [(b["text"], b.get("callback_data", "")) for row in rows for b in row if b.get("callback_data")]
    return BotMessage(raw.get("text") or raw.get("caption") or "", buttons, raw)


class TelegramUser:
    """One simulated person in one private Telegram chat."""

    def __init__(self, api: FakeBotAPI, chat_id: int) -> None:
        self.api, self.chat_id = api, chat_id
        self.sent_updates = 0
        self.turn_starts: list[int] = []

    def messages(self) -> list[BotMessage]:
        return [_message(m) for m in self.api.sent[self.chat_id]]

    async def _turn(self, push) -> list[BotMessage] | None:  # type: ignore[no-untyped-def]
        assert TURNS is not None
        before = len(self.api.sent[self.chat_id])
        self.turn_starts.append(before)
        self.sent_updates += 1
        push()
        if not await TURNS.wait(self.chat_id, self.sent_updates, TURN_TIMEOUT):
            return None
        return [_message(m) for m in self.api.sent[self.chat_id][before:]]

    async def say(self, text: str) -> list[BotMessage] | None:
        """None when the gateway did not finish the turn in time."""
        return await self._turn(lambda: self.api.push_text(self.chat_id, text))

    def find_button(self, title_part: str, nth: int = 0) -> tuple[dict[str, Any], str, str] | None:
        """The nth button whose title contains `title_part` (case-insensitive) in the newest turn that
        shows one; within a turn, in display order. Pressed keyboards are gone (edited away)."""
        wanted = title_part.lower()
        sent = self.api.sent[self.chat_id]
        bounds = self.turn_starts + [len(sent)]
        for i in range(len(self.turn_starts) - 1, -1, -1):
            found = [(raw, title, data) for raw in sent[bounds[i]:bounds[i + 1]]
                     for title, data in _message(raw).buttons if wanted in title.lower()]
            if found:
                return found[nth] if len(found) > nth else None
        return None

    async def press(self, raw: dict[str, Any], data: str) -> list[BotMessage] | None:
        return await self._turn(lambda: self.api.press_data(self.chat_id, raw, data))


class TaskStack:
    """Rasa + actions (subprocesses) + the Telegram gateway and fake Bot API (this event loop)."""

    def __init__(self, stack: Stack, api: FakeBotAPI, gateway: GatewayRunner, engine: Any) -> None:
        self.stack, self.api, self.gateway, self.engine = stack, api, gateway, engine
        self.database_url = stack.database_url

    def user(self, chat_id: int) -> TelegramUser:
        return TelegramUser(self.api, chat_id)

    @classmethod
    async def start(cls, tmp: Path) -> TaskStack:
        global TURNS
        stack = await asyncio.to_thread(start_stack, tmp)
        api = FakeBotAPI()
        try:
            await api.start()
            engine = make_engine(stack.database_url)
            TURNS = _Turns()
            telegram_app.TelegramGateway = ObservedGateway  # type: ignore[misc]
            gateway = GatewayRunner(api, stack.rasa_url, engine, config=TASK_CONFIG, rate_limit=False)
            await gateway.start()
        except Exception:
            stack.stop()
            raise
        return cls(stack, api, gateway, engine)

    async def stop(self) -> None:
        try:
            await self.gateway.stop()
            await self.api.stop()
            await self.engine.dispose()
        finally:
            telegram_app.TelegramGateway = TelegramGateway  # type: ignore[misc]
            self.stack.stop()
