"""Who is talking and what they follow: the account behind a chat, a pupil's applications and school,
a teacher's classes, the classes a parent's children are in. Reads only."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tremplin.models import (Account, Application, ApplicationStatus, ChannelIdentity, Offer, ParentLink, Role,
                             School, SchoolClass, Student)


async def account_for(session: AsyncSession, sender_id: str) -> Account | None:
    """The gateway sends the HMAC of the chat id as sender id and registers the account beforehand."""
    return await session.scalar(
        select(Account).join(ChannelIdentity).where(ChannelIdentity.external_hash == sender_id))


async def applications_of(session: AsyncSession, student_id: int) -> list[tuple[Application, Offer]]:
    """A pupil's applications with their offers, newest first."""
    rows = await session.execute(
        select(Application, Offer).join(Offer, Application.offer_id == Offer.id)
        .where(Application.student_id == student_id).order_by(Application.created_at.desc(), Application.id.desc()))
    return [(application, offer) for application, offer in rows]


async def status_of(session: AsyncSession, student_id: int, code: str) -> ApplicationStatus | None:
    """The state of one of the pupil's own applications (None if it is not theirs)."""
    return await session.scalar(select(Application.status).where(
        Application.public_code == code, Application.student_id == student_id))


async def offer_of_own_application(session: AsyncSession, student_account_id: int, code: str) -> int | None:
    """The offer a pupil's own application (by its code) was sent to; None for anyone else's code."""
    return await session.scalar(select(Application.offer_id).join(Student, Application.student_id == Student.id)
                                .where(Application.public_code == code, Student.account_id == student_account_id))


async def school_commune_of_class(session: AsyncSession, class_id: int) -> str | None:
    """The INSEE code of the collège of a class: where a pupil's searches start by default."""
    return await session.scalar(select(School.commune_insee).join(SchoolClass).where(SchoolClass.id == class_id))


async def referent_classes(session: AsyncSession, account: Account) -> list[str]:
    """"3e A, Collège des Sources du Forez" for a pupil's class, or the classes of a parent's children."""
    query = (select(SchoolClass.name, School.name).join(School, SchoolClass.school_id == School.id)
             .join(Student, Student.class_id == SchoolClass.id))
    if account.role is Role.STUDENT:
        query = query.where(Student.account_id == account.id)
    elif account.role is Role.PARENT:
        query = query.join(ParentLink, ParentLink.student_id == Student.id).where(
            ParentLink.parent_account_id == account.id)
    else:
        return []
    return sorted({f"{klass}, {school}" for klass, school in (await session.execute(query)).all()})


async def class_by_join_code(session: AsyncSession, join_code: str) -> SchoolClass | None:
    """The class of an (already cleaned) join code."""
    return await session.scalar(select(SchoolClass).where(SchoolClass.join_code == join_code))


async def agreements_to_confirm(session: AsyncSession, class_id: int,
                                statuses: tuple[ApplicationStatus, ...]) -> list[tuple[str | None, str, date]]:
    """(first name, application code, week) of the class's applications in `statuses`, by name."""
    rows = (await session.execute(
        select(Student.first_name, Application.public_code, Application.week_start)
        .join(Application, Application.student_id == Student.id)
        .where(Student.class_id == class_id, Application.status.in_(statuses))
        .order_by(Student.first_name, Application.public_code))).all()
    return [(first, code, week) for first, code, week in rows]


async def only_school_of_teacher(session: AsyncSession, teacher: Account) -> School | None:
    """The collège of all the teacher's classes, when they all are in one."""
    ids = set(await session.scalars(select(SchoolClass.school_id).where(SchoolClass.teacher_account_id == teacher.id)))
    return await session.get(School, ids.pop()) if len(ids) == 1 else None


async def all_schools(session: AsyncSession) -> list[School]:
    return list(await session.scalars(select(School)))


async def offer_with_details(session: AsyncSession, offer_id: int) -> Offer | None:
    """An offer with its weeks and environments loaded (for the pupil's « Détails »)."""
    return await session.scalar(select(Offer).where(Offer.id == offer_id).options(
        selectinload(Offer.periods), selectinload(Offer.environments)))
