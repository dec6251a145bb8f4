"""Where notifications go: Telegram, or a terminal / log for local runs. The notifier only knows
the `Deliverer` protocol, so other channels plug in the same way."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import BaseRateLimiter
from telegram.request import BaseRequest

from bot.sent_log import REF, LoggedSends, SentLog, already_shown, bot_key, since

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """`permanent`: retrying will not help (the user blocked the bot, the chat is gone)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Deliverer(Protocol):
    async def deliver(self, address: str, text: str, unsure: Unsure | None = None) -> None:
        """Send `text` to the (unsealed) address or raise DeliveryError. `unsure`: an earlier
        attempt may have been delivered (see Unsure)."""


@dataclass(frozen=True)
class Unsure:
    """A notification claimed again after its lease ran out: the process that had it may have
    been killed after sending it, before marking it. `ref` names it; it was queued at `since`."""
    ref: str
    since: datetime


class TelegramDeliverer:
    """Sends through the Bot API within the notifier's part of the token's budget (bot/flood.py:
    `limiter`, shared with the gateway when both run in this process; by default the notifier's
    part alone, TREMPLIN_NOTIFIER_RATE); a RetryAfter is waited out once, then retried later.
    `request`: the HTTP client (PTB's by default)."""

    def __init__(self, token: str, base_url: str, limiter: BaseRateLimiter[int] | None = None,
                 request: BaseRequest | None = None, engine: AsyncEngine | None = None) -> None:
        """`engine`: the application's database; what is sent is then logged beside the gateway's
        inbox (bot/sent_log), so that a notification whose fate a kill left unknown is sent once."""
        if limiter is None:
            from bot.flood import telegram_limiters
            from tremplin.settings import get_settings
            limiter = telegram_limiters(get_settings(), together=False).notifier
        self.bot = LoggedSends(token, base_url=base_url, rate_limiter=limiter, request=request)
        self.sent_log: SentLog | None = None
        if engine is not None:
            from bot.telegram_inbox import inbox_engine
            self.sent_log = SentLog(inbox_engine(engine), bot_key(token))
            self.bot.set_sent_log(self.sent_log)

    async def start(self) -> None:
        if self.sent_log is not None:
            await self.sent_log.setup()
        await self.bot.initialize()

    async def close(self) -> None:
        await self.bot.shutdown()

    async def deliver(self, address: str, text: str, unsure: Unsure | None = None) -> None:
        naming = REF.set(unsure.ref if unsure is not None else None)
        try:
            if unsure is not None and self.sent_log is not None:
                moment = unsure.since.replace(tzinfo=unsure.since.tzinfo or timezone.utc).timestamp()
                floor, across = await since(self.sent_log, int(address), moment)
                if await already_shown(self.bot, self.sent_log, int(address), floor, text=text, ref=unsure.ref,
                                       across_chats=across):
                    return
            await self.bot.send_message(chat_id=int(address), text=text)
        except Forbidden as exc:
            raise DeliveryError("blocked by user", permanent=True) from exc
        except BadRequest as exc:
            permanent = "chat not found" in str(exc).lower()
            raise DeliveryError(f"bad request: {exc}"[:200], permanent=permanent) from exc
        except RetryAfter as exc:
            raise DeliveryError("rate limited") from exc
        except (NetworkError, TelegramError) as exc:
            raise DeliveryError(type(exc).__name__) from exc
        finally:
            REF.reset(naming)


class LogDeliverer:
    """For local runs without Telegram: the notification is only counted in the notifier's log —
    never its text, which may quote what someone typed (logs are kept longer than conversations)."""

    async def deliver(self, address: str, text: str, unsure: Unsure | None = None) -> None:
        log.info("notification (local): %d characters, text not logged", len(text))


class PrintDeliverer:
    """For the terminal chat: the notification appears in the conversation."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    async def deliver(self, address: str, text: str, unsure: Unsure | None = None) -> None:
        self.write(f"🔔 {text}")
