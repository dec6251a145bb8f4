"""Notifications under faults. Employers accept or decline applications through the domain's own
services (tremplin.services.applications: the outbox rows are written in the decision's
transaction) while the notifier runs as a process of its own; the pupil and the linked parent of
each application are notified through the fake Bot API. Each notification is then counted by what
the fake Bot API received for it: lost = 0 times, duplicated = more than once."""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.notification_texts import render_notification
from tests.support.fakes.bot_api import FakeBotAPI
from tremplin.db import retry_unavailable, session_scope
from tremplin.models import Account, Application, ChannelIdentity, Notification, Offer, ParentLink, Role, Student
from tremplin.models.offers import OfferPeriod, OfferStatus
from tremplin.privacy.identifiers import unseal
from tremplin.services.accounts import get_or_create_account
from tremplin.services.applications import accept, decline
from tremplin.services.errors import DomainError


@dataclass(frozen=True)
class Decision:
    code: str
    employer_account_id: int
    accept: bool


@dataclass
class NotifyTally:
    expected: int = 0   # notifications to Telegram chats, written by the run
    delivered: int = 0  # received exactly once by the fake Bot API
    lost: int = 0       # never received
    twice: int = 0      # received more than once (extra copies)
    unsent: int = 0     # still not marked sent in the outbox

    def add(self, other: NotifyTally) -> None:
        for name in ("expected", "delivered", "lost", "twice", "unsent"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def ok(self) -> bool:
        return not (self.lost or self.twice or self.unsent)


_codes = iter(range(10**6))


async def _telegram_account(session, chat: int, role: Role) -> Account:
    account = await get_or_create_account(session, "telegram", chat, chat)
    account.role = role
    return account


async def prepare(engine: AsyncEngine, count: int, first_chat: int) -> list[Decision]:
    """`count` pupils, each with a linked parent and one application waiting for an employer who
    is on Telegram too; one decision per application (about one in three accepts)."""
    decisions: list[Decision] = []
    async with session_scope(engine, write=True) as session:
        offers = list((await session.execute(
            select(Offer.id, Offer.employer_id, func.min(OfferPeriod.start_date), func.min(OfferPeriod.end_date))
            .join(OfferPeriod, OfferPeriod.offer_id == Offer.id)
            # Not the health offers: the scripted pupil applies to one of them (tests.support.faults).
            .where(Offer.status == OfferStatus.PUBLISHED, Offer.places_left > 0, Offer.domain != "J")
            .group_by(Offer.id, Offer.employer_id))).all())
        random.shuffle(offers)
        for n in range(count):
            offer_id, employer_id, start, end = offers[n % len(offers)]
            chat = first_chat + 3 * n
            boss = await session.scalar(select(Account).where(Account.employer_id == employer_id,
                                                              Account.is_demo.is_(False)))
            if boss is None:  # the employer's contact, reachable on Telegram
                boss = await _telegram_account(session, first_chat + 3 * n + 2, Role.EMPLOYER)
                boss.employer_id = employer_id
            pupil = await _telegram_account(session, chat, Role.STUDENT)
            parent = await _telegram_account(session, chat + 1, Role.PARENT)
            student = Student(account_id=pupil.id)
            session.add(student)
            await session.flush()
            session.add(ParentLink(parent_account_id=parent.id, student_id=student.id))
            code = f"C-F{next(_codes):05d}{random.randint(0, 9)}"
            session.add(Application(public_code=code, student_id=student.id, offer_id=offer_id,
                                    week_start=start or date.today() + timedelta(days=60),
                                    week_end=end or date.today() + timedelta(days=64),
                                    motivation="Je voudrais découvrir ce métier."))
            decisions.append(Decision(code, boss.id, random.random() < 0.35))
    return decisions


async def decide(engine: AsyncEngine, decisions: list[Decision], spacing: float) -> int:
    """The employers decide one after the other, `spacing` seconds apart; a decision met by a
    database restart is tried again (it was rolled back: no notification was written)."""
    done = 0
    for decision in decisions:
        async def one(decision: Decision = decision) -> None:
            async with session_scope(engine, write=True) as session:
                boss = await session.get(Account, decision.employer_account_id)
                try:
                    async with session.begin_nested():
                        if decision.accept:
                            await accept(session, boss, decision.code)
                        else:
                            await decline(session, boss, decision.code)
                except DomainError:  # no place left (or already placed): declined instead
                    await decline(session, boss, decision.code)
        await retry_unavailable(one, "decision", 60.0)
        done += 1
        await asyncio.sleep(spacing)
    return done


async def _expected(engine: AsyncEngine, since_id: int) -> list[tuple[int, int, str, bool]]:
    """(notification id, chat, text, marked sent) of each Telegram notification after `since_id`."""
    async with engine.connect() as conn:
        rows = (await conn.execute(
            select(Notification.id, Notification.kind, Notification.payload, Notification.sent_at,
                   Account.role, ChannelIdentity.sealed_address)
            .join(Account, Account.id == Notification.recipient_account_id)
            .join(ChannelIdentity, (ChannelIdentity.account_id == Account.id) & (ChannelIdentity.channel == "telegram"))
            .where(Notification.id > since_id).order_by(Notification.id))).all()
    return [(r.id, int(unseal(r.sealed_address)), render_notification(r.kind, r.payload or {}, r.role),
             r.sent_at is not None) for r in rows if r.sealed_address]


async def last_id(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.coalesce(func.max(Notification.id), 0))))


async def tally(engine: AsyncEngine, api: FakeBotAPI, since_id: int) -> NotifyTally:
    expected = await retry_unavailable(lambda: _expected(engine, since_id), "tally", 60.0)
    wanted: dict[tuple[int, str], int] = {}
    for _, chat, text, _ in expected:
        wanted[(chat, text)] = wanted.get((chat, text), 0) + 1
    result = NotifyTally(expected=len(expected), unsent=sum(not sent for *_, sent in expected))
    for (chat, text), count in wanted.items():
        got = api.texts(chat).count(text)
        result.delivered += min(got, count)
        result.lost += max(0, count - got)
        result.twice += max(0, got - count)
    return result


async def settle(engine: AsyncEngine, api: FakeBotAPI, since_id: int, timeout: float) -> NotifyTally:
    """Until every notification of the run is delivered and marked sent (or `timeout`), then a
    last pause so that a late duplicate is seen too."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await tally(engine, api, since_id)
        if (not result.lost and not result.unsent) or loop.time() > deadline:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)
    return await tally(engine, api, since_id)
