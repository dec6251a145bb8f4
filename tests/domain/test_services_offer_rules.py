"""An employer's offer after publication, without Rasa: places, reopening, duplicating, its weeks,
and what the employer's lists read (tremplin.queries.employers)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.factories import MOTIVATION, employer_with_account, next_monday, offer_for, student
from tremplin.db import session_scope
from tremplin.models import OfferStatus
from tremplin.queries.employers import (application_counts, offers_of, open_offers_of, owned_offer,
                                        pending_applications)
from tremplin.services import applications as apps
from tremplin.services.errors import DomainError
from tremplin.services.offer_periods import add_weeks, remove_week
from tremplin.services.offers import (change_places, duplicate_offer, move_offer, reopen_offer,
                                      status_words)


async def test_places_never_drop_below_the_pupils_accepted(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=3)
        for name in ("Léa", "Tom"):
            app = await apps.apply(s, await student(s, name), offer.id, MOTIVATION)
            await apps.accept(s, boss, app.public_code)
        await s.refresh(offer)
        with pytest.raises(DomainError) as err:
            await change_places(s, offer, 11)
        assert err.value.message == "Le nombre de places va de 1 à 10. Choisissez un nombre dans cet intervalle."
        with pytest.raises(DomainError) as err:
            await change_places(s, offer, 1)
        assert err.value.message == ("2 élève(s) sont déjà acceptés sur cette offre : gardez au moins 2 "
                                     "place(s).")
        await change_places(s, offer, 2)
        assert (offer.capacity, offer.places_left) == (2, 0) and status_words(offer) == "complète"


async def test_reopening_says_what_to_change_first(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer)
        with pytest.raises(DomainError) as err:
            reopen_offer(offer, employer)
        assert err.value.code == "reopen_not_closed" and "« publiée »" in err.value.message
        move_offer(offer, OfferStatus.CLOSED)
        offer.places_left = 0
        with pytest.raises(DomainError) as err:
            reopen_offer(offer, employer)
        assert err.value.code == "reopen_full"
        with pytest.raises(DomainError) as err:
            reopen_offer(offer, employer, today=date.today() + timedelta(weeks=60))
        assert err.value.code == "reopen_past"
        offer.places_left = 1
        reopen_offer(offer, employer)
        assert offer.status is OfferStatus.PUBLISHED
        untrusted, _ = await employer_with_account(s, trusted=False)
        waiting = await offer_for(s, untrusted)
        move_offer(waiting, OfferStatus.CLOSED)
        with pytest.raises(DomainError) as err:
            reopen_offer(waiting, untrusted)
        assert err.value.code == "reopen_unreviewed"


async def test_a_duplicate_takes_the_same_weekdays_a_year_later(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=3)
        copy = await duplicate_offer(s, employer, offer)
        assert copy.id != offer.id and copy.capacity == 3 and copy.status is OfferStatus.PUBLISHED
        assert copy.periods[0].start_date == offer.periods[0].start_date + timedelta(weeks=52)
        assert copy.periods[0].start_date.weekday() == 0


async def test_weeks_added_by_the_rules_and_removed_unless_a_pupil_is_placed(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        first = offer.periods[0].start_date
        second = next_monday(6)
        assert await add_weeks(s, offer, [(second, second + timedelta(days=4))]) != []
        assert await add_weeks(s, offer, [(second, second + timedelta(days=4))]) == []  # already offered
        with pytest.raises(DomainError) as err:
            await add_weeks(s, offer, [(date(2020, 1, 6), date(2020, 1, 10))])
        assert err.value.code == "period_rules" and err.value.message.endswith("\nRien n'est modifié.")
        app = await apps.apply(s, await student(s, week=first), offer.id, MOTIVATION, week_start=first)
        await apps.accept(s, boss, app.public_code)
        with pytest.raises(DomainError) as err:
            await remove_week(s, offer, first)
        assert err.value.code == "period_placed" and app.public_code in err.value.message
        removed = await remove_week(s, offer, second)
        assert removed.start_date == second and len(offer.periods) == 1
        with pytest.raises(DomainError) as err:
            await remove_week(s, offer, first)
        assert err.value.code == "period_last"
        with pytest.raises(DomainError) as err:
            await remove_week(s, offer, second)
        assert err.value.code == "period_gone"


async def test_employer_reads_only_their_own_offers_and_applications(engine):
    async with session_scope(engine) as s:
        employer, boss = await employer_with_account(s)
        other, stranger = await employer_with_account(s)
        offer = await offer_for(s, employer, capacity=2)
        closed = await offer_for(s, employer)
        move_offer(closed, OfferStatus.CLOSED)
        app = await apps.apply(s, await student(s), offer.id, MOTIVATION)
        assert [o.id for o in await offers_of(s, employer.id, 10)] == [offer.id, closed.id]
        assert [o.id for o in await open_offers_of(s, employer.id)] == [offer.id]
        assert await application_counts(s, [offer.id, closed.id]) == {offer.id: (1, 1)}
        assert [a.public_code for a, _ in await pending_applications(s, employer.id)] == [app.public_code]
        assert await pending_applications(s, other.id) == []
        assert (await owned_offer(s, boss, offer.id)).id == offer.id
        with pytest.raises(DomainError, match="parmi les vôtres"):
            await owned_offer(s, stranger, offer.id)
