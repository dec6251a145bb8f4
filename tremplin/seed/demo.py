"""The demo seed for the Loire (42) and Saône-et-Loire (71), read from ``data/demo/seed.json``.

Everything it creates is fictional and flagged ``is_demo``: employers, their offers, two collèges with
their classes, a teacher per collège, a few students and their applications. Offer periods are given
in the JSON as week offsets from the seed date, so the demo never goes stale. The seed is idempotent:
employers are matched by SIRET, offers by (employer, title), schools by UAI, classes by join code,
accounts by their "demo" channel identity and applications by (student, offer); a second run creates
nothing. Applications go through the real services, so their invariants (places, notifications, audit)
hold exactly as in production.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tremplin.dates.holidays import load_holidays
from tremplin.db import session_scope
from tremplin.geography.communes import CommuneIndex, get_communes
from tremplin.models import (
    Account, Application, ApplicationStatus, Employer, Offer, Role, School, SchoolClass, Student, utcnow,
)
from tremplin.services import applications as apps
from tremplin.services.accounts import get_or_create_account, set_role, student_of
from tremplin.services.offers import OfferDraft, create_offer
from tremplin.services.siret import validate_siret

SEED_PATH = Path(__file__).resolve().parents[2] / "data" / "demo" / "seed.json"
DEMO_CHANNEL = "demo"
COUNT_KEYS = ("employers", "offers", "schools", "classes", "teachers", "students", "applications")
_ANSWER_ORDER = {"sent": 0, "seen": 1, "declined": 2, "accepted": 3}


def _school_holiday(monday: date) -> bool:
    """True when the week of `monday` touches the zone A holidays (the Loire and Saône-et-Loire)."""
    for holiday in load_holidays()["A"]:
        end = holiday.end or holiday.start + timedelta(days=60)  # summer: no resume date in the table
        if holiday.start <= monday + timedelta(days=4) and monday < end:
            return True
    return False


def week_of(today: date, weeks_from_now: int) -> tuple[date, date]:
    """Monday to Friday of the `weeks_from_now`-th school week after the week of `today` (1 = the next
    one): holiday weeks are skipped, as no collège sends its pupils on a stage during the holidays."""
    if weeks_from_now < 1:
        raise ValueError("demo periods start next week at the earliest (weeks_from_now >= 1)")
    monday = today - timedelta(days=today.weekday())
    for _ in range(weeks_from_now):
        monday += timedelta(weeks=1)
        while _school_holiday(monday):
            monday += timedelta(weeks=1)
    return monday, monday + timedelta(days=4)


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        seed: dict[str, Any] = json.load(handle)
    return seed


def load_seed(path: Path | str | None = None) -> dict[str, Any]:
    return _read(str(path or SEED_PATH))


async def seed_demo(engine: AsyncEngine, today: date | None = None, *,
                    path: Path | str | None = None) -> dict[str, int]:
    """Insert the demo data (one transaction) and return how many rows of each kind were created."""
    today = today or date.today()
    data = load_seed(path)
    communes = get_communes()
    counts: Counter[str] = Counter({key: 0 for key in COUNT_KEYS})
    async with session_scope(engine) as session:
        offers, bosses = await _seed_employers(session, data["employers"], communes, today, counts)
        classes = await _seed_schools(session, data["schools"], today, counts)
        await _seed_students(session, data["students"], classes, offers, bosses, communes, today, counts)
    return {key: counts[key] for key in COUNT_KEYS}


async def _demo_account(session: AsyncSession, key: str, role: Role) -> tuple[Account, bool]:
    """The demo account reached on channel "demo" with `key`; True when it was just created."""
    account = await get_or_create_account(session, DEMO_CHANNEL, key)
    created = account.role is None
    account.is_demo = True
    if account.role is not role:
        await set_role(session, account, role)
    return account, created


# --- employers and offers -------------------------------------------------------------------------

async def _seed_employers(session: AsyncSession, employers: list[dict[str, Any]], communes: CommuneIndex,
                          today: date, counts: Counter[str]) -> tuple[dict[str, Offer], dict[int, Account]]:
    offers: dict[str, Offer] = {}
    bosses: dict[int, Account] = {}
    for spec in employers:
        siret = validate_siret(spec["siret"])
        employer = await session.scalar(select(Employer).where(Employer.siret == siret))
        if employer is None:
            employer = Employer(
                siret=siret, name=spec["name"], commune_insee=spec["commune_insee"],
                contact_name=spec.get("contact_name"), contact_phone=spec.get("contact_phone"),
                contact_email=spec.get("contact_email"), is_public_body=spec.get("is_public_body", False),
                trusted=True, charter_accepted_at=utcnow(), is_demo=True)
            session.add(employer)
            await session.flush()
            counts["employers"] += 1
        boss, _ = await _demo_account(session, f"employer:{siret}", Role.EMPLOYER)
        boss.employer_id = employer.id
        bosses[employer.id] = boss
        existing = {o.title: o for o in await session.scalars(
            select(Offer).where(Offer.employer_id == employer.id))}
        for offer_spec in spec["offers"]:
            offer = existing.get(offer_spec["title"])
            if offer is None:
                offer = await _create_offer(session, employer, offer_spec, communes, today)
                counts["offers"] += 1
            offers[offer_spec["ref"]] = offer
    await session.flush()
    return offers, bosses


async def _create_offer(session: AsyncSession, employer: Employer, spec: dict[str, Any],
                        communes: CommuneIndex, today: date) -> Offer:
    insee = spec.get("commune_insee", employer.commune_insee)
    commune = communes.get(insee)
    if commune is None:
        raise ValueError(f"demo offer {spec['ref']!r}: unknown commune {insee}")
    draft = OfferDraft(
        rome_code=spec["rome"], metier_label=spec["metier"], domain=spec["domain"], title=spec["title"],
        commune_insee=insee, latitude=commune.lat, longitude=commune.lon,
        periods=[week_of(today, weeks) for weeks in sorted(set(spec["weeks_from_now"]))],
        capacity=spec["capacity"], description=spec["description"],
        street_address=spec.get("street_address"), environments=spec.get("environments", []),
        holidays_ok=spec.get("holidays_ok", False), transport_access=spec.get("transport_access"))
    offer = await create_offer(session, employer, draft, today=today)
    offer.is_demo = True
    return offer


# --- collèges, classes, teachers ------------------------------------------------------------------

async def _seed_schools(session: AsyncSession, schools: list[dict[str, Any]], today: date,
                        counts: Counter[str]) -> dict[str, SchoolClass]:
    classes: dict[str, SchoolClass] = {}
    for spec in schools:
        school = await session.scalar(select(School).where(School.uai == spec["uai"]))
        if school is None:
            school = School(uai=spec["uai"], name=spec["name"], commune_insee=spec["commune_insee"],
                            is_demo=True)
            session.add(school)
            await session.flush()
            counts["schools"] += 1
        teacher, created = await _demo_account(session, spec["teacher"]["key"], Role.TEACHER)
        counts["teachers"] += created
        for class_spec in spec["classes"]:
            code = class_spec["join_code"]
            school_class = await session.scalar(select(SchoolClass).where(SchoolClass.join_code == code))
            if school_class is None:
                start, end = week_of(today, class_spec["stage_weeks_from_now"])
                school_class = SchoolClass(school_id=school.id, name=class_spec["name"], join_code=code,
                                           teacher_account_id=teacher.id, stage_start=start, stage_end=end,
                                           teacher_contact=spec["teacher"].get("contact"))
                session.add(school_class)
                await session.flush()
                counts["classes"] += 1
            classes[code] = school_class
    return classes


# --- students and their applications --------------------------------------------------------------

async def _seed_students(session: AsyncSession, students: list[dict[str, Any]],
                         classes: dict[str, SchoolClass], offers: dict[str, Offer],
                         bosses: dict[int, Account], communes: CommuneIndex, today: date,
                         counts: Counter[str]) -> None:
    for spec in students:
        account, _ = await _demo_account(session, spec["key"], Role.STUDENT)
        pupil = await student_of(session, account.id)
        assert pupil is not None, "set_role(STUDENT) creates the student"
        if pupil.class_id is None:
            school_class = classes[spec["class"]]
            pupil.first_name = spec["first_name"]
            pupil.class_id = school_class.id
            pupil.home_commune_insee = spec.get("home_commune_insee")
            pupil.stage_start, pupil.stage_end = school_class.stage_start, school_class.stage_end
            await session.flush()
            counts["students"] += 1
        # Like a real student: send every application first, then the employers answer them.
        sent: list[tuple[Application, dict[str, Any]]] = []
        for app_spec in spec.get("applications", []):
            offer = offers[app_spec["offer"]]
            done = await session.scalar(select(Application.id).where(
                Application.student_id == pupil.id, Application.offer_id == offer.id))
            if done is None:
                sent.append((await _apply(session, pupil, offer, app_spec, communes, today), app_spec))
                counts["applications"] += 1
        sent.sort(key=lambda item: _ANSWER_ORDER[item[1].get("status", "sent")])  # acceptances last
        for application, app_spec in sent:
            await _answer(session, application, app_spec, bosses)


async def _apply(session: AsyncSession, pupil: Student, offer: Offer, spec: dict[str, Any],
                 communes: CommuneIndex, today: date) -> Application:
    if spec.get("status", "sent") not in _ANSWER_ORDER:
        raise ValueError(f"demo application state {spec['status']!r} is not one of {sorted(_ANSWER_ORDER)}")
    home, place = communes.get(pupil.home_commune_insee or ""), communes.get(offer.commune_insee)
    distance = home.distance_km(place) if home and place else None
    return await apps.apply(session, pupil, offer.id, spec["motivation"], distance_km=distance, today=today)


async def _answer(session: AsyncSession, application: Application, spec: dict[str, Any],
                  bosses: dict[int, Account]) -> None:
    """The employer reads the application, then accepts or declines it, through the real services."""
    state = spec.get("status", "sent")
    if state == "sent":
        return
    offer = await session.get_one(Offer, application.offer_id)
    boss = bosses[offer.employer_id]
    application = await apps.mark_seen(session, boss, application.public_code)
    if state == "accepted":
        application = await apps.accept(session, boss, application.public_code)
    elif state == "declined":
        application = await apps.decline(session, boss, application.public_code, spec.get("decline_message"))
    if application.status is not ApplicationStatus(state):
        raise RuntimeError(f"demo application {application.public_code} is {application.status.value}, "
                           f"not {state}")
