"""Webhook mode: a small aiohttp server behind the reverse proxy. Telegram signs each call with
the `secret_token` given to setWebhook; anything without it is rejected before parsing."""
from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import BotConfig
from bot.telegram_gateway import ALLOWED_UPDATES
from bot.telegram_inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(application: Application, secret: str, path: str,
                inbox: Inbox | None = None) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot)
        except (json.JSONDecodeError, TypeError, KeyError, ValueError):
            return web.Response(status=400)
        if inbox is not None:  # written before Telegram hears « ok »; else Telegram sends it again
            try:
                await inbox.receive([update])
            except Exception:  # noqa: BLE001 - the database is away: Telegram retries the call
                log.exception("could not keep an update")
                return web.Response(status=503)
        await application.update_queue.put(update)
        return web.Response(text="ok")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", health)
    return app


async def start_webhook(application: Application, config: BotConfig,
                        inbox: Inbox | None = None) -> web.AppRunner:
    """Listen locally on the path of the public URL, then tell Telegram where to call."""
    assert config.webhook_url
    path = urlparse(config.webhook_url).path or "/"
    runner = web.AppRunner(webhook_app(application, config.webhook_secret, path, inbox))
    await runner.setup()
    await web.TCPSite(runner, config.listen_host, config.listen_port).start()
    await application.bot.set_webhook(config.webhook_url, secret_token=config.webhook_secret,
                                      allowed_updates=ALLOWED_UPDATES, max_connections=40)
    log.info("webhook listening on %s (path %s)", config.webhook_listen, path)
    return runner
