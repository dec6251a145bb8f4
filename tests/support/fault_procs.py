"""The Telegram gateway and the notifier as processes of their own, for the fault suite: the same
code as `tremplin bot` / `tremplin notifier` (bot.telegram_app.serve, bot.notifier.Notifier with
bot.deliverers.TelegramDeliverer), configured from the environment like them (DATABASE_URL,
TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL pointing at the fake Bot API, RASA_URL,
TREMPLIN_TRACKER_DB_URL), with the test stack's settings where the defaults suit a real deployment
but not a test: long polls of 1 s, no flood limiter against the fake API, the gateway's retries
long enough to outlast a Rasa restart (tests.support.runtime_stack.STACK_CONFIG), and the notifier's lease
shortened (TREMPLIN_FAULT_LEASE, seconds) so a row claimed by a killed notifier comes back in
seconds instead of 5 minutes.

    python -m tests.support.fault_procs gateway|notifier

Writes TREMPLIN_FAULT_READY (a file path) once it serves; logs in TREMPLIN_DATA_DIR/logs/."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path


class _Ready(logging.Handler):
    """Touches the ready file when the gateway says it is polling."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("telegram gateway running"):
            self.path.touch()


async def gateway(ready: Path) -> int:
    from bot.config import bot_config
    from bot.logs import setup_logging
    from bot.runners import stop_on_signals
    from bot.telegram_app import serve
    from tests.support.runtime_stack import STACK_CONFIG
    from tremplin.db import dispose_engines

    setup_logging("gateway", console=False)
    logging.getLogger("bot.telegram_app").addHandler(_Ready(ready))
    stop = asyncio.Event()
    stop_on_signals(stop)
    config = replace(bot_config(), rasa_timeout=STACK_CONFIG.rasa_timeout, retry_delays=STACK_CONFIG.retry_delays)
    if os.environ.get("TREMPLIN_BENCH_SIGNAL"):  # bench/load.py: each handled update is reported
        import bot.telegram_app as telegram_app
        from tests.support.tasks.harness import SignallingGateway
        telegram_app.TelegramGateway = SignallingGateway  # type: ignore[misc]
    try:
        await serve(stop, config=config, poll_timeout=1, rate_limit=False)
    finally:
        await dispose_engines()
    return 0


async def notifier(ready: Path) -> int:
    from bot.deliverers import TelegramDeliverer
    from bot.logs import setup_logging
    from bot.notifier import Notifier
    from bot.runners import stop_on_signals
    from tremplin.db import dispose_engines, get_engine
    from tremplin.settings import get_settings

    setup_logging("notifier", console=False)
    settings = get_settings()
    stop = asyncio.Event()
    stop_on_signals(stop)
    telegram = TelegramDeliverer(settings.telegram_token or "", settings.telegram_api_base_url, engine=get_engine())
    await telegram.start()
    lease = timedelta(seconds=float(os.environ.get("TREMPLIN_FAULT_LEASE", "8")))
    worker = Notifier(get_engine(), {"telegram": telegram}, lease=lease)
    ready.touch()
    try:
        await worker.run_forever(stop, idle=float(os.environ.get("TREMPLIN_FAULT_IDLE", "0.5")))
    finally:
        await telegram.close()
        await dispose_engines()
    return 0


if __name__ == "__main__":
    what = sys.argv[1]
    ready_file = Path(os.environ["TREMPLIN_FAULT_READY"])
    ready_file.unlink(missing_ok=True)
    sys.exit(asyncio.run({"gateway": gateway, "notifier": notifier}[what](ready_file)))
