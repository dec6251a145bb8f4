"""What the dashboard shows, computed here so the web pages only lay it out.

A teacher sees their own classes (first names, as in the chat: they need them to follow their
pupils). Territory staff see aggregates only — counts, rates, anonymous application codes never,
employers (companies, not people) in the moderation queue — never a pupil."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.geography.communes import get_communes
from tremplin.models import (PLACED_STATUSES, Account, Application, ApplicationStatus, Employer, Offer,
                             OfferStatus, School, SchoolClass, Student)
from tremplin.services.applications import STATUS_WORDS
from tremplin.services.classes import ClassOverview, class_overview
from tremplin.services.moderation import figures, require_admin


WAITING, PLACED, OTHER = "en attente", "acceptées", "refusées, retirées ou expirées"
GROUPS = (WAITING, PLACED, OTHER)
STATE_GROUPS = {ApplicationStatus.SENT: WAITING, ApplicationStatus.SEEN: WAITING,
                **{status: PLACED for status in PLACED_STATUSES}}


@dataclass
class Bar:
    label: str
    value: int
    extra: int = 0  # a second figure (places beside offers, placed beside pupils)

    def rate(self) -> int:
        return round(100 * self.extra / self.value) if self.value else 0


@dataclass
class ClassView:
    overview: ClassOverview
    to_sign: list[tuple[str, str]]  # (first name, application code) accepted, agreement not confirmed
    codes: dict[int, list[str]] = field(default_factory=dict)  # student id → anonymous application codes

    def by_state(self, state: str) -> list[str]:
        return [line.first_name for line in self.overview.students if line.state == state]


@dataclass
class TerritoryView:
    offers_by_domain: list[Bar]
    offers_by_commune: list[Bar]
    applications_by_status: list[Bar]
    applications_by_week: list[Bar]
    placement_by_school: list[Bar]
    rural: tuple[int, int]
    urban: tuple[int, int]
    pending_offers: list[tuple[Offer, Employer]]
    map_points: list[tuple[float, float, int, str]] = field(default_factory=list)  # lat, lon, places, commune
    states_by_week: list[tuple[str, list[int]]] = field(default_factory=list)  # week, counts per GROUPS


async def teacher_view(session: AsyncSession, teacher: Account) -> list[ClassView]:
    views = []
    for overview in await class_overview(session, teacher):
        rows = (await session.execute(
            select(Student.first_name, Application.public_code).join(Application, Application.student_id == Student.id)
            .where(Student.class_id == overview.class_id,
                   Application.status.in_((ApplicationStatus.ACCEPTED, ApplicationStatus.AGREEMENT_PENDING)))
            .order_by(Student.first_name, Application.public_code))).all()
        codes: dict[int, list[str]] = {}
        for student_id, code in (await session.execute(
                select(Application.student_id, Application.public_code).join(Student)
                .where(Student.class_id == overview.class_id).order_by(Application.id))).all():
            codes.setdefault(student_id, []).append(code)
        views.append(ClassView(overview, [(first or "(prénom non renseigné)", code) for first, code in rows], codes))
    return views


async def territory_view(session: AsyncSession, admin: Account, today: date | None = None) -> TerritoryView:
    require_admin(admin)
    from tremplin.metiers.referentiel import get_referentiel
    communes, domains = get_communes(), get_referentiel().domains
    published = Offer.status == OfferStatus.PUBLISHED
    by_domain = [Bar(domains.get(d, d), n, int(p or 0)) for d, n, p in (await session.execute(
        select(Offer.domain, func.count(), func.sum(Offer.capacity)).where(published)
        .group_by(Offer.domain).order_by(func.count().desc()))).all()]
    commune_rows = (await session.execute(
        select(Offer.commune_insee, func.count(), func.sum(Offer.capacity)).where(published)
        .group_by(Offer.commune_insee).order_by(func.count().desc()))).all()
    by_commune, points = [], []
    for insee, n, places in commune_rows:
        commune = communes.get(insee)
        name = commune.name if commune else insee
        by_commune.append(Bar(name, n, int(places or 0)))
        if commune is not None:
            points.append((commune.lat, commune.lon, int(places or 0), name))
    by_status = [Bar(STATUS_WORDS.get(s, s.value), n) for s, n in (await session.execute(
        select(Application.status, func.count()).group_by(Application.status))).all()]
    today = today or date.today()
    start = today - timedelta(days=today.weekday() + 7 * 9)
    weeks: Counter[date] = Counter()
    week_states: dict[date, Counter[str]] = {}
    for created, status in (await session.execute(select(Application.created_at, Application.status))).all():
        day = created.date()
        if day >= start:
            monday = day - timedelta(days=day.weekday())
            weeks[monday] += 1
            week_states.setdefault(monday, Counter())[STATE_GROUPS.get(status, OTHER)] += 1
    mondays = [start + timedelta(weeks=i) for i in range(10)]
    by_week = [Bar(f"{m:%d/%m}", weeks[m]) for m in mondays]
    states_by_week = [(f"{m:%d/%m}", [week_states.get(m, Counter())[g] for g in GROUPS]) for m in mondays]
    pupils = dict((await session.execute(
        select(School.name, func.count(Student.id)).join(SchoolClass, SchoolClass.school_id == School.id)
        .join(Student, Student.class_id == SchoolClass.id).group_by(School.name))).all())
    placed = dict((await session.execute(
        select(School.name, func.count(func.distinct(Application.student_id)))
        .join(SchoolClass, SchoolClass.school_id == School.id).join(Student, Student.class_id == SchoolClass.id)
        .join(Application, Application.student_id == Student.id)
        .where(Application.status.in_(PLACED_STATUSES)).group_by(School.name))).all())
    by_school = sorted((Bar(name, n, placed.get(name, 0)) for name, n in pupils.items()), key=lambda b: b.label)
    equity = await figures(session)
    pending = (await session.execute(
        select(Offer, Employer).join(Employer, Employer.id == Offer.employer_id)
        .where(Offer.status == OfferStatus.PENDING_REVIEW).order_by(Offer.created_at, Offer.id).limit(50))).all()
    return TerritoryView(by_domain, by_commune[:15], by_status, by_week, by_school, equity.rural, equity.urban,
                         [(o, e) for o, e in pending], points, states_by_week)


async def pending_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Offer).where(
        Offer.status == OfferStatus.PENDING_REVIEW)) or 0
