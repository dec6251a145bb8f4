"""Builds and runs the Telegram application: concurrent chats in per-chat order, duplicate updates
dropped, Telegram's flood limits respected, long polling by default or a webhook when configured."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Coroutine
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import HTTPXRequest

from bot.config import BotConfig, bot_config
from bot.inputs import MENU
from bot.processor import ChatOrderedProcessor
from bot.relay import Relay
from bot.sent_log import SentLog, bot_key
from bot.storage import PendingTurn, PendingTurns, TokenStore, UpdateLog, ensure_tables
from bot.telegram_gateway import ALLOWED_UPDATES, TelegramGateway
from bot.telegram_inbox import REPLAY, Inbox, InboxBot, InboxRow, MarkedRasaClient, inbox_engine
from tremplin.db import get_engine
from tremplin.db import retry_unavailable as db_retry
from tremplin.settings import get_settings

log = logging.getLogger(__name__)


def build_application(token: str, base_url: str, gateway: TelegramGateway,
                      update_log: UpdateLog | None, rate_limit: bool = True,
                      limiter: BaseRateLimiter[int] | None = None) -> Application:
    """`limiter`: the gateway's part of the token's budget (bot/flood.py), shared with the notifier
    when both run in this process; by default the gateway's part alone. 20/min per group;
    RetryAfter is waited out and retried."""
    if not rate_limit:
        limiter = None
    elif limiter is None:
        from bot.flood import telegram_limiters
        limiter = telegram_limiters(get_settings(), together=False).gateway
    # Our own bot object: updates are written to the inbox before getUpdates confirms them.
    bot = InboxBot(token, base_url=base_url, rate_limiter=limiter,
                   request=HTTPXRequest(connection_pool_size=128, pool_timeout=30),
                   get_updates_request=HTTPXRequest(connection_pool_size=1))
    if gateway.inbox is not None:
        bot.set_inbox(gateway.inbox)
    if gateway.sent_log is not None:
        bot.set_sent_log(gateway.sent_log)
    app = (ApplicationBuilder().bot(bot)
           .concurrent_updates(ChatOrderedProcessor(256, update_log, gateway.inbox)).build())
    gateway.install(app)
    return app


async def _housekeeping(tokens: TokenStore, update_log: UpdateLog, sent_log: SentLog,
                        stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await tokens.prune()
            await update_log.prune()
            await sent_log.prune()
        except Exception:  # noqa: BLE001 - housekeeping must never stop the bot
            log.exception("housekeeping failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), 3600)


async def _resume_waiting(app: Application, gateway: TelegramGateway,
                          update_log: UpdateLog) -> list[asyncio.Task[None]]:
    """What a previous run left: messages kept while Rasa was down, and updates received but not
    fully handled (a crash, bot/telegram_inbox). Each is handled once, in its chat's order (queued
    before polling starts), and its update id marked processed in case Telegram sends it again."""
    waiting = await gateway.pending.waiting() if gateway.pending is not None else []
    left = await gateway.inbox.unfinished() if gateway.inbox is not None else []
    kept = {turn.update_id for turn in waiting}
    update_log.remember(sorted(kept | {row.update_id for row in left}))
    processor = app.update_processor
    assert isinstance(processor, ChatOrderedProcessor)
    inbox = gateway.inbox

    async def resume(turn: PendingTurn) -> None:
        REPLAY.set(True)  # this task only: what was sent before the crash is not sent again
        await gateway.resume(app.bot, turn)
        if inbox is not None:
            await inbox.done(turn.update_id)

    async def replay(row: InboxRow) -> None:
        REPLAY.set(True)  # this task only: the handlers look for what Rasa already did
        await app.process_update(Update.de_json(json.loads(row.raw), app.bot))
        if inbox is not None:  # rows to replay come from the inbox: it is there
            await inbox.done(row.update_id)

    async def one(update_id: int, chat_id: int, work: Coroutine[Any, Any, None]) -> None:
        try:
            await processor.in_chat_order(chat_id, work)
        except Exception:  # noqa: BLE001 - kept for the next start; never stops the gateway
            if inbox is not None:
                inbox.hold(update_id)
            log.exception("could not answer a message from before the restart (update %s)", update_id)

    work = sorted([(t.update_id, t.chat_id, partial(resume, t)) for t in waiting]
                  + [(r.update_id, r.chat_id, partial(replay, r)) for r in left if r.update_id not in kept],
                  key=lambda item: item[0])
    tasks = [asyncio.create_task(one(update_id, chat_id, run())) for update_id, chat_id, run in work]
    await asyncio.sleep(0)  # each task takes its chat's lock before any new update can
    if work:
        log.info("answering %d message(s) left from before the restart", len(work))
    return tasks


async def serve(stop: asyncio.Event, *, token: str | None = None, base_url: str | None = None,
                rasa_url: str | None = None, engine: AsyncEngine | None = None,
                config: BotConfig | None = None, poll_timeout: int = 10,
                rate_limit: bool = True, tracker: AsyncEngine | None = None,
                limiter: BaseRateLimiter[int] | None = None) -> None:
    """Run the gateway until `stop` is set. Arguments default to the settings (tests override);
    `tracker`: Rasa's tracker store (settings.tracker_store_url by default), read after a crash;
    `limiter`: see `build_application`."""
    settings = get_settings()
    config = config or bot_config()
    token = token or settings.telegram_token
    if not token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    engine = engine or get_engine()
    await db_retry(lambda: ensure_tables(engine), "tables", 120.0)
    async with MarkedRasaClient(rasa_url or settings.rasa_url, config.rasa_timeout) as rasa:
        tokens = TokenStore(engine)
        update_log = UpdateLog(engine, bot_key(token))
        await db_retry(update_log.load, "update log", 120.0)
        relay = Relay(rasa, "telegram", engine, config.retry_delays)
        box = Inbox(inbox_engine(engine), bot_key(token), update_log, tracker)
        await box.setup()
        sent_log = SentLog(box.engine, bot_key(token))
        await sent_log.setup()
        gateway = TelegramGateway(relay, tokens, PendingTurns(engine, bot_key(token)), box, sent_log)
        app = build_application(token, base_url or settings.telegram_api_base_url, gateway,
                                update_log, rate_limit, limiter)
        async with app:
            await app.bot.set_my_commands([BotCommand(name, text) for name, text in MENU])
            await app.start()
            resuming = await _resume_waiting(app, gateway, update_log)
            housekeeping = asyncio.create_task(_housekeeping(tokens, update_log, sent_log, stop))
            webhook = None
            if config.webhook_url:
                from bot.telegram_webhook import start_webhook
                webhook = await start_webhook(app, config, gateway.inbox)
            else:
                assert app.updater is not None  # ApplicationBuilder's default Updater (long polling)
                await app.updater.start_polling(
                    timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
            log.info("telegram gateway running (%s)", "webhook" if webhook else "long polling")
            try:
                await stop.wait()
            finally:
                if webhook is not None:
                    await webhook.cleanup()
                elif app.updater is not None:
                    await app.updater.stop()
                relay.stopping.set()  # turns waiting for Rasa stay kept for the next start
                await app.stop()
                await asyncio.gather(*resuming, return_exceptions=True)
                await update_log.close()
                await housekeeping
                if box.engine is not engine:
                    await box.engine.dispose()
