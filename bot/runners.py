"""Async runners for each front end, started alone by the CLI or together by `bot.stack`."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.config import bot_config
from bot.logs import setup_logging
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.storage import ensure_tables
from bot.terminal import TerminalChat, stdin_reader
from tremplin.db import dispose_engines, get_engine
from tremplin.privacy.identifiers import terminal_user_id
from tremplin.settings import get_settings

if TYPE_CHECKING:
    from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)


def _print(text: str) -> None:
    print(text, flush=True)


def _prompt() -> None:
    print("> ", end="", flush=True)


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on the main thread
            pass


async def chat(greet: bool = True, write: Callable[[str], None] = _print,
               with_notifier: bool = False) -> int:
    """The terminal chat; with `with_notifier`, notifications for this user print in the terminal."""
    setup_logging("chat", console=False)
    settings, config = get_settings(), bot_config()
    engine = get_engine()
    await ensure_tables(engine)
    stop = asyncio.Event()
    notifier_task = None
    try:
        async with RasaClient(settings.rasa_url, config.rasa_timeout) as rasa:
            if not await rasa.healthy():
                write(f"(Rasa ne répond pas encore sur {settings.rasa_url} : j'attendrai.)")
            relay = Relay(rasa, "terminal", engine, config.retry_delays)
            if with_notifier:
                from bot.deliverers import PrintDeliverer
                from bot.notifier import Notifier
                notifier_task = asyncio.create_task(Notifier(engine, {
                    "terminal": PrintDeliverer(write)}).run_forever(stop))
            term = TerminalChat(relay, terminal_user_id(settings.data_dir), write)
            prompt = _prompt if sys.stdin.isatty() else None  # piped input needs no prompt
            return await term.run(stdin_reader(), greet=greet, prompt=prompt)
    finally:
        stop.set()
        if notifier_task is not None:
            await notifier_task
        await dispose_engines()


def _telegram_problem(exc: Exception) -> str:
    from telegram.error import InvalidToken
    if isinstance(exc, InvalidToken):
        return "Telegram refuse le jeton TELEGRAM_BOT_TOKEN : vérifiez-le auprès de @BotFather."
    return f"Telegram est injoignable ({type(exc).__name__}) : vérifiez la connexion ou TELEGRAM_API_BASE_URL."


async def telegram_bot(stop: asyncio.Event | None = None, dispose: bool = True,
                       limiter: BaseRateLimiter[int] | None = None) -> int:
    """The gateway; `limiter` (bot/flood.py) defaults to its part of the token's budget alone."""
    from telegram.error import InvalidToken, NetworkError

    from bot.telegram_app import serve
    setup_logging("bot", console=True)
    stop = stop or asyncio.Event()
    stop_on_signals(stop)
    try:
        await serve(stop, limiter=limiter)
    except (InvalidToken, NetworkError) as exc:
        print(_telegram_problem(exc), flush=True)
        return 1
    finally:
        if dispose:
            await dispose_engines()
    return 0


async def notifier(once: bool = False, stop: asyncio.Event | None = None, dispose: bool = True,
                   limiter: BaseRateLimiter[int] | None = None) -> int:
    """The notifier; `limiter` (bot/flood.py) defaults to its part of the token's budget alone."""
    from telegram.error import InvalidToken, NetworkError

    from bot.deliverers import Deliverer, LogDeliverer, TelegramDeliverer
    from bot.notifier import Notifier
    setup_logging("notifier", console=True)
    settings = get_settings()
    engine = get_engine()
    stop = stop or asyncio.Event()
    stop_on_signals(stop)
    deliverers: dict[str, Deliverer] = {"terminal": LogDeliverer()}
    telegram = None
    try:
        if settings.telegram_token:
            telegram = TelegramDeliverer(settings.telegram_token, settings.telegram_api_base_url, limiter,
                                          engine=engine)
            try:
                await telegram.start()
            except (InvalidToken, NetworkError) as exc:
                print(_telegram_problem(exc), flush=True)
                telegram = None
                return 1
            deliverers["telegram"] = telegram
        worker = Notifier(engine, deliverers)
        if once:
            await worker.run_once()
        else:
            await worker.run_forever(stop)
    finally:
        if telegram is not None:
            await telegram.close()
        if dispose:
            await dispose_engines()
    return 0


async def telegram_with_notifier() -> int:
    """Both in one process (what `tremplin run` does with a token); one stopping stops the other.
    They send with one bot token: one budget of messages per second for both (bot/flood.py)."""
    from bot.flood import telegram_limiters
    limiters = telegram_limiters(get_settings(), together=True)
    stop = asyncio.Event()
    notifier_task = asyncio.create_task(notifier(stop=stop, dispose=False, limiter=limiters.notifier))
    try:
        code = await telegram_bot(stop, dispose=False, limiter=limiters.gateway)
    finally:
        stop.set()
        code_notifier = await notifier_task
        await dispose_engines()
    return max(code, code_notifier)
