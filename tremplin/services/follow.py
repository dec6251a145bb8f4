"""What a parent follows of their child, what a student controls of it, and brute-force limits on codes.

A parent sees statuses in plain words; the host's name and commune only once an application is
accepted; the host's private contact goes to the student, and only for their own accepted application.

Failed code attempts are flushed into the caller's transaction: the chat handler must catch the
DomainError inside its unit of work (so the attempt is committed), not let it roll everything back."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.db import keep_after_rollback
from tremplin.dates.period import french_date
from tremplin.geography.communes import commune_label, get_communes
from tremplin.models import (
    PENDING_STATUSES, PLACED_STATUSES, Account, Application, ApplicationStatus, CodeAttempt, Employer,
    Offer, ParentLink, Role, Student, utcnow,
)
from tremplin.services.applications import STATUS_WORDS
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError, NotFound
from tremplin.services.outbox import enqueue
from tremplin.services.parents import redeem_link_code

MAX_CODE_FAILURES = 5
CODE_WINDOW = timedelta(hours=1)
S = ApplicationStatus
NEXT_STEP = {
    S.ACCEPTED: "prochaine étape : la convention.",
    S.AGREEMENT_PENDING: "prochaine étape : la signature de la convention.",
    S.AGREEMENT_SIGNED: "la convention est signée, tout est prêt.",
    S.DONE: "le stage est terminé.",
}


async def ensure_code_attempts_left(session: AsyncSession, account: Account, kind: str, message: str,
                                    now: datetime | None = None) -> None:
    """Refuse before even looking at the code once 5 wrong codes were typed in the last hour."""
    since = (now or utcnow()) - CODE_WINDOW
    failures = await session.scalar(select(func.count()).select_from(CodeAttempt).where(
        CodeAttempt.account_id == account.id, CodeAttempt.kind == kind, CodeAttempt.at > since)) or 0
    if failures >= MAX_CODE_FAILURES:
        raise DomainError("too_many_attempts", message)


async def record_code_failure(session: AsyncSession, account: Account, kind: str,
                              now: datetime | None = None) -> None:
    """Kept whether the refused operation is rolled back or not: after the turn's transaction (on
    SQLite it holds the only write lock), or else in a transaction of its own."""
    attempt = CodeAttempt(account_id=account.id, kind=kind, at=now or utcnow())
    if keep_after_rollback(session, attempt):
        return
    async with AsyncSession(session.bind) as side, side.begin():
        side.add(attempt)


async def link_child(session: AsyncSession, parent_account: Account, code: str,
                     now: datetime | None = None) -> Student:
    """Redeem a child's "P-" code, at most 5 wrong codes an hour per account."""
    if parent_account.role not in (None, Role.PARENT):
        raise DomainError("role_conflict", "Ce code est destiné à un parent : utilisez-le depuis le compte de "
                          "messagerie du parent.")
    await ensure_code_attempts_left(session, parent_account, "parent", "Trop de codes erronés en une heure : "
                                    "pour protéger les élèves, réessayez dans une heure avec le code exact.", now)
    try:
        return await redeem_link_code(session, parent_account, code, now)
    except DomainError:
        await record_code_failure(session, parent_account, "parent", now)
        raise


@dataclass
class LinkedParent:
    link_id: int
    since: date


async def parent_links_of(session: AsyncSession, student: Student) -> list[LinkedParent]:
    """The links a student can remove (parents are never named: accounts hold no names)."""
    rows = await session.scalars(select(ParentLink).where(ParentLink.student_id == student.id)
                                 .order_by(ParentLink.id))
    return [LinkedParent(row.id, row.created_at.date()) for row in rows]


async def unlink_parent(session: AsyncSession, student: Student, parent_link_id: int) -> None:
    """The student stays in control: any link of theirs can be removed, and the parent is told."""
    link = await session.scalar(select(ParentLink).where(
        ParentLink.id == parent_link_id, ParentLink.student_id == student.id))
    if link is None:
        raise NotFound("parent_link_not_found", "Je ne trouve pas ce lien parent sur ton compte.")
    await enqueue(session, link.parent_account_id, "parent_unlinked", f"parent-unlink:{link.id}",
                  message="Le lien avec le compte de votre enfant a été retiré : vous ne recevrez plus "
                          "ses nouvelles sur Tremplin.")
    await session.execute(delete(ParentLink).where(ParentLink.id == link.id))
    audit(session, None, "parent_unlinked", f"link:{link.id}")


