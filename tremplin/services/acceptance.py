"""An employer accepting an application: the place is taken (applications.accept), then the pupil's
teacher, if they use Tremplin, is sent the company's contact to prepare the agreement."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.dates.period import range_label
from tremplin.geography import commune_label
from tremplin.models import Account, Application, Employer, Offer
from tremplin.queries.employers import AcceptedStudent, accepted_student
from tremplin.services.applications import accept
from tremplin.services.outbox import enqueue


@dataclass
class Acceptance:
    """What the employer is told after accepting: the pupil revealed, the offer's places left."""

    application: Application
    offer: Offer
    student: AcceptedStudent
    teacher_told: bool


async def accept_and_tell_teacher(session: AsyncSession, account: Account, employer: Employer,
                                  code: str) -> Acceptance:
    """accept(), then the notice « agreement to prepare » queued once for the class's teacher."""
    application = await accept(session, account, code)
    offer = await session.get_one(Offer, application.offer_id)
    await session.refresh(offer)  # places_left was decremented by an UPDATE
    student = await accepted_student(session, account, code)
    if student.teacher_account_id:
        week = range_label(application.week_start, application.week_end)
        contact = ", ".join(v for v in (employer.contact_name, employer.contact_phone) if v) or "via Tremplin"
        await enqueue(session, student.teacher_account_id, "agreement_to_prepare",
                      f"app:{code}:agreement-contact:{student.teacher_account_id}", code=code,
                      employer_name=employer.name, contact_name=employer.contact_name,
                      contact_phone=employer.contact_phone, offer_title=offer.title,
                      message=f"Bonne nouvelle : {student.first_name} ({student.class_name}) est accepté(e) en "
                              f"stage chez {employer.name} ({commune_label(offer.commune_insee)}), {week} "
                              f"(candidature {code}). Pour préparer la convention de stage, contact de "
                              f"l'entreprise : {contact}.")
    return Acceptance(application, offer, student, bool(student.teacher_account_id))
