"""The end of the « je ne sais pas quoi faire » quiz, without Rasa, on the demo data: the offers
shown fit the answers, are within the radius said, and a pupil always gets something to apply to."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.support.factories import employer_with_account, offer_for
from tremplin.db import session_scope
from tremplin.geography import get_communes
from tremplin.metiers.environments import environment_fit
from tremplin.models import Offer
from tremplin.seed.demo import seed_demo, week_of
from tremplin.services.explore import ExploreQuery, ExploreResult, explore_offers, metier_of
from tremplin.services.search import search_offers

QUIZ = ("exterieur", "public", "calme", "atelier")  # dehors, avec des gens, calme, fabriquer
MISFITS = {"Retoucheur", "Enquêteur", "Toiletteur"}  # what the old quiz offered near Feurs


async def explore(engine, insee: str, answers: tuple[str, ...], **kw) -> tuple[ExploreResult, list[Offer]]:
    """The result, and every offer its query lists, page after page (what « Voir plus » shows)."""
    commune = get_communes().get(insee)
    async with session_scope(engine) as s:
        result = await explore_offers(s, ExploreQuery(commune.lat, commune.lon, answers, **kw))
        listed, offset = [], 0
        while True:
            page = await search_offers(s, replace(result.search, offset=offset))
            listed += [h for h in page.hits]
            offset += result.search.limit
            if offset >= page.total:
                break
        ids = [h.offer.id for h in listed]
        offers = {o.id: o for o in await s.scalars(
            select(Offer).where(Offer.id.in_(ids)).options(selectinload(Offer.environments)))}
        for hit in listed:
            assert hit.distance_km <= result.radius_km
        return result, [offers[i] for i in ids]


def fits(answers: tuple[str, ...], offer: Offer) -> bool:
    metier = metier_of(offer.rome_code, offer.metier_label)
    tags = set(offer.environment_tags) | set(metier.environments if metier else ())
    return environment_fit(answers, tags).ok


async def test_outdoors_people_calm_making_near_feurs_lists_fitting_offers_within_the_radius(engine):
    await seed_demo(engine)
    result, listed = await explore(engine, "42094", QUIZ)
    assert result.kind == "fit" and result.radius_km <= 50
    assert result.page.hits and len(listed) == result.page.total >= 1
    assert [h.offer.id for h in result.page.hits] == [o.id for o in listed[:len(result.page.hits)]]
    assert all(fits(QUIZ, o) for o in listed)  # « Voir plus » never brings a misfit either
    proposed = result.trades + result.ideas
    assert proposed and not MISFITS & {t.metier.label for t in proposed}
    for trade in proposed:
        assert environment_fit(QUIZ, trade.metier.environments).ok, trade.metier.label
        assert "exterieur" in trade.fit.met  # « dehors »: never an indoor-only trade
    assert all(t.nearest_km is not None and t.nearest_km <= result.radius_km for t in result.trades)
    assert {o.metier_label for o in listed} <= {t.metier.label for t in result.trades}


async def test_the_stage_week_is_kept(engine):
    await seed_demo(engine)
    monday, friday = week_of(date.today(), 4)  # a week of the demo, holidays skipped
    result, listed = await explore(engine, "42094", QUIZ, week_start=monday, week_end=friday)
    assert listed and all(fits(QUIZ, o) for o in listed)
    assert result.search.week_start == monday
    for hit in result.page.hits:
        assert hit.period.start_date <= friday and hit.period.end_date >= monday


async def test_refusing_every_question_still_lists_the_closest_offers(engine):
    await seed_demo(engine)
    result, listed = await explore(engine, "42094", ())
    assert result.kind == "open" and result.radius_km == 15 and result.search.rome_codes is None
    assert len(listed) >= 3 and not result.trades


async def test_far_from_any_offer_gets_the_fitting_offers_further_away_said_as_such(engine):
    await seed_demo(engine)
    result, listed = await explore(engine, "29019", QUIZ)  # Brest: the demo offers are in the Loire
    assert result.kind == "far" and result.radius_km > 50
    assert listed and all(fits(QUIZ, o) for o in listed)
    assert all(environment_fit(QUIZ, t.metier.environments).ok for t in result.trades + result.ideas)


async def test_when_nothing_fits_the_closest_offers_are_shown(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        bakery = await offer_for(s, employer)  # atelier + public, in Feurs: indoors
    result, listed = await explore(engine, "42094", ("exterieur", "animaux"))
    assert result.kind == "nearest" and [o.id for o in listed] == [bakery.id]
    assert not result.trades and all(t.metier.label != "Boulanger" for t in result.ideas)


async def test_no_offer_at_all_is_said(engine):
    result, listed = await explore(engine, "42094", QUIZ)
    assert result.kind == "empty" and not listed and result.page.total == 0
