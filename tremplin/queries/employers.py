"""What an employer sees: their offers (with the applications counted), the applications waiting for
them, and — once accepted — who the pupil is. Every lookup is limited to the account's own company:
ids in button payloads are client data."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tremplin.geography import commune_label
from tremplin.models import (PENDING_STATUSES, PLACED_STATUSES, Account, Application, Employer, Offer, OfferStatus,
                             School, SchoolClass, Student)
from tremplin.services.errors import DomainError, Forbidden

OFFER_LOADS = (selectinload(Offer.periods), selectinload(Offer.environments))


async def owned_offer(session: AsyncSession, account: Account, offer_id: int, *, for_update: bool = False) -> Offer:
    """The offer, only if it belongs to this account's company: payload ids are client data."""
    stmt = select(Offer).where(Offer.id == offer_id).options(*OFFER_LOADS)
    if for_update:
        stmt = stmt.with_for_update()
    offer = await session.scalar(stmt)
    if offer is None or account.employer_id is None or offer.employer_id != account.employer_id:
        # The same answer whether the offer is missing or someone else's: nothing leaks.
        raise Forbidden("offer_not_found", "Je ne trouve pas cette offre parmi les vôtres. Écrivez « mes offres » "
                        "pour voir la liste de vos offres.")
    return offer


async def offers_of(session: AsyncSession, employer_id: int, limit: int) -> list[Offer]:
    """The company's offers, published first, then waiting for review, then the rest; newest first."""
    order = case((Offer.status == OfferStatus.PUBLISHED, 0), (Offer.status == OfferStatus.PENDING_REVIEW, 1),
                 else_=2)
    return list(await session.scalars(
        select(Offer).options(*OFFER_LOADS).where(Offer.employer_id == employer_id)
        .order_by(order, Offer.created_at.desc()).limit(limit)))


async def open_offers_of(session: AsyncSession, employer_id: int) -> list[Offer]:
    """Offers that can still be closed: published or waiting for review, oldest first."""
    return list(await session.scalars(select(Offer).where(
        Offer.employer_id == employer_id,
        Offer.status.in_([OfferStatus.PUBLISHED, OfferStatus.PENDING_REVIEW])).order_by(Offer.created_at)))


async def application_counts(session: AsyncSession, offer_ids: list[int]) -> dict[int, tuple[int, int]]:
    """offer id → (applications received, of which still waiting for an answer)."""
    rows = await session.execute(
        select(Application.offer_id, func.count(),
               func.sum(case((Application.status.in_(PENDING_STATUSES), 1), else_=0)))
        .where(Application.offer_id.in_(offer_ids)).group_by(Application.offer_id))
    return {offer_id: (total, int(pending or 0)) for offer_id, total, pending in rows}


async def pending_applications(session: AsyncSession, employer_id: int,
                               offer_id: int | None = None) -> list[tuple[Application, Offer]]:
    """Applications waiting for this company's answer, oldest first (optionally for one offer)."""
    stmt = (select(Application, Offer).join(Offer, Application.offer_id == Offer.id)
            .where(Offer.employer_id == employer_id, Application.status.in_(PENDING_STATUSES))
            .order_by(Application.created_at, Application.id))
    if offer_id is not None:
        stmt = stmt.where(Offer.id == offer_id)
    return [(a, o) for a, o in (await session.execute(stmt)).all()]


async def employer_by_siret(session: AsyncSession, siret: str) -> Employer | None:
    return await session.scalar(select(Employer).where(Employer.siret == siret))


@dataclass
class AcceptedStudent:
    """What an employer learns once they accepted an application: enough to prepare the agreement."""

    first_name: str
    school: str | None
    class_name: str | None
    teacher_account_id: int | None
    teacher_contact: str | None = None


async def accepted_student(session: AsyncSession, account: Account, code: str) -> AcceptedStudent:
    """Only for an accepted (or later) application to one of this account's offers."""
    row = (await session.execute(
        select(Application, Student, SchoolClass, School)
        .join(Offer, Application.offer_id == Offer.id)
        .join(Student, Application.student_id == Student.id)
        .outerjoin(SchoolClass, Student.class_id == SchoolClass.id)
        .outerjoin(School, SchoolClass.school_id == School.id)
        .where(Application.public_code == code.strip().upper(), Offer.employer_id == account.employer_id))).first()
    if row is None or account.employer_id is None:
        raise Forbidden("application_not_found", "Je ne trouve pas cette candidature parmi celles de vos offres.")
    application, student, school_class, school = row
    if application.status not in PLACED_STATUSES:
        raise DomainError("not_accepted", "Les informations sur l'élève ne sont visibles qu'après l'acceptation.")
    school_text = f"{school.name} ({commune_label(school.commune_insee)})" if school else None
    return AcceptedStudent(student.first_name or "l'élève", school_text,
                           school_class.name if school_class else None,
                           school_class.teacher_account_id if school_class else None,
                           school_class.teacher_contact if school_class else None)
