"""One bot token, one budget of messages per second. Telegram accepts about 30 messages/s from a
bot, whoever sends them: the gateway's replies and the notifier's notifications count together.

- One process (`tremplin run` with a token): one `SendBudget` of `TREMPLIN_TELEGRAM_RATE` (30/s)
  shared by both; the notifier also keeps to its own `TREMPLIN_NOTIFIER_RATE` (10/s), so that a
  burst of notifications never takes the whole budget from the conversations.
- Separate processes (`tremplin bot`, `tremplin notifier`): they cannot share a counter, so the
  budget is split: the notifier `TREMPLIN_NOTIFIER_RATE`, the gateway the rest (30 − 10 = 20/s).

Per-group limits and RetryAfter (wait it out, retry) stay PTB's AIORateLimiter's."""
from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from telegram.ext import BaseRateLimiter

from tremplin.commands import EXIT_USAGE, CommandError
from tremplin.settings import Settings

try:  # needs python-telegram-bot[rate-limiter]
    from telegram.ext import AIORateLimiter
except ImportError:  # pragma: no cover - the extra is missing: no group limits, no retries
    AIORateLimiter = None  # type: ignore[assignment,misc]

JSON = bool | dict[str, Any] | list[dict[str, Any]]
GATEWAY_RETRIES = 3   # a reply: RetryAfter waited out and retried
NOTIFIER_RETRIES = 1  # a notification: retried once, then later by the outbox's backoff


class SendBudget:
    """At most `rate` sends per second, in any window: each send takes the first free slot (in
    the order they ask) and waits for it. `clock` and `sleep` are replaced by fakes in tests;
    `history`, when given a list, receives every slot granted (the limiter's own measure)."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 history: list[float] | None = None) -> None:
        if rate <= 0:
            raise ValueError(f"a send budget needs a positive rate, not {rate}")
        self.rate = rate
        self.count = max(1, math.floor(rate))   # sends per window…
        self.period = self.count / rate         # …of this many seconds (1 s when the rate is whole)
        self.clock, self.sleep, self.history = clock, sleep, history
        self._slots: deque[float] = deque()

    def reserve(self) -> float:
        """The time of the next free slot, taken now: never more than `count` slots in a period."""
        now = self.clock()
        while len(self._slots) > self.count or (self._slots and self._slots[0] <= now - self.period):
            self._slots.popleft()
        at = now
        if self._slots:
            at = max(at, self._slots[-1])
            if len(self._slots) >= self.count:
                at = max(at, self._slots[-self.count] + self.period)
        self._slots.append(at)
        if self.history is not None:
            self.history.append(at)
        return at

    async def acquire(self) -> None:
        delay = self.reserve() - self.clock()
        if delay > 0:
            await self.sleep(delay)


class TelegramLimiter(BaseRateLimiter[int]):
    """A bot's rate limiter: every message to a chat takes a slot in each of `budgets`, the last
    one right before it leaves (put the budget shared by the token last)."""

    def __init__(self, budgets: Sequence[SendBudget], max_retries: int) -> None:
        self.budgets = tuple(budgets)
        self._inner = AIORateLimiter(overall_max_rate=0, max_retries=max_retries) \
            if AIORateLimiter is not None else None

    async def initialize(self) -> None:
        if self._inner is not None:
            await self._inner.initialize()

    async def shutdown(self) -> None:
        if self._inner is not None:
            await self._inner.shutdown()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, JSON]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> JSON:
        async def paced(*call_args: Any, **call_kwargs: Any) -> JSON:
            if data.get("chat_id") is not None and not data.get("allow_paid_broadcast"):
                for budget in self.budgets:  # each attempt is a message: a retry takes a slot too
                    await budget.acquire()
            return await callback(*call_args, **call_kwargs)

        if self._inner is None:
            return await paced(*args, **kwargs)
        return await self._inner.process_request(paced, args, kwargs, endpoint, data, rate_limit_args)


@dataclass(frozen=True)
class Limiters:
    gateway: TelegramLimiter
    notifier: TelegramLimiter


def telegram_limiters(settings: Settings, *, together: bool, clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Limiters:
    """The gateway's and the notifier's limiters for one bot token: `together` when both run in
    this process (one shared budget), otherwise each its part of it (see the module's docstring)."""
    total, notifier_part = settings.telegram_max_rate, settings.notifier_max_rate
    if not 0 < notifier_part < total:
        raise CommandError(f"TREMPLIN_NOTIFIER_RATE ({notifier_part:g}) doit être positif et inférieur à "
                           f"TREMPLIN_TELEGRAM_RATE ({total:g}) : les réponses aux conversations en ont besoin.",
                           EXIT_USAGE)

    def budget(rate: float) -> SendBudget:
        return SendBudget(rate, clock=clock, sleep=sleep)

    if together:
        shared = budget(total)
        return Limiters(TelegramLimiter([shared], GATEWAY_RETRIES),
                        TelegramLimiter([budget(notifier_part), shared], NOTIFIER_RETRIES))
    return Limiters(TelegramLimiter([budget(total - notifier_part)], GATEWAY_RETRIES),
                    TelegramLimiter([budget(notifier_part)], NOTIFIER_RETRIES))
