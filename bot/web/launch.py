"""Starting the web application: alone (`tremplin web`) or beside the other front ends — bot/stack.py
can `await serve_web(engine, rasa, stop)` inside `tremplin run` (not wired yet: that file is being
changed elsewhere)."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import bot_config
from bot.logs import setup_logging
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.storage import ensure_tables
from tremplin.settings import get_settings

log = logging.getLogger(__name__)
WEB_CHANNEL = "web"


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host or "127.0.0.1", int(port)


def public_url(listen: str | None = None) -> str:
    """TREMPLIN_WEB_URL when set; otherwise the address listened on (--listen wins over the setting).
    The action server builds the dashboard links from the settings: prefer TREMPLIN_WEB_LISTEN /
    TREMPLIN_WEB_URL to --listen so that both agree."""
    settings = get_settings()
    derived = settings.web_public_url == f"http://{settings.web_listen}"
    return f"http://{listen}" if listen and derived else settings.web_public_url


def addresses(public_url: str) -> list[str]:
    """The lines `./scripts/run.sh` and `tremplin web` print."""
    return [f"discussion web : {public_url}/", f"widget à intégrer : <script src=\"{public_url}/widget.js\" async></script>",
            f"API des partenaires : {public_url}/api/openapi.json",
            "tableau de bord : par le lien à usage unique donné dans la conversation (« ma classe », « les chiffres »)"]


async def serve_web(engine: AsyncEngine, rasa: RasaClient, stop: asyncio.Event, listen: str | None = None,
                    retry_delays: tuple[float, ...] | None = None) -> None:
    """Serve until `stop` is set; the relay uses channel "web" over the given Rasa client."""
    from bot.web.app import create_app

    settings = get_settings()
    await ensure_tables(engine)
    relay = Relay(rasa, WEB_CHANNEL, engine, retry_delays or bot_config().retry_delays)
    app = create_app(engine, relay, public_url=public_url(listen))
    runner = web.AppRunner(app, access_log=None)  # access logs would list dashboard link tokens
    await runner.setup()
    host, port = split_listen(listen or settings.web_listen)
    await web.TCPSite(runner, host, port).start()
    log.info("web app listening on %s:%d", host, port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def run_web(listen: str | None = None) -> int:
    """`tremplin web`: the web side alone, against an already running Rasa (RASA_URL)."""
    from bot.runners import stop_on_signals
    from tremplin.db import dispose_engines, get_engine

    settings = get_settings()
    setup_logging("web", console=True)

    async def main() -> int:
        stop = asyncio.Event()
        stop_on_signals(stop)
        for line in addresses(public_url(listen)):
            print(f"[tremplin] {line}", flush=True)
        try:
            async with RasaClient(settings.rasa_url, bot_config().rasa_timeout) as rasa:
                await serve_web(get_engine(), rasa, stop, listen)
        finally:
            await dispose_engines()
        return 0

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 130
