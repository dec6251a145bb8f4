"""Runs the real Telegram gateway (`bot.telegram_app.serve`) against the fakes, and restarts it."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.config import BotConfig
from bot.sent_log import bot_key
from bot.telegram_app import serve
from bot.telegram_inbox import Inbox, inbox_engine
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.db import migrated_sqlite
from tests.support.fakes.rasa_server import Answer, FakeRasa
from tremplin.privacy.identifiers import external_hash

TEST_CONFIG = BotConfig(webhook_url=None, webhook_secret="s3cret-for-tests", webhook_listen="127.0.0.1:0",
                        action_server_url="", rasa_timeout=5.0, retry_delays=(0.3, 0.5, 1.0, 1.0, 2.0))


class GatewayRunner:
    def __init__(self, api: FakeBotAPI, rasa_url: str, engine: AsyncEngine,
                 config: BotConfig = TEST_CONFIG, rate_limit: bool = True) -> None:
        self.api, self.rasa_url, self.engine = api, rasa_url, engine
        self.config = config
        self.rate_limit = rate_limit
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop = asyncio.Event()
        ready = len([c for c in self.api.calls if c[0] in ("getUpdates", "setWebhook")])
        self._task = asyncio.create_task(serve(
            self._stop, token=self.api.token, base_url=self.api.base_url, rasa_url=self.rasa_url,
            engine=self.engine, config=self.config, poll_timeout=1, rate_limit=self.rate_limit))
        await self.api.wait_until(lambda: self._task.done() or len(
            [c for c in self.api.calls if c[0] in ("getUpdates", "setWebhook")]) > ready)
        if self._task.done():
            self._task.result()  # raise the start-up error

    async def stop(self) -> None:
        if self._task is not None and self._stop is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, 15)
            self._task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def with_config(self, **changes: object) -> GatewayRunner:
        return GatewayRunner(self.api, self.rasa_url, self.engine, replace(self.config, **changes),
                             self.rate_limit)


@contextlib.asynccontextmanager
async def gateway_with_inbox(tmp_path: Path, script: dict[str, Answer]
                             ) -> AsyncIterator[tuple[FakeBotAPI, FakeRasa, GatewayRunner, Inbox]]:
    """The fake Bot API, a fake Rasa that stores its turns like Rasa's SQL tracker store (where the
    gateway looks by default: TREMPLIN_DATA_DIR/rasa-trackers.db), a gateway not started yet, and
    its inbox, to set up what a crashed gateway left behind."""
    api = FakeBotAPI()
    (tmp_path / "var").mkdir(exist_ok=True)
    rasa = FakeRasa(script, tracker_path=tmp_path / "var" / "rasa-trackers.db")
    await api.start()
    await rasa.start()
    engine = await migrated_sqlite(tmp_path)
    gateway = GatewayRunner(api, rasa.url, engine)
    box = Inbox(inbox_engine(engine), bot_key(api.token))
    await box.setup()
    try:
        yield api, rasa, gateway, box
    finally:
        await gateway.stop()
        await box.engine.dispose()
        await engine.dispose()
        await rasa.stop()
        await api.stop()


async def answered_before_the_crash(api: FakeBotAPI, rasa: FakeRasa, box: Inbox, chat_id: int,
                                    text: str) -> tuple[dict[str, Any], str]:
    """An update the dead gateway had received and Rasa had answered (its turn is in the tracker
    store): (the update, the sender id)."""
    update = api.message_update(chat_id, text=text)
    sender = external_hash("telegram", chat_id)
    await box.receive([Update.de_json(update, None)])
    rasa._store(sender, text, {"tg_update": box.marker(update["update_id"])}, rasa.script[text])
    return update, sender
