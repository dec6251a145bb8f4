"""Builds and runs the Telegram application: concurrent chats in per-chat order, duplicate updates
dropped, Telegram's flood limits respected, long polling by default or a webhook when configured."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder

from bot.config import BotConfig, bot_config
from bot.inputs import MENU
from bot.processor import ChatOrderedProcessor
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.storage import PendingTurns, TokenStore, UpdateLog, ensure_tables
from bot.telegram_gateway import ALLOWED_UPDATES, TelegramGateway
from tremplin.db import get_engine
from tremplin.settings import get_settings

log = logging.getLogger(__name__)

try:  # needs python-telegram-bot[rate-limiter]
    from telegram.ext import AIORateLimiter
except ImportError:  # pragma: no cover - the extra is missing
    AIORateLimiter = None  # type: ignore[assignment,misc]


def bot_key(token: str) -> str:
    """Update ids are per bot: key them by a hash of the token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def build_application(token: str, base_url: str, gateway: TelegramGateway,
                      update_log: UpdateLog | None, rate_limit: bool = True) -> Application:
    builder = (ApplicationBuilder().token(token).base_url(base_url)
               .concurrent_updates(ChatOrderedProcessor(256, update_log))
               .connection_pool_size(128).pool_timeout(30))
    if rate_limit:
        if AIORateLimiter is None:
            log.warning("python-telegram-bot[rate-limiter] missing: no flood control")
        else:
            # ~30 messages/s overall, 20/min per group; RetryAfter is waited out and retried.
            builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    gateway.install(app)
    return app


async def _housekeeping(tokens: TokenStore, update_log: UpdateLog, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await tokens.prune()
            await update_log.prune()
        except Exception:  # noqa: BLE001 - housekeeping must never stop the bot
            log.exception("housekeeping failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 3600)


async def _resume_waiting(app: Application, gateway: TelegramGateway,
                          update_log: UpdateLog) -> list[asyncio.Task[None]]:
    """Messages kept while Rasa was down before this start: each answered once, in its chat's order
    (queued before polling starts), and their update ids marked processed in case Telegram sends
    them again."""
    if gateway.pending is None:
        return []
    waiting = await gateway.pending.waiting()
    update_log.remember([turn.update_id for turn in waiting])
    processor = app.update_processor
    assert isinstance(processor, ChatOrderedProcessor)

    async def one(turn) -> None:  # type: ignore[no-untyped-def]
        try:
            await processor.in_chat_order(turn.chat_id, gateway.resume(app.bot, turn))
        except Exception:  # noqa: BLE001 - kept for the next start; never stops the gateway
            log.exception("could not answer a kept message (update %s)", turn.update_id)

    tasks = [asyncio.create_task(one(turn)) for turn in waiting]
    await asyncio.sleep(0)  # each task takes its chat's lock before any new update can
    if waiting:
        log.info("answering %d message(s) kept from before the restart", len(waiting))
    return tasks


async def serve(stop: asyncio.Event, *, token: str | None = None, base_url: str | None = None,
                rasa_url: str | None = None, engine: AsyncEngine | None = None,
                config: BotConfig | None = None, poll_timeout: float = 10,
                rate_limit: bool = True) -> None:
    """Run the gateway until `stop` is set. Arguments default to the settings (tests override)."""
    settings = get_settings()
    config = config or bot_config()
    token = token or settings.telegram_token
    if not token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    engine = engine or get_engine()
    await ensure_tables(engine)
    async with RasaClient(rasa_url or settings.rasa_url, config.rasa_timeout) as rasa:
        tokens = TokenStore(engine)
        update_log = UpdateLog(engine, bot_key(token))
        await update_log.load()
        relay = Relay(rasa, "telegram", engine, config.retry_delays)
        gateway = TelegramGateway(relay, tokens, PendingTurns(engine, bot_key(token)))
        app = build_application(token, base_url or settings.telegram_api_base_url, gateway,
                                update_log, rate_limit)
        async with app:
            await app.bot.set_my_commands([BotCommand(name, text) for name, text in MENU])
            await app.start()
            resuming = await _resume_waiting(app, gateway, update_log)
            housekeeping = asyncio.create_task(_housekeeping(tokens, update_log, stop))
            webhook = None
            if config.webhook_url:
                from bot.telegram_webhook import start_webhook
                webhook = await start_webhook(app, config)
            else:
                await app.updater.start_polling(  # type: ignore[union-attr]
                    timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
            log.info("telegram gateway running (%s)", "webhook" if webhook else "long polling")
            try:
                await stop.wait()
            finally:
                if webhook is not None:
                    await webhook.cleanup()
                else:
                    await app.updater.stop()  # type: ignore[union-attr]
                relay.stopping.set()  # turns waiting for Rasa stay kept for the next start
                await app.stop()
                await asyncio.gather(*resuming, return_exceptions=True)
                await update_log.close()
                await housekeeping
