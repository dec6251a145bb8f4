"""Where notifications go: Telegram, or a terminal / log for local runs. The notifier only knows
the `Deliverer` protocol, so other channels plug in the same way."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """`permanent`: retrying will not help (the user blocked the bot, the chat is gone)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Deliverer(Protocol):
    async def deliver(self, address: str, text: str) -> None:
        """Send `text` to the (unsealed) address or raise DeliveryError."""


class TelegramDeliverer:
    """Sends through the Bot API within the notifier's part of the token's budget (bot/flood.py:
    `limiter`, shared with the gateway when both run in this process; by default the notifier's
    part alone, TREMPLIN_NOTIFIER_RATE); a RetryAfter is waited out once, then retried later.
    `request`: the HTTP client (PTB's by default)."""

    def __init__(self, token: str, base_url: str, limiter: BaseRateLimiter[int] | None = None,
                 request: BaseRequest | None = None) -> None:
        if limiter is None:
            from bot.flood import telegram_limiters
            from tremplin.settings import get_settings
            limiter = telegram_limiters(get_settings(), together=False).notifier
        self.bot = ExtBot(token, base_url=base_url, rate_limiter=limiter, request=request)

    async def start(self) -> None:
        await self.bot.initialize()

    async def close(self) -> None:
        await self.bot.shutdown()

    async def deliver(self, address: str, text: str) -> None:
        try:
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


class LogDeliverer:
    """For local runs without Telegram: the notification is only counted in the notifier's log —
    never its text, which may quote what someone typed (logs are kept longer than conversations)."""

    async def deliver(self, address: str, text: str) -> None:
        log.info("notification (local): %d characters, text not logged", len(text))


class PrintDeliverer:
    """For the terminal chat: the notification appears in the conversation."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    async def deliver(self, address: str, text: str) -> None:
        self.write(f"🔔 {text}")
