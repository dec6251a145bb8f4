"""Offer search around a student: radius, ranking, filters, weeks, pagination and widening.

Real coordinates of the Loire: Feurs is the student's town, Balbigny ~9 km north, Montbrison
~19 km south-west and Saint-Étienne ~36 km south."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from tests.support.factories import employer_with_account, next_monday
from tremplin.db import session_scope
from tremplin.models import Employer, Offer, OfferStatus
from tremplin.services.offers import OfferDraft, create_offer
from tremplin.services.search import SearchQuery, search_offers, search_widening

FEURS = (45.742, 4.226)
BALBIGNY = (45.819, 4.190)
MONTBRISON = (45.608, 4.065)
SAINT_ETIENNE = (45.434, 4.390)
# Inside the 15 km bounding box around Feurs (13 km north, 13 km east) but ~18 km away.
BOX_CORNER = (45.742 + 13 / 111.195, 4.226 + 13 / 77.6)


def week_of(monday: date) -> tuple[date, date]:
    return monday, monday + timedelta(days=4)


async def add_offer(s, employer: Employer, where: tuple[float, float] = FEURS, *,
                    title: str = "Découvrir le métier", rome_code: str = "D1102", domain: str = "D",
                    environments: tuple[str, ...] = ("atelier",), weeks: list[tuple[date, date]] | None = None,
                    capacity: int = 2, submit: bool = True) -> Offer:
    draft = OfferDraft(rome_code=rome_code, metier_label="Métier", domain=domain, title=title,
                       commune_insee="42094", latitude=where[0], longitude=where[1],
                       periods=weeks or [week_of(next_monday())], capacity=capacity,
                       environments=list(environments))
    return await create_offer(s, employer, draft, submit=submit)


def near_feurs(**kwargs) -> SearchQuery:
    return SearchQuery(lat=FEURS[0], lon=FEURS[1], **kwargs)


async def test_radius_keeps_only_offers_within_the_circle(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        feurs = await add_offer(s, employer, FEURS, title="Feurs")
        await add_offer(s, employer, MONTBRISON, title="Montbrison")
        await add_offer(s, employer, SAINT_ETIENNE, title="Saint-Étienne")
        await add_offer(s, employer, BOX_CORNER, title="Coin de la boîte")
    async with session_scope(engine) as s:
        result = await search_offers(s, near_feurs(radius_km=15))
        wider = await search_offers(s, near_feurs(radius_km=25))
        widest = await search_offers(s, near_feurs(radius_km=50, limit=10))
    assert [h.offer.id for h in result.hits] == [feurs.id] and result.total == 1
    assert result.hits[0].distance_km == pytest.approx(0, abs=0.01)
    assert [h.offer.title for h in wider.hits] == ["Feurs", "Coin de la boîte", "Montbrison"]
    montbrison = wider.hits[2]
    assert 18 < montbrison.distance_km < 21
    assert [h.offer.title for h in widest.hits][-1] == "Saint-Étienne"
    assert 33 < widest.hits[-1].distance_km < 38 and widest.total == 4


async def test_hits_are_ranked_by_distance_then_freshness(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        far = await add_offer(s, employer, MONTBRISON)
        fresh = await add_offer(s, employer, FEURS)
        near = await add_offer(s, employer, BALBIGNY)
        old = await add_offer(s, employer, FEURS)  # created later, but published long ago
        old.published_at = fresh.published_at - timedelta(days=3)
    async with session_scope(engine) as s:
        result = await search_offers(s, near_feurs(radius_km=30))
    assert [h.offer.id for h in result.hits] == [fresh.id, old.id, near.id, far.id]
    distances = [h.distance_km for h in result.hits]
    assert distances == sorted(distances) and 7 < distances[2] < 11


async def test_metier_domain_and_environment_filters(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        baker = await add_offer(s, employer, rome_code="D1102", domain="D", environments=("atelier", "public"))
        farmer = await add_offer(s, employer, rome_code="A1203", domain="A", environments=("exterieur",))
        vet = await add_offer(s, employer, rome_code="A1501", domain="A", environments=("animaux", "public"))
        coder = await add_offer(s, employer, rome_code="M1805", domain="M", environments=("bureau",))

    async def ids(**kwargs) -> set[int]:
        async with session_scope(engine) as s:
            result = await search_offers(s, near_feurs(limit=10, **kwargs))
        assert result.total == len(result.hits)
        return {h.offer.id for h in result.hits}

    assert await ids() == {baker.id, farmer.id, vet.id, coder.id}
    assert await ids(rome_codes=["A1203"]) == {farmer.id}
    assert await ids(rome_codes=["D1102", "M1805"]) == {baker.id, coder.id}
    assert await ids(domain="A") == {farmer.id, vet.id}
    assert await ids(domain="A", rome_codes=["D1102"]) == set()
    # At least one tag in common; an offer matching two tags still comes once.
    assert await ids(environments=["public", "animaux"]) == {baker.id, vet.id}
    assert await ids(environments=["bureau"], domain="M") == {coder.id}
    assert await ids(environments=["piscine"]) == set()
    assert await ids(rome_codes=["D1102' OR '1'='1"]) == set()


async def test_period_must_overlap_the_week_and_not_be_over(engine):
    week_a, week_b = next_monday(3), next_monday(5)
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        in_a = await add_offer(s, employer, weeks=[week_of(week_a)])
        in_b = await add_offer(s, employer, weeks=[week_of(week_b)])
        # Wednesday to Friday of week A: a partial overlap still counts.
        midweek = await add_offer(s, employer, weeks=[(week_a + timedelta(days=2), week_a + timedelta(days=4))])
        both = await add_offer(s, employer, BALBIGNY, weeks=[week_of(week_a), week_of(week_b)])

    async def hits(**kwargs):
        async with session_scope(engine) as s:
            return (await search_offers(s, near_feurs(limit=10, **kwargs))).hits

    in_week_a = await hits(week_start=week_a, week_end=week_a + timedelta(days=4))
    assert {h.offer.id for h in in_week_a} == {in_a.id, midweek.id, both.id}
    assert {h.period.start_date for h in in_week_a if h.offer.id == both.id} == {week_a}
    in_week_b = await hits(week_start=week_b, week_end=week_b + timedelta(days=4))
    assert {h.offer.id for h in in_week_b} == {in_b.id, both.id}
    assert [h.period.start_date for h in in_week_b if h.offer.id == both.id] == [week_b]
    # Seen from the Saturday after week A, the periods of week A are over.
    later = await hits(today=week_a + timedelta(days=5))
    assert {h.offer.id for h in later} == {in_b.id, both.id}
    assert all(h.period.start_date == week_b for h in later)
    # Without a week, the first period that is not over is the one shown.
    now = await hits()
    assert [h.period.start_date for h in now if h.offer.id == both.id] == [week_a]
    # Asking for week A after it is over finds nothing.
    assert await hits(week_start=week_a, week_end=week_a + timedelta(days=4),
                      today=week_a + timedelta(days=5)) == []


async def test_full_and_unpublished_offers_are_excluded(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        untrusted, _ = await employer_with_account(s, trusted=False)
        open_offer = await add_offer(s, employer)
        full = await add_offer(s, employer)
        full.places_left = 0
        await add_offer(s, employer, submit=False)  # draft
        pending = await add_offer(s, untrusted)
        closed = await add_offer(s, employer)
        closed.status = OfferStatus.CLOSED
    assert pending.status is OfferStatus.PENDING_REVIEW
    async with session_scope(engine) as s:
        result = await search_offers(s, near_feurs(limit=10))
    assert [h.offer.id for h in result.hits] == [open_offer.id] and result.total == 1


async def test_pagination_reports_the_total(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        offers = []
        for i in range(7):  # one every ~1.1 km going north from Feurs
            offers.append(await add_offer(s, employer, (FEURS[0] + i * 0.01, FEURS[1])))
        await add_offer(s, employer, SAINT_ETIENNE)
    expected = [o.id for o in offers]
    async with session_scope(engine) as s:
        first = await search_offers(s, near_feurs(limit=3))
        second = await search_offers(s, near_feurs(limit=3, offset=3))
        last = await search_offers(s, near_feurs(limit=3, offset=6))
        beyond = await search_offers(s, near_feurs(limit=3, offset=9))
    assert (first.total, second.total, last.total, beyond.total) == (7, 7, 7, 7)
    assert [h.offer.id for h in first.hits] == expected[:3]
    assert [h.offer.id for h in second.hits] == expected[3:6]
    assert [h.offer.id for h in last.hits] == expected[6:]
    assert beyond.hits == []


async def test_widening_from_15_to_30_km_when_too_few_offers(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        await add_offer(s, employer, FEURS)
        await add_offer(s, employer, BALBIGNY)
        montbrison = await add_offer(s, employer, MONTBRISON)
        await add_offer(s, employer, SAINT_ETIENNE)
    async with session_scope(engine) as s:
        result, radius = await search_widening(s, near_feurs())
    assert radius == 30 and result.total == 3
    assert result.hits[-1].offer.id == montbrison.id

    async with session_scope(engine) as s:
        result, radius = await search_widening(s, near_feurs(), minimum=2)
    assert radius == 15 and result.total == 2
    async with session_scope(engine) as s:
        result, radius = await search_widening(s, near_feurs(), minimum=10)
    assert radius == 50 and result.total == 4  # never beyond the last step
    async with session_scope(engine) as s:
        result, radius = await search_widening(s, near_feurs(domain="Z"))
    assert radius == 50 and result.hits == [] and result.total == 0


async def test_page_is_loaded_eagerly_in_a_fixed_number_of_queries(engine):
    async with session_scope(engine) as s:
        employer, _ = await employer_with_account(s)
        for i in range(12):
            await add_offer(s, employer, (FEURS[0] + i * 0.005, FEURS[1]),
                            weeks=[week_of(next_monday(3)), week_of(next_monday(4))],
                            environments=("atelier", "public"))
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with session_scope(engine) as s:
            result = await search_offers(s, near_feurs(limit=10))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    # Candidates, the page's offers, their periods, their environments: nothing per row.
    selects = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4, selects
    assert result.total == 12 and len(result.hits) == 10
    # Usable once the session is closed: relations are already loaded.
    assert result.hits[0].offer.environment_tags == ["atelier", "public"]
    assert [p.start_date for p in result.hits[0].offer.periods] == [next_monday(3), next_monday(4)]
