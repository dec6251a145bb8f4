"""What a case knows and leaves behind: its chats, the demo calendar in French words, the accounts
prepared before a returning user talks (through the domain services, as the seed does), and the
database look-ups the checks use."""
from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tremplin.commands.admin import _make_admin  # what `tremplin admin grant-terminal` runs
from tremplin.db import session_scope
from tremplin.models import (Account, Application, ApplicationStatus, Employer, Offer, OfferPeriod,
                             OfferStatus, ParentLink, Role, SchoolClass, Student, utcnow)
from tremplin.seed.demo import week_of
from tremplin.services import applications as apps
from tremplin.services.accounts import find_account, get_or_create_account, set_role, student_of
from tremplin.services.classes import join_class
from tremplin.services.parents import create_link_code

CHANNEL = "telegram"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def day_month(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]}"


def calendar(today: date | None = None) -> dict[str, Any]:
    """$wN (« du 4 au 8 janvier »), $mondayN (« 4 janvier »), $numN (« 04/01 ») for the Nth school
    week after this one, as the demo seed counts them (holidays skipped). Also the dates themselves."""
    today = today or date.today()
    words: dict[str, Any] = {}
    for n in range(1, 13):
        start, end = week_of(today, n)
        same = start.month == end.month
        words[f"w{n}"] = (f"du {start.day} au {day_month(end)}" if same
                          else f"du {day_month(start)} au {day_month(end)}")
        words[f"monday{n}"] = day_month(start)
        words[f"num{n}"] = f"{start.day:02d}/{start.month:02d}"
        words[f"date{n}"] = (start, end)
    return words