@dataclass
class Placement:
    code: str
    status_words: str
    employer_name: str
    commune: str
    week_start: date


@dataclass
class ChildStatus:
    student_id: int
    first_name: str
    summary: str
    applications: list[tuple[str, str]] = field(default_factory=list)  # (code, status in words)
    placement: Placement | None = None


def _commune_name(insee: str) -> str:
    commune = get_communes().get(insee)
    return commune.name if commune else insee


async def _child_status(session: AsyncSession, student: Student) -> ChildStatus:
    first = student.first_name or "Votre enfant"
    rows = (await session.execute(
        select(Application, Offer, Employer).join(Offer, Application.offer_id == Offer.id)
        .join(Employer, Offer.employer_id == Employer.id)
        .where(Application.student_id == student.id).order_by(Application.created_at))).all()
    status = ChildStatus(student.id, first, "", [(a.public_code, STATUS_WORDS[a.status]) for a, _, _ in rows])
    if not rows:
        status.summary = f"{first} n'a pas encore envoyé de candidature."
        return status
    parts = [f"{first} a envoyé {len(rows)} candidature{'s' if len(rows) > 1 else ''}"]
    placed = next(((a, o, e) for a, o, e in rows if a.status in PLACED_STATUSES), None)
    if placed is not None:
        app, offer, employer = placed
        status.placement = Placement(app.public_code, STATUS_WORDS[app.status], employer.name,
                                     _commune_name(offer.commune_insee), app.week_start)
        parts.append(f"{employer.name} ({status.placement.commune}) l'a acceptée pour la semaine du "
                     f"{french_date(app.week_start, year=False)}")
        parts.append(NEXT_STEP[app.status])
    else:
        pending = sum(1 for a, _, _ in rows if a.status in PENDING_STATUSES)
        if pending:
            parts.append(f"{pending} en attente de réponse")
            parts.append("prochaine étape : attendre les réponses des employeurs.")
        else:
            parts.append("aucune n'est en cours")
            parts.append("prochaine étape : chercher de nouvelles offres ensemble.")
    status.summary = " ; ".join(parts[:-1]) + " ; " + parts[-1]
    return status


async def status_for_parent(session: AsyncSession, parent_account: Account) -> list[ChildStatus]:
    """One plain-words summary per linked child."""
    students = await session.scalars(select(Student).join(ParentLink, ParentLink.student_id == Student.id)
                                     .where(ParentLink.parent_account_id == parent_account.id)
                                     .order_by(Student.id))
    return [await _child_status(session, student) for student in students]


@dataclass
class HostContact:
    employer_name: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    address: str


async def contact_after_acceptance(session: AsyncSession, student: Student, application_code: str) -> HostContact:
    """The host's contact, for the student's own accepted application only."""
    row = (await session.execute(
        select(Application, Offer, Employer).join(Offer, Application.offer_id == Offer.id)
        .join(Employer, Offer.employer_id == Employer.id)
        .where(Application.public_code == (application_code or "").strip().upper(),
               Application.student_id == student.id))).first()
    if row is None:
        raise NotFound("application_not_found", "Je ne trouve pas cette candidature parmi les tiennes.")
    app, offer, employer = row
    if app.status not in PLACED_STATUSES:
        raise DomainError("not_accepted", "Les coordonnées de l'employeur te seront données dès qu'il aura "
                          f"accepté ta candidature (pour l'instant : « {STATUS_WORDS[app.status]} »).")
    where = commune_label(offer.commune_insee)
    address = f"{offer.street_address}, {where}" if offer.street_address else where
    return HostContact(employer.name, employer.contact_name, employer.contact_phone, employer.contact_email,
                       address)
