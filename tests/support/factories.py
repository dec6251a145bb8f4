"""Small builders for test data, going through the real services wherever a rule applies."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, Employer, Offer, Role, Student
from tremplin.services.accounts import get_or_create_account, set_role, student_of
from tremplin.services.offers import OfferDraft, create_offer

_counter = itertools.count(1)
# Valid SIRETs (Luhn) generated on the fly: 13 digits then the check digit.


def make_siret(seed: int) -> str:
    body = f"{seed:013d}"
    for check in range(10):
        candidate = body + str(check)
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            v = int(ch) * (2 if i % 2 else 1)
            total += v - 9 if v > 9 else v
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def next_monday(weeks_ahead: int = 3) -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7) + timedelta(weeks=weeks_ahead - 1)


async def employer_with_account(session: AsyncSession, *, trusted: bool = True) -> tuple[Employer, Account]:
    n = next(_counter)
    employer = Employer(siret=make_siret(10_000 + n), name=f"Boulangerie test {n}", commune_insee="42094",
                        contact_name="M. Martin", contact_phone="0477000000", trusted=trusted)
    session.add(employer)
    await session.flush()
    account = await get_or_create_account(session, "test", f"employer-{n}")
    account.employer_id = employer.id
    await set_role(session, account, Role.EMPLOYER)
    return employer, account


async def offer_for(session: AsyncSession, employer: Employer, *, capacity: int = 1,
                    week: date | None = None) -> Offer:
    week = week or next_monday()
    draft = OfferDraft(rome_code="D1102", metier_label="Boulanger", domain="D", title="Découvrir le fournil",
                       commune_insee="42094", latitude=45.742, longitude=4.226,
                       periods=[(week, week + timedelta(days=4))], capacity=capacity,
                       street_address="3 rue de la République", environments=["atelier", "public"])
    return await create_offer(session, employer, draft)


async def student(session: AsyncSession, first_name: str = "Léa", week: date | None = None) -> Student:
    n = next(_counter)
    account = await get_or_create_account(session, "test", f"student-{n}")
    await set_role(session, account, Role.STUDENT)
    pupil = await student_of(session, account.id)
    pupil.first_name = first_name
    week = week or next_monday()
    pupil.stage_start, pupil.stage_end = week, week + timedelta(days=4)
    await session.flush()
    return pupil


MOTIVATION = "J'adore faire du pain avec mon grand-père le dimanche et je voudrais voir un vrai fournil."
