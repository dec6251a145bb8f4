"""The application state machine and its limits, on SQLite and PostgreSQL."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import ApplicationStatus, Notification, Offer
from tremplin.services import applications as apps
from tremplin.services.errors import DomainError


async def test_apply_scrubs_and_notifies_employer(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s, first_name="Léa")
        app = await apps.apply(s, pupil, offer.id, "Je suis Léa, appelez-moi au 06 12 34 56 78, "
                               "j'aime le pain et je veux voir le fournil.", distance_km=7.2)
    assert re.fullmatch(r"C-[A-Z2-9]{6}", app.public_code)
    assert "06 12" not in app.motivation and "Léa" not in app.motivation
    assert "[numéro masqué]" in app.motivation
    assert app.distance_band == "5 à 15 km"
    async with session_scope(engine) as s:
        rows = (await s.scalars(select(Notification))).all()
    assert [(n.recipient_account_id, n.kind) for n in rows] == [(boss.id, "application_received")]
    assert "Léa" not in str(rows[0].payload)


async def test_public_codes_are_not_sequential(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        codes = []
        for _ in range(4):
            offer = await offer_for(s, employer)
            pupil = await student(s)
            codes.append((await apps.apply(s, pupil, offer.id, MOTIVATION)).public_code)
    assert len(set(codes)) == 4 and codes != sorted(codes) or len({c[-1] for c in codes}) > 1


async def test_second_application_and_sixth_pending_are_refused(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offers = [await offer_for(s, employer) for _ in range(6)]
        pupil = await student(s)
        for offer in offers[:5]:
            await apps.apply(s, pupil, offer.id, MOTIVATION)
        with pytest.raises(DomainError) as dup:
            await apps.apply(s, pupil, offers[0].id, MOTIVATION)
        assert dup.value.code == "already_applied"
        with pytest.raises(DomainError) as too_many:
            await apps.apply(s, pupil, offers[5].id, MOTIVATION)
    assert too_many.value.code == "too_many_pending"
    assert "5 candidatures" in too_many.value.message


async def test_short_motivation_is_refused_in_french(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        with pytest.raises(DomainError) as err:
            await apps.apply(s, pupil, offer.id, "06 12 34 56 78")
    assert err.value.code == "motivation_too_short"


async def test_accept_takes_a_place_and_tells_student_and_parent(engine):
    from tremplin.services.accounts import get_or_create_account
    from tremplin.services.parents import create_link_code, redeem_link_code
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        pupil = await student(s)
        parent = await get_or_create_account(s, "test", "parent-1")
        await redeem_link_code(s, parent, await create_link_code(s, pupil))
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
    async with session_scope(engine) as s:
        await apps.accept(s, boss, app.public_code)
    async with session_scope(engine) as s:
        left = await s.scalar(select(Offer.places_left).where(Offer.id == offer.id))
        kinds = {(n.recipient_account_id, n.kind) for n in await s.scalars(select(Notification))}
    assert left == 1
    assert (pupil.account_id, "application_accepted") in kinds
    assert (parent.id, "application_accepted") in kinds


async def test_accepting_twice_or_a_declined_one_is_refused(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=3)
        a = await apps.apply(s, await student(s), offer.id, MOTIVATION)
        b = await apps.apply(s, await student(s), offer.id, MOTIVATION)
    async with session_scope(engine) as s:
        await apps.accept(s, boss, a.public_code)
        await apps.decline(s, boss, b.public_code, "Merci, mais nous sommes complets cette semaine-là.")
    for code in (a.public_code, b.public_code):
        with pytest.raises(DomainError):
            async with session_scope(engine) as s:
                await apps.accept(s, boss, code)
    async with session_scope(engine) as s:
        assert await s.scalar(select(Offer.places_left).where(Offer.id == offer.id)) == 2


async def test_last_place_goes_to_one_and_the_next_gets_a_clear_answer(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=1)
        a = await apps.apply(s, await student(s), offer.id, MOTIVATION)
        b = await apps.apply(s, await student(s), offer.id, MOTIVATION)
    async with session_scope(engine) as s:
        await apps.accept(s, boss, a.public_code)
    with pytest.raises(DomainError) as err:
        async with session_scope(engine) as s:
            await apps.accept(s, boss, b.public_code)
    assert err.value.code == "no_place_left"
    async with session_scope(engine) as s:
        kinds = [n.kind for n in await s.scalars(select(Notification))]
    assert "offer_full" in kinds  # b's student is told kindly


async def test_other_employer_cannot_touch_an_application(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        _, intruder = await employer_with_account(s)
        offer = await offer_for(s, employer)
        app = await apps.apply(s, await student(s), offer.id, MOTIVATION)
    with pytest.raises(DomainError) as err:
        async with session_scope(engine) as s:
            await apps.accept(s, intruder, app.public_code)
    assert err.value.message == "Je ne trouve pas cette candidature."


async def test_one_placement_per_week(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        first, second, third = [await offer_for(s, employer) for _ in range(3)]
        pupil = await student(s)
        a = await apps.apply(s, pupil, first.id, MOTIVATION)
        b = await apps.apply(s, pupil, second.id, MOTIVATION)
    async with session_scope(engine) as s:
        await apps.accept(s, boss, a.public_code)
    with pytest.raises(DomainError) as err:
        async with session_scope(engine) as s:
            await apps.accept(s, boss, b.public_code)
    assert err.value.code == "student_already_placed"
    with pytest.raises(DomainError) as err:
        async with session_scope(engine) as s:
            await apps.apply(s, pupil, third.id, MOTIVATION)
    assert err.value.code == "already_placed"


async def test_withdrawing_an_accepted_application_gives_the_place_back(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
    async with session_scope(engine) as s:
        await apps.accept(s, boss, app.public_code)
    async with session_scope(engine) as s:
        done = await apps.withdraw(s, pupil, app.public_code)
    assert done.status is ApplicationStatus.WITHDRAWN
    async with session_scope(engine) as s:
        assert await s.scalar(select(Offer.places_left).where(Offer.id == offer.id)) == 1
        kinds = [n.kind for n in await s.scalars(select(Notification)
                                                   .where(Notification.recipient_account_id == boss.id))]
    assert "application_withdrawn" in kinds


async def test_agreement_steps_follow_the_state_machine(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        app = await apps.apply(s, await student(s), offer.id, MOTIVATION)
    with pytest.raises(DomainError):
        async with session_scope(engine) as s:
            await apps.advance_agreement(s, app.public_code, ApplicationStatus.AGREEMENT_SIGNED)
    async with session_scope(engine) as s:
        await apps.accept(s, boss, app.public_code)
        for step in (ApplicationStatus.AGREEMENT_PENDING, ApplicationStatus.AGREEMENT_SIGNED, ApplicationStatus.DONE):
            app = await apps.advance_agreement(s, app.public_code, step)
    assert app.status is ApplicationStatus.DONE


def test_transition_table_refuses_going_back():
    with pytest.raises(DomainError) as err:
        apps.check_transition(ApplicationStatus.DECLINED, ApplicationStatus.ACCEPTED)
    assert "refusée" in err.value.message
