"""Offers, accounts, parent links and time-based expiry: the rules users notice."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.support.factories import MOTIVATION, employer_with_account, offer_for, student
from tremplin.db import session_scope
from tremplin.models import Application, ApplicationStatus, ChannelIdentity, Notification, Offer, OfferStatus, utcnow
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account
from tremplin.services.errors import DomainError
from tremplin.services.offers import OfferDraft, create_offer, move_offer
from tremplin.services.parents import create_link_code, redeem_link_code


def _draft(**changes) -> OfferDraft:
    monday = date.today() + timedelta(days=14 - date.today().weekday())
    values = dict(rome_code="A1501", metier_label="Soigneur animalier", domain="A", title="Au refuge",
                  commune_insee="42094", latitude=45.74, longitude=4.22,
                  periods=[(monday, monday + timedelta(days=4))], capacity=2)
    values.update(changes)
    return OfferDraft(**values)


async def test_first_offer_of_a_new_employer_waits_for_moderation(engine):
    async with session_scope(engine) as s:
        newcomer, _ = await employer_with_account(s, trusted=False)
        known, _ = await employer_with_account(s, trusted=True)
        pending = await create_offer(s, newcomer, _draft())
        published = await create_offer(s, known, _draft())
    assert pending.status is OfferStatus.PENDING_REVIEW and pending.published_at is None
    assert published.status is OfferStatus.PUBLISHED and published.places_left == 2


@pytest.mark.parametrize("changes, code", [
    ({"capacity": 0}, "capacity"),
    ({"capacity": 50}, "capacity"),
    ({"periods": [(date(2020, 1, 6), date(2020, 1, 10))]}, "period_past"),
    ({"periods": [(date.today() + timedelta(days=30), date.today() + timedelta(days=60))]}, "period_too_long"),
    ({"periods": []}, "no_period"),
])
async def test_offer_rules_refuse_with_a_reason(engine, changes, code):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        with pytest.raises(DomainError) as err:
            await create_offer(s, employer, _draft(**changes))
    assert err.value.code == code and err.value.message


async def test_closed_offer_cannot_be_set_back_to_draft(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await create_offer(s, employer, _draft())
        move_offer(offer, OfferStatus.CLOSED)
        with pytest.raises(DomainError):
            move_offer(offer, OfferStatus.DRAFT)
        move_offer(offer, OfferStatus.PUBLISHED)  # reopening is allowed


async def test_database_refuses_negative_places(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer)
    with pytest.raises(IntegrityError):
        async with session_scope(engine) as s:
            await s.execute(update(Offer).where(Offer.id == offer.id).values(places_left=-1))


async def test_same_chat_finds_same_account_and_no_clear_id_is_stored(engine):
    async with session_scope(engine) as s:
        first = await get_or_create_account(s, "telegram", 987654321)
        again = await get_or_create_account(s, "telegram", 987654321)
        other = await get_or_create_account(s, "telegram", 987654322)
        identities = (await s.scalars(select(ChannelIdentity))).all()
    assert first.id == again.id != other.id
    assert all("987654321" not in (i.external_hash + (i.sealed_address or "")) for i in identities)


async def test_parent_code_is_single_use_and_expires(engine):
    async with session_scope(engine) as s:
        pupil = await student(s)
        code = await create_link_code(s, pupil)
        old_code = await create_link_code(s, pupil, now=utcnow() - timedelta(days=8))
        mum = await get_or_create_account(s, "test", "mum")
        dad = await get_or_create_account(s, "test", "dad")
        linked = await redeem_link_code(s, mum, code.lower())  # typed in lower case: still fine
        assert linked.id == pupil.id
        with pytest.raises(DomainError) as reused:
            await redeem_link_code(s, dad, code)
        with pytest.raises(DomainError) as expired:
            await redeem_link_code(s, dad, old_code)
        with pytest.raises(DomainError) as unknown:
            await redeem_link_code(s, dad, "P-NOPE0000")
        told = await s.scalar(select(Notification.kind).where(Notification.recipient_account_id == pupil.account_id))
    assert (reused.value.code, expired.value.code, unknown.value.code) == (
        "link_code_used", "link_code_expired", "link_code_unknown")
    assert told == "parent_linked"


async def test_unanswered_applications_remind_once_then_expire(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer)
        pupil = await student(s)
        app = await apps.apply(s, pupil, offer.id, MOTIVATION)
    now = utcnow()
    async with session_scope(engine) as s:
        assert await apps.expire_stale(s, now + timedelta(days=6)) == (1, 0)
        assert await apps.expire_stale(s, now + timedelta(days=7)) == (0, 0)  # only once
        assert await apps.expire_stale(s, now + timedelta(days=16)) == (0, 1)
        status = await s.scalar(select(Application.status).where(Application.id == app.id))
        kinds = {(n.recipient_account_id, n.kind) for n in await s.scalars(select(Notification))}
    assert status is ApplicationStatus.EXPIRED
    assert (boss.id, "application_reminder") in kinds and (pupil.account_id, "application_expired") in kinds
