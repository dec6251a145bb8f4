"""One bot token, one budget: the gateway's replies and the notifier's notifications together stay
within Telegram's 30 messages/s, in one process (one shared budget) or two (the budget split).

No timing: the clock is frozen and sleeping returns at once, so every message leaves immediately;
what is checked is the schedule the limiter itself gave them (the slot of each message), counted
in every window of one second, and that every message sent took a slot."""
from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

from bot import runners
from tremplin.commands import CommandError
from bot.deliverers import TelegramDeliverer
from bot.flood import SendBudget, TelegramLimiter, telegram_limiters
from tremplin.settings import get_settings

TOKEN, BASE_URL = "123456:TEST-flood", "https://api.telegram.invalid/bot"


class OfflineBotAPI(BaseRequest):
    """Answers getMe and sendMessage without a network; counts the messages."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[1]
        result: dict[str, Any] = {"id": 1, "is_bot": True, "first_name": "Tremplin", "username": "tremplin_bot"}
        if endpoint == "sendMessage":
            assert request_data is not None
            chat = int(request_data.parameters["chat_id"])  # type: ignore[arg-type]
            self.sent.append(chat)
            result = {"message_id": len(self.sent), "date": 0, "chat": {"id": chat, "type": "private"},
                      "text": request_data.parameters["text"]}
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def no_wait(delay: float) -> None:
    await asyncio.sleep(0)


def frozen() -> float:
    return 0.0


def most_in_one_second(*schedules: list[float]) -> int:
    """The largest number of slots in any window [t, t + 1 s) of the merged schedules."""
    times = sorted(t for schedule in schedules for t in schedule)
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def measured(limiter: TelegramLimiter) -> list[list[float]]:
    """Have each budget of `limiter` keep the slots it grants."""
    for budget in limiter.budgets:
        if budget.history is None:  # a budget shared with a limiter already measured keeps its list
            budget.history = []
    return [budget.history for budget in limiter.budgets]  # type: ignore[misc]


async def send_through_both_paths(limiters: Any, replies: int, notifications: int) -> OfflineBotAPI:
    """`replies` messages through the gateway's bot, `notifications` through the notifier's
    deliverer, all at once, interleaved."""
    api = OfflineBotAPI()
    gateway_bot = ExtBot(TOKEN, base_url=BASE_URL, rate_limiter=limiters.gateway, request=api)
    deliverer = TelegramDeliverer(TOKEN, BASE_URL, limiters.notifier, request=api)
    await gateway_bot.initialize()
    await deliverer.start()
    try:
        await asyncio.gather(*[gateway_bot.send_message(chat_id=1000 + i, text="réponse") for i in range(replies)],
                             *[deliverer.deliver(str(2000 + i), "notification") for i in range(notifications)])
    finally:
        await deliverer.close()
        await gateway_bot.shutdown()
    return api


async def test_in_one_process_replies_and_notifications_share_one_budget_of_30_per_second() -> None:
    limiters = telegram_limiters(get_settings(), together=True, clock=frozen, sleep=no_wait)
    assert limiters.notifier.budgets[-1] is limiters.gateway.budgets[0]  # the token's budget, taken last
    [shared] = measured(limiters.gateway)
    notifier_own, _ = measured(limiters.notifier)
    api = await send_through_both_paths(limiters, replies=95, notifications=45)
    assert len(api.sent) == 140 and len(shared) == 140  # every message, whichever path, took a slot
    assert most_in_one_second(shared) == 30
    assert len(notifier_own) == 45 and most_in_one_second(notifier_own) == 10  # never the whole budget


async def test_as_separate_processes_the_budget_is_split_so_the_sum_stays_within_30() -> None:
    limiters = telegram_limiters(get_settings(), together=False, clock=frozen, sleep=no_wait)
    [gateway] = measured(limiters.gateway)
    [notifier] = measured(limiters.notifier)
    api = await send_through_both_paths(limiters, replies=95, notifications=45)
    assert len(api.sent) == 140 and (len(gateway), len(notifier)) == (95, 45)
    assert (most_in_one_second(gateway), most_in_one_second(notifier)) == (20, 10)
    assert most_in_one_second(gateway, notifier) == 30  # both started at the same instant: the worst case


def test_the_split_follows_the_settings_and_refuses_a_notifier_part_that_leaves_nothing() -> None:
    settings = replace(get_settings(), telegram_max_rate=25.0, notifier_max_rate=5.0)
    alone = telegram_limiters(settings, together=False)
    assert [b.rate for b in alone.gateway.budgets] == [20.0] and [b.rate for b in alone.notifier.budgets] == [5.0]
    together = telegram_limiters(settings, together=True)
    assert [b.rate for b in together.notifier.budgets] == [5.0, 25.0]
    with pytest.raises(CommandError, match="TREMPLIN_NOTIFIER_RATE"):
        telegram_limiters(replace(settings, notifier_max_rate=25.0), together=False)


async def test_a_send_waits_for_its_slot() -> None:
    now, waits = [0.0], []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    budget = SendBudget(30, clock=lambda: now[0], sleep=sleep)
    for _ in range(31):
        await budget.acquire()
    assert waits == [1.0]  # the 31st waits for the first one's second to be over
    now[0] = 0.5
    await budget.acquire()
    assert waits == [1.0, 0.5]
    now[0] = 5.0
    await budget.acquire()
    assert waits == [1.0, 0.5]  # a quiet moment: no wait
    slow = SendBudget(2.5, clock=lambda: 0.0, history=[])
    for _ in range(5):
        slow.reserve()
    assert slow.history == [0.0, 0.0, 0.8, 0.8, 1.6]  # 2 every 0.8 s: 2.5/s


async def test_run_gives_the_gateway_and_the_notifier_the_same_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    given: dict[str, Any] = {}

    async def gateway(stop: asyncio.Event, dispose: bool, limiter: TelegramLimiter) -> int:
        given["gateway"] = limiter
        stop.set()
        return 0

    async def notifier(stop: asyncio.Event, dispose: bool, limiter: TelegramLimiter) -> int:
        given["notifier"] = limiter
        await stop.wait()
        return 0

    monkeypatch.setattr(runners, "telegram_bot", gateway)
    monkeypatch.setattr(runners, "notifier", notifier)
    assert await runners.telegram_with_notifier() == 0
    assert given["notifier"].budgets[-1] is given["gateway"].budgets[0]


def test_alone_each_takes_its_part() -> None:
    from bot.telegram_app import build_application

    class NoGateway:
        inbox = None
        sent_log = None

        def install(self, app: object) -> None:
            pass

    app = build_application(TOKEN, BASE_URL, NoGateway(), None)  # type: ignore[arg-type]
    assert [b.rate for b in app.bot.rate_limiter.budgets] == [20.0]  # type: ignore[union-attr]
    assert build_application(TOKEN, BASE_URL, NoGateway(), None, rate_limit=False).bot.rate_limiter is None  # type: ignore[arg-type]
    assert [b.rate for b in TelegramDeliverer(TOKEN, BASE_URL).bot.rate_limiter.budgets] == [10.0]  # type: ignore[union-attr]
