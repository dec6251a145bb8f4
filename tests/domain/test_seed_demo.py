"""The demo seed (Loire and Saône-et-Loire): content, invariants and idempotency, on both backends."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from tremplin.db import session_scope
from tremplin.geography.communes import get_communes
from tremplin.metiers.referentiel import get_referentiel
from tremplin.models import (
    Account, Application, ApplicationStatus, ChannelIdentity, Employer, Notification, Offer, OfferPeriod,
    OfferStatus, Role, School, SchoolClass, Student,
)
from tremplin.seed import DEMO_CHANNEL, load_seed, seed_demo, week_of
from tremplin.services.accounts import find_account
from tremplin.services.siret import is_valid_siret

JOIN_CODES = {"FEURS-3A", "FEURS-3B", "MARCIGNY-3A", "MARCIGNY-3B"}
TABLES = (Employer, Offer, OfferPeriod, School, SchoolClass, Account, ChannelIdentity, Student, Application,
          Notification)


async def _table_counts(engine) -> dict[str, int]:
    async with session_scope(engine) as s:
        return {t.__name__: await s.scalar(select(func.count()).select_from(t)) for t in TABLES}


def test_week_of_is_monday_to_friday_after_this_week():
    wednesday = date(2031, 5, 14)
    assert week_of(wednesday, 1) == (date(2031, 5, 19), date(2031, 5, 23))
    assert week_of(date(2031, 5, 18), 3) == (date(2031, 6, 2), date(2031, 6, 6))  # from a Sunday
    assert week_of(date(2031, 5, 19), 1)[0] == date(2031, 5, 26)  # from a Monday: never this week


def test_seed_file_is_curated_and_consistent():
    data, communes, referentiel = load_seed(), get_communes(), get_referentiel()
    employers = data["employers"]
    offers = [o for e in employers for o in e["offers"]]
    refs = [o["ref"] for o in offers]
    assert len(refs) == len(set(refs))
    assert len({e["siret"] for e in employers}) == len(employers)
    assert len({e["contact_phone"] for e in employers}) == len(employers)
    assert len({o["title"] for o in offers}) >= len(offers) * 0.9  # titles are written per offer
    for employer in employers:
        assert is_valid_siret(employer["siret"]), employer["name"]
        commune = communes.get(employer["commune_insee"])
        assert commune is not None and commune.departement in {"42", "71"}, employer["name"]
        assert commune.name == employer["commune"]
        assert re.fullmatch(r"0[34] \d\d \d\d \d\d \d\d", employer["contact_phone"])
        assert employer["contact_name"] and employer["offers"]
    for offer in offers:
        # Several appellations may share a ROME code: the offer names one of them.
        metiers = [m for m in referentiel.by_rome(offer["rome"]) if m.label == offer["metier"]]
        assert len(metiers) == 1, offer["ref"]
        metier = metiers[0]
        assert offer["domain"] == metier.domain, offer["ref"]
        assert set(offer["environments"]) <= set(metier.environments), offer["ref"]
        assert not re.search(r"\b(offre|stage) \d+\b", offer["title"], re.I)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", offer["description"].strip()) if s]
        assert 1 <= len(sentences) <= 3 and len(offer["description"]) >= 80, offer["ref"]
        assert 1 <= offer["capacity"] <= 4
        assert 1 <= len(offer["weeks_from_now"]) <= 3 and min(offer["weeks_from_now"]) >= 1
    assert len({e["commune_insee"] for e in employers}) >= 35
    for school in data["schools"]:
        assert re.fullmatch(r"\d{7}[A-Z]", school["uai"])
    assert {c["join_code"] for s in data["schools"] for c in s["classes"]} == JOIN_CODES
    rural_schools = [s for s in data["schools"] if communes.get(s["commune_insee"]).rural]
    assert [communes.get(s["commune_insee"]).departement for s in rural_schools] == ["71"]


async def test_seed_demo_creates_a_rich_and_valid_demo(engine):
    today = date.today()
    counts = await seed_demo(engine)
    assert counts["employers"] >= 65 and counts["offers"] >= 160
    assert counts["schools"] == 2 and counts["classes"] == 4 and counts["teachers"] == 2
    assert counts["students"] >= 6 and counts["applications"] >= 15
    communes = get_communes()
    async with session_scope(engine) as s:
        employers = list(await s.scalars(select(Employer)))
        offers = list(await s.scalars(select(Offer)))
        periods = list(await s.scalars(select(OfferPeriod)))
        classes = {c.join_code: c for c in await s.scalars(select(SchoolClass))}
        schools = list(await s.scalars(select(School)))
        statuses = Counter((await s.scalars(select(Application.status))).all())
        accounts = list(await s.scalars(select(Account)))
        teacher = await find_account(s, DEMO_CHANNEL, "teacher:feurs")
        pupils = list(await s.scalars(select(Student)))
    assert len(employers) >= 60 and all(e.is_demo and e.trusted for e in employers)
    assert all(is_valid_siret(e.siret) for e in employers)
    assert len(offers) >= 150
    assert all(o.is_demo and o.status is OfferStatus.PUBLISHED and o.published_at for o in offers)
    assert len({o.domain for o in offers}) >= 10
    assert all(p.start_date > today and p.start_date.weekday() == 0
               and p.end_date == p.start_date + timedelta(days=4) for p in periods)
    assert {p.offer_id for p in periods} == {o.id for o in offers}
    places = {o.id: communes.get(o.commune_insee) for o in offers}
    assert all(abs(o.latitude - places[o.id].lat) < 1e-9 and abs(o.longitude - places[o.id].lon) < 1e-9
               for o in offers)
    assert sum(1 for o in offers if places[o.id].population < 2000) >= 15
    assert {p.departement for p in places.values()} == {"42", "71"}
    assert len({p.insee for p in places.values()}) >= 35
    assert set(classes) == JOIN_CODES and all(s.is_demo for s in schools) and len(schools) == 2
    assert teacher is not None and teacher.role is Role.TEACHER
    assert classes["FEURS-3A"].teacher_account_id == teacher.id
    assert all(c.stage_start > today for c in classes.values())
    assert all(a.is_demo for a in accounts)
    assert all(p.class_id is not None and p.stage_start is not None for p in pupils)
    for state in ("sent", "seen", "accepted", "declined"):
        assert statuses[ApplicationStatus(state)] >= 2, statuses
    accepted_offers = await _accepted_offers(engine)
    assert all(o.places_left == o.capacity - n for o, n in accepted_offers)


async def _accepted_offers(engine) -> list[tuple[Offer, int]]:
    async with session_scope(engine) as s:
        rows = (await s.execute(select(Offer, func.count(Application.id)).join(Application)
                                .where(Application.status == ApplicationStatus.ACCEPTED)
                                .group_by(Offer.id))).all()
    return [(offer, n) for offer, n in rows]


async def test_seed_demo_is_idempotent(engine):
    first = await seed_demo(engine)
    before = await _table_counts(engine)
    second = await seed_demo(engine)
    assert second == dict.fromkeys(first, 0)
    assert await _table_counts(engine) == before
    assert before["Employer"] == first["employers"] and before["Offer"] == first["offers"]


def test_demo_weeks_skip_the_school_holidays():
    """Seeded on 26 Nov 2026, the fifth week would be 21–25 Dec: Christmas holidays, so it moves on."""
    weeks = [week_of(date(2026, 11, 26), n)[0] for n in range(1, 7)]
    assert weeks == [date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14), date(2027, 1, 4),
                     date(2027, 1, 11), date(2027, 1, 18)]
