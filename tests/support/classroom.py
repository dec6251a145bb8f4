"""A classroom joining at once through the real gateway: N pupils each send « /start », their class
code and a search, all starting within a few seconds (a teacher saying « rejoignez la classe
maintenant »). Counted: error answers, pupils not in the class, reply times."""
from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from tests.support.fakes.bot_api import FakeBotAPI
from tests.support.fakes.gateway import GatewayRunner
from tests.support.runtime_stack import STACK_CONFIG, fresh_api
from tremplin.db import make_engine
from tremplin.models import ChannelIdentity, SchoolClass, Student
from tremplin.privacy.identifiers import external_hash

SORRY = "Oups"
CLASS_CODE = "FEURS-3A"
MESSAGES = ("/start", f"chui en 3e mon code c {CLASS_CODE}", "je cherche un stage dans la santé")


@dataclass
class BurstReport:
    pupils: int
    window: float
    turns: int = 0
    errors: list[str] = field(default_factory=list)       # « Oups », gave up, no answer
    not_joined: int = 0
    reply_times: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, label: str) -> str:
        times = sorted(self.reply_times) or [0.0]
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        return (f"{label}: {self.pupils} élèves en {self.window:.0f} s, {self.turns} tours, "
                f"{len(self.errors)} erreurs, {self.not_joined} hors de la classe ; réponse p50 "
                f"{statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s ; "
                f"durée {self.seconds:.1f} s")


async def _pupil(api: FakeBotAPI, chat: int, delay: float, report: BurstReport, timeout: float) -> None:
    await asyncio.sleep(delay)
    for message in MESSAGES:
        before = len(api.sent[chat])
        started = time.monotonic()
        api.push_text(chat, message)
        try:
            await api.wait_until(lambda: len(api.sent[chat]) > before, timeout)
        except AssertionError:
            report.errors.append(f"{chat}: pas de réponse à « {message} »")
            return
        report.reply_times.append(time.monotonic() - started)
        report.turns += 1
        await asyncio.sleep(random.uniform(0.5, 1.5))  # reads, then types
    await asyncio.sleep(0.5)  # trailing messages of the last answer


async def joined(engine: AsyncEngine, chats: list[int]) -> int:
    hashes = [external_hash("telegram", chat) for chat in chats]
    async with engine.connect() as conn:
        return await conn.scalar(
            select(func.count()).select_from(Student)
            .join(ChannelIdentity, ChannelIdentity.account_id == Student.account_id)
            .join(SchoolClass, SchoolClass.id == Student.class_id)
            .where(ChannelIdentity.external_hash.in_(hashes), SchoolClass.join_code == CLASS_CODE)) or 0


async def classroom_burst(rasa_url: str, database_url: str, pupils: int = 30, window: float = 5.0,
                          first_chat: int = 810_000_000, timeout: float = 90.0) -> BurstReport:
    """The gateway in this process (fake Bot API, no flood limiter), Rasa and actions outside."""
    report = BurstReport(pupils, window)
    api = fresh_api()
    await api.start()
    engine = make_engine(database_url)
    gateway = GatewayRunner(api, rasa_url, engine, STACK_CONFIG, rate_limit=False)
    await gateway.start()
    chats = [first_chat + i for i in range(pupils)]
    started = time.monotonic()
    try:
        await asyncio.gather(*(_pupil(api, chat, random.uniform(0, window), report, timeout)
                               for chat in chats))
        report.seconds = time.monotonic() - started
        for chat in chats:
            for said in api.texts(chat):
                if SORRY in said or said in (texts.GAVE_UP, texts.BUSY):
                    report.errors.append(f"{chat}: {said[:60]}")
        report.not_joined = pupils - await joined(engine, chats)
    finally:
        await gateway.stop()
        await api.stop()
        await engine.dispose()
    return report
