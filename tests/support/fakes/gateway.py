"""Runs the real Telegram gateway (`bot.telegram_app.serve`) against the fakes, and restarts it."""
from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import BotConfig
from bot.telegram_app import serve
from tests.support.fakes.bot_api import FakeBotAPI

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
