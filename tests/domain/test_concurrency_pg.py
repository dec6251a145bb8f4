"""Races that only a real server shows: PostgreSQL, many connections at once."""
from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import Account, Application, ApplicationStatus, EmployerJoinRequest, Notification, Offer
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account
from tremplin.services.employer_contacts import decide_join_request, request_to_join
from tremplin.services.errors import DomainError
from tremplin.services.parents import create_link_code, redeem_link_code


async def test_fifty_acceptances_race_for_the_last_place(pg_engine):
    async with session_scope(pg_engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=1)
        codes = [(await apps.apply(s, await student(s), offer.id, MOTIVATION)).public_code for _ in range(50)]

    async def try_accept(code: str) -> str:
        try:
            async with session_scope(pg_engine) as s:
                await apps.accept(s, boss, code)
            return "won"
        except DomainError as err:
            return err.code

    outcomes = await asyncio.gather(*(try_accept(code) for code in codes))
    assert outcomes.count("won") == 1
    assert set(outcomes) == {"won", "no_place_left"}
    async with session_scope(pg_engine) as s:
        assert await s.scalar(select(Offer.places_left).where(Offer.id == offer.id)) == 0
        accepted = await s.scalar(select(func.count()).select_from(Application).where(
            Application.status == ApplicationStatus.ACCEPTED))
    assert accepted == 1


async def test_two_clicks_on_the_same_application_accept_it_once(pg_engine):
    async with session_scope(pg_engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=3)
        code = (await apps.apply(s, await student(s), offer.id, MOTIVATION)).public_code

    async def click() -> str:
        try:
            async with session_scope(pg_engine) as s:
                await apps.accept(s, boss, code)
            return "ok"
        except DomainError as err:
            return err.code

    outcomes = await asyncio.gather(*(click() for _ in range(10)))
    assert outcomes.count("ok") == 1
    async with session_scope(pg_engine) as s:
        assert await s.scalar(select(Offer.places_left).where(Offer.id == offer.id)) == 2


async def test_concurrent_applications_never_exceed_five_pending(pg_engine):
    async with session_scope(pg_engine) as s:
        employer, _ = await employer_with_account(s)
        offers = [await offer_for(s, employer) for _ in range(12)]
        pupil = await student(s)

    async def send(offer_id: int) -> bool:
        try:
            async with session_scope(pg_engine) as s:
                await apps.apply(s, pupil, offer_id, MOTIVATION)
            return True
        except DomainError:
            return False

    results = await asyncio.gather(*(send(o.id) for o in offers))
    assert sum(results) == 5


async def test_a_link_code_is_used_once_even_when_raced(pg_engine):
    async with session_scope(pg_engine) as s:
        pupil = await student(s)
        code = await create_link_code(s, pupil)
        parents = [await get_or_create_account(s, "test", f"parent-race-{i}") for i in range(8)]

    async def redeem(parent) -> bool:
        try:
            async with session_scope(pg_engine) as s:
                await redeem_link_code(s, await s.get(type(parent), parent.id), code)
            return True
        except DomainError:
            return False

    assert sum(await asyncio.gather(*(redeem(p) for p in parents))) == 1


async def test_two_contacts_answering_one_join_request_at_once_decide_it_once(pg_engine):
    """One contact accepts while another refuses: exactly one answer counts, the newcomer hears it once."""
    async with session_scope(pg_engine) as s:
        employer, boss = await employer_with_account(s)
        colleague = await get_or_create_account(s, "test", "race-colleague")
        colleague.employer_id, colleague.role = employer.id, boss.role
        newcomer = await get_or_create_account(s, "test", "race-newcomer")
        request, _ = await request_to_join(s, newcomer, employer, "Paul Dupont", "06 11 22 33 44")

    async def answer(actor, approve: bool) -> str:
        try:
            async with session_scope(pg_engine) as s:
                await decide_join_request(s, await s.get(Account, actor.id), request.public_code, approve)
            return "approved" if approve else "refused"
        except DomainError as err:
            return err.code

    outcomes = await asyncio.gather(*(answer(who, approve) for who, approve in [(boss, True), (colleague, False)] * 5))
    assert sum(o in ("approved", "refused") for o in outcomes) == 1
    async with session_scope(pg_engine) as s:
        row = await s.get(EmployerJoinRequest, request.id)
        account = await s.get(Account, newcomer.id)
        told = await s.scalar(select(func.count()).select_from(Notification).where(
            Notification.recipient_account_id == newcomer.id))
    assert row.status.value == next(o for o in outcomes if o in ("approved", "refused"))
    assert (account.employer_id == employer.id) == (row.status.value == "approved") and told == 1