def luhn_siret(n: int) -> str:
    """A 14-digit SIRET with a valid Luhn key, SIREN starting 98 (neither real nor in the demo)."""
    body = f"98{n:07d}0001"
    for key in range(10):
        digits = body + str(key)
        total = sum((int(c) * 2 - 9 if int(c) * 2 > 9 else int(c) * 2) if i % 2 else int(c)
                    for i, c in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def spaced(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


class Ctx:
    """One case's chats (actor → Telegram chat id), variables ($name in steps) and transcript."""

    _pupils = itertools.count(1)

    def __init__(self, engine: Any, chats: dict[str, int], variables: dict[str, Any]) -> None:
        self.engine, self.chats, self.vars = engine, chats, variables
        self.transcript: list[tuple[str, str, str]] = []

    def bot_text(self, actor: str = "user") -> str:
        return "\n".join(text for a, who, text in self.transcript if a == actor and who == "bot")

    async def account(self, session: Any, actor: str = "user") -> Account | None:
        return await find_account(session, CHANNEL, self.chats[actor])

    async def new_account(self, session: Any, actor: str = "user") -> Account:
        return await get_or_create_account(session, CHANNEL, self.chats[actor], self.chats[actor])

    # --- setups: a returning user, prepared through the services -------------------------------
    async def pupil(self, session: Any, code: str = "FEURS-3A", *, actor: str | None = None) -> Student:
        """A pupil who joined a class: this case's chat when `actor` is given, else a demo-like pupil."""
        if actor is not None:
            account = await self.new_account(session, actor)
        else:
            account = await get_or_create_account(session, "tasks", f"pupil-{next(self._pupils)}", "tasks")
        await set_role(session, account, Role.STUDENT)
        student = await student_of(session, account.id)
        await join_class(session, student, code)
        return student

    async def apply_for(self, session: Any, student: Student, offer: Offer, text: str) -> Application:
        period = min((p for p in offer.periods if p.start_date > date.today()), key=lambda p: p.start_date)
        return await apps.apply(session, student, offer.id, text, week_start=period.start_date)

    async def host(self, session: Any, index: int, actor: str = "user") -> tuple[Employer, Offer]:
        """The `index`th demo employer with no pending application and an open offer becomes this
        chat's company (as its seeded contact would be); one fresh application waits for it. Only in
        Saône-et-Loire: an acceptance fills places, and the pupils' searches are all in the Loire."""
        busy = select(Offer.employer_id).join(Application).where(
            Application.status.in_([ApplicationStatus.SENT, ApplicationStatus.SEEN]))
        offers = list(await session.scalars(
            select(Offer).options(selectinload(Offer.periods)).where(
                Offer.status == OfferStatus.PUBLISHED, Offer.places_left > 0, Offer.commune_insee.like("71%"),
                Offer.employer_id.not_in(busy)).order_by(Offer.employer_id, Offer.id)))
        first_offer: dict[int, Offer] = {}
        for offer in offers:
            if any(p.start_date > date.today() for p in offer.periods):
                first_offer.setdefault(offer.employer_id, offer)
        employer_id = sorted(first_offer)[index]
        offer = first_offer[employer_id]
        account = await self.new_account(session, actor)
        account.role, account.employer_id = Role.EMPLOYER, employer_id
        pupil = await self.pupil(session, "MARCIGNY-3B")
        application = await self.apply_for(session, pupil, offer, "J'aimerais beaucoup découvrir ce métier "
                                           "et voir comment se passe une vraie journée de travail.")
        self.vars.update(app_code=application.public_code, offer_title=offer.title, offer_id=offer.id)
        return await session.get(Employer, employer_id), offer

    async def new_company(self, session: Any, n: int, actor: str = "user", commune: str = "42094") -> Employer:
        """A company registered earlier by this chat (charter accepted), not trusted yet."""
        account = await self.new_account(session, actor)
        employer = Employer(siret=luhn_siret(5000 + n), name=f"Atelier Tâche {n}", commune_insee=commune,
                            contact_name="Paul Vernay", contact_phone="04 77 00 00 00",
                            charter_accepted_at=utcnow())
        session.add(employer)
        await session.flush()
        account.role, account.employer_id = Role.EMPLOYER, employer.id
        return employer

    async def linkable_child(self, session: Any, with_application: bool = True) -> Student:
        student = await self.pupil(session, "FEURS-3B")
        if with_application:
            offer = await session.scalar(select(Offer).options(selectinload(Offer.periods)).where(
                Offer.status == OfferStatus.PUBLISHED, Offer.places_left > 0, Offer.commune_insee == "42094")
                .order_by(Offer.id).offset(self.chats[next(iter(self.chats))] % 5))
            application = await self.apply_for(session, student, offer, "Ce stage me plairait vraiment, "
                                               "j'ai envie de voir le travail de près.")
            self.vars.update(app_code=application.public_code, offer_title=offer.title)
        self.vars["pcode"] = await create_link_code(session, student)
        self.vars["child_id"] = student.id
        return student

    async def admin_with_pending_offer(self, session: Any, n: int, actor: str = "user") -> Offer:
        account = await self.new_account(session, actor)
        await _make_admin(session, account)
        model = await session.scalar(select(Offer).options(selectinload(Offer.periods), selectinload(
            Offer.environments)).where(Offer.status == OfferStatus.PUBLISHED, Offer.commune_insee.like("71%"))
            .order_by(Offer.id).offset(n))  # once approved it is searchable: kept away from the pupils' Loire
        offer = Offer(employer_id=model.employer_id, rome_code=model.rome_code, metier_label=model.metier_label,
                      domain=model.domain, title=f"{model.title} (nouvelle offre {n})",
                      description=model.description, commune_insee=model.commune_insee,
                      latitude=model.latitude, longitude=model.longitude, capacity=1, places_left=1,
                      status=OfferStatus.PENDING_REVIEW,
                      periods=[OfferPeriod(start_date=p.start_date, end_date=p.end_date) for p in model.periods])
        session.add(offer)
        await session.flush()
        self.vars.update(pending_offer_id=offer.id, pending_title=offer.title)
        return offer

    # --- look-ups for the checks ---------------------------------------------------------------------
    async def student_state(self, actor: str = "user") -> dict[str, Any]:
        async with session_scope(self.engine) as s:
            account = await self.account(s, actor)
            student = await student_of(s, account.id) if account else None
            klass = await s.get(SchoolClass, student.class_id) if student and student.class_id else None
            applications = list(await s.scalars(select(Application).options(selectinload(Application.offer))
                                                .where(Application.student_id == student.id))) if student else []
            links = await s.scalar(select(func.count()).select_from(ParentLink).where(
                ParentLink.student_id == student.id)) if student else 0
            return {"account": account, "student": student, "class_code": klass.join_code if klass else None,
                    "applications": applications, "parent_links": links}

    async def employer_state(self, actor: str = "user") -> dict[str, Any]:
        async with session_scope(self.engine) as s:
            account = await self.account(s, actor)
            employer = await s.get(Employer, account.employer_id) if account and account.employer_id else None
            offers = list(await s.scalars(select(Offer).options(selectinload(Offer.periods)).where(
                Offer.employer_id == employer.id).order_by(Offer.id))) if employer else []
            return {"account": account, "employer": employer, "offers": offers}

    async def application(self, code: str) -> Application | None:
        async with session_scope(self.engine) as s:
            return await s.scalar(select(Application).where(Application.public_code == code))

    async def parent_linked(self, actor: str = "parent") -> bool:
        async with session_scope(self.engine) as s:
            account = await self.account(s, actor)
            return account is not None and await s.scalar(select(ParentLink.id).where(
                ParentLink.parent_account_id == account.id, ParentLink.student_id == self.vars["child_id"])) is not None

    async def classes_of(self, actor: str = "user") -> list[SchoolClass]:
        async with session_scope(self.engine) as s:
            account = await self.account(s, actor)
            if account is None:
                return []
            return list(await s.scalars(select(SchoolClass).options(selectinload(SchoolClass.school)).where(
                SchoolClass.teacher_account_id == account.id)))

    async def offer(self, offer_id: int) -> Offer | None:
        async with session_scope(self.engine) as s:
            return await s.get(Offer, offer_id)
