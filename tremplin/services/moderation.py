"""Safety and moderation: problem reports always reach a person; admins review offers, suspend
employers, and read the figures that show whether rural students find a placement as often as others."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.geography.communes import get_communes
from tremplin.models import (
    PENDING_STATUSES, PLACED_STATUSES, Account, Application, ApplicationStatus, Employer, Offer,
    OfferStatus, ProblemReport, ReportStatus, Role, School, SchoolClass, Student, utcnow,
)
from tremplin.privacy import Audience, mask
from tremplin.services.applications import employer_accounts, parent_accounts
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError, Forbidden, NotFound
from tremplin.services.offers import move_offer
from tremplin.services.outbox import enqueue
from tremplin.tone import says_tu

log = logging.getLogger(__name__)
MAX_REPORT = 2000
OPEN_OFFERS = (OfferStatus.DRAFT, OfferStatus.PENDING_REVIEW, OfferStatus.PUBLISHED)
KIND_WORDS = ("Cette offre n'est plus disponible sur Tremplin. Ce n'est pas lié à ta candidature : "
              "tu peux postuler à d'autres offres dès maintenant.")


@dataclass
class ReportReceipt:
    report: ProblemReport
    message: str


@dataclass
class ModerationQueue:
    offers: list[Offer]
    reports: list[ProblemReport]


@dataclass
class Withdrawal:
    closed_offers: int = 0
    pending_told: int = 0
    placed_codes: list[str] = field(default_factory=list)  # accepted students a person must call


@dataclass
class Figures:
    by_commune: list[tuple[str, int]]
    by_school: list[tuple[str, int]]
    rural: tuple[int, int]  # (students placed, students) living in a commune < 2,000 inhabitants
    urban: tuple[int, int]
    unknown_home: tuple[int, int]

    @property
    def text(self) -> str:
        def share(pair: tuple[int, int]) -> str:
            return f"{pair[0]}/{pair[1]}" + (f" ({round(100 * pair[0] / pair[1])} %)" if pair[1] else "")
        lines = ["Stages trouvés par commune d'accueil :"]
        lines += [f"  - {name} : {n}" for name, n in self.by_commune] or ["  (aucun)"]
        lines.append("Stages trouvés par collège :")
        lines += [f"  - {name} : {n}" for name, n in self.by_school] or ["  (aucun)"]
        lines.append(f"Élèves avec un stage, habitant une commune rurale : {share(self.rural)}")
        lines.append(f"Élèves avec un stage, habitant une commune urbaine : {share(self.urban)}")
        return "\n".join(lines)


def require_admin(account: Account | None) -> Account:
    if account is None or account.role is not Role.ADMIN:
        raise Forbidden("admin_only", "Cette action est réservée à l'équipe Tremplin.")
    return account


async def report_problem(session: AsyncSession, reporter_account: Account, text: str,
                         offer_id: int | None = None) -> ReportReceipt:
    """Never refuses a report for a wrong offer: a safety report must always get through."""
    tu = says_tu(reporter_account.role)
    cleaned = mask(" ".join((text or "").split()), Audience.REPORT_TO_TEAM).text[:MAX_REPORT]
    if len(cleaned) < 3:
        raise DomainError("report_empty", "Explique en quelques mots ce qui se passe." if tu
                          else "Décrivez le problème en quelques mots.")
    offer = await session.get(Offer, offer_id) if offer_id is not None else None
    report = ProblemReport(reporter_account_id=reporter_account.id, text=cleaned,
                           offer_id=offer.id if offer else None, employer_id=offer.employer_id if offer else None)
    session.add(report)
    await session.flush()
    admins = list(await session.scalars(select(Account.id).where(Account.role == Role.ADMIN)))
    if not admins:
        log.error("problem report %s has no admin account to reach", report.id)
    for admin_id in admins:
        await enqueue(session, admin_id, "problem_reported", f"report:{report.id}:{admin_id}",
                      report_id=report.id, offer_id=report.offer_id, excerpt=cleaned[:300],
                      reporter_role=reporter_account.role.value if reporter_account.role else None)
    audit(session, reporter_account.pseudonym, "problem_reported", f"report:{report.id}", offer_id=report.offer_id)
    if tu:
        message = (f"Merci de m'avoir prévenu. Ton signalement (n° {report.id}) est transmis : une personne de "
                   "l'équipe Tremplin va le lire et reviendra vers toi. Si tu es en danger, appelle le 17, ou "
                   "le 119 (Allô Enfance en danger, gratuit, jour et nuit).")
    else:
        message = (f"Merci. Votre signalement (n° {report.id}) est transmis : une personne de l'équipe Tremplin "
                   "va l'examiner et reviendra vers vous.")
    return ReportReceipt(report, message)


def close_report(session: AsyncSession, admin: Account, report: ProblemReport) -> None:
    """A report leaves the queue once a person of the team has dealt with it (said in its resolution)."""
    require_admin(admin)
    if report.status is ReportStatus.CLOSED:
        raise DomainError("report_closed", f"Le signalement n° {report.id} est déjà clos.")
    report.status, report.closed_at = ReportStatus.CLOSED, utcnow()
    report.resolution = f"clos dans la conversation par {admin.pseudonym}"
    audit(session, admin.pseudonym, "report_closed", f"report:{report.id}")


async def request_handoff(session: AsyncSession, account: Account, excerpt: str, day: date) -> int:
    """Someone asks for a person: every admin is told, at most once a day per account; the number of
    admins reached is returned (0 is logged as an error: nobody was granted the role)."""
    admins = list(await session.scalars(select(Account.id).where(Account.role == Role.ADMIN)))
    if not admins:
        log.error("handoff from %s: no admin account to reach (tremplin admin grant)", account.pseudonym)
    role = account.role.value if account.role else None
    for admin_id in admins:
        await enqueue(session, admin_id, "human_handoff", f"handoff:{account.id}:{day.isoformat()}:{admin_id}",
                      pseudonym=account.pseudonym, role=role, excerpt=excerpt,
                      message=f"Une personne ({role or 'rôle inconnu'}, {account.pseudonym}) demande à parler "
                              "à quelqu'un de l'équipe Tremplin." + (f" Son message : « {excerpt} »"
                                                                     if excerpt else ""))
    audit(session, account.pseudonym, "human_handoff", None, admins=len(admins))
    return len(admins)


async def moderation_queue(session: AsyncSession, admin: Account) -> ModerationQueue:
    """Offers waiting for review and reports not yet closed, oldest first."""
    require_admin(admin)
    offers = await session.scalars(select(Offer).where(Offer.status == OfferStatus.PENDING_REVIEW)
                                   .order_by(Offer.created_at, Offer.id))
    reports = await session.scalars(select(ProblemReport).where(ProblemReport.status != ReportStatus.CLOSED)
                                    .order_by(ProblemReport.created_at, ProblemReport.id))
    return ModerationQueue(list(offers), list(reports))


async def _offer_for_review(session: AsyncSession, admin: Account, offer_id: int) -> Offer:
    require_admin(admin)
    offer = await session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("offer_not_found", "Je ne trouve pas cette offre.")
    if offer.status is not OfferStatus.PENDING_REVIEW:
        raise DomainError("offer_not_pending", "Cette offre n'attend pas de validation.")
    return offer


async def _tell_employer(session: AsyncSession, offer: Offer, kind: str, **payload: Any) -> None:
    for account_id in await employer_accounts(session, offer.employer_id):
        await enqueue(session, account_id, kind, f"offer:{offer.id}:{kind}:{utcnow().isoformat()}:{account_id}",
                      offer_id=offer.id, offer_title=offer.title, **payload)


async def approve_offer(session: AsyncSession, admin: Account, offer_id: int) -> Offer:
    offer = await _offer_for_review(session, admin, offer_id)
    employer = await session.get_one(Employer, offer.employer_id)
    if employer.suspended:
        raise DomainError("employer_suspended", "Cet employeur est suspendu : son offre ne peut pas être publiée.")
    move_offer(offer, OfferStatus.PUBLISHED)
    await _tell_employer(session, offer, "offer_approved",
                         message=f"Votre offre « {offer.title} » est validée et visible par les élèves.")
    audit(session, admin.pseudonym, "offer_approved", f"offer:{offer.id}")
    return offer


async def reject_offer(session: AsyncSession, admin: Account, offer_id: int, reason: str) -> Offer:
    """Back to draft with the reason, so the employer can correct it and submit again."""
    offer = await _offer_for_review(session, admin, offer_id)
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise DomainError("reason_required", "Indiquez la raison du refus : elle est transmise à l'employeur.")
    move_offer(offer, OfferStatus.DRAFT)
    await _tell_employer(session, offer, "offer_rejected", reason=reason,
                         message=f"Votre offre « {offer.title} » n'a pas été validée : {reason} "
                                 "Vous pouvez la corriger et la proposer à nouveau.")
    audit(session, admin.pseudonym, "offer_rejected", f"offer:{offer.id}", reason=reason)
    return offer


async def withdraw_employer_offers(session: AsyncSession, employer_id: int) -> Withdrawal:
    """Close every open offer of the employer; pending applicants are kindly told and freed."""
    done = Withdrawal()
    offers = list(await session.scalars(select(Offer).where(Offer.employer_id == employer_id,
                                                            Offer.status.in_(OPEN_OFFERS))))
    for offer in offers:
        move_offer(offer, OfferStatus.CLOSED)
        done.closed_offers += 1
    ids = [offer.id for offer in offers]
    if not ids:
        return done
    await session.flush()
    pending = list(await session.scalars(update(Application).where(
        Application.offer_id.in_(ids), Application.status.in_(PENDING_STATUSES))
        .values(status=ApplicationStatus.DECLINED, decided_at=utcnow(), decline_message=KIND_WORDS)
        .returning(Application)))
    titles = {offer.id: offer.title for offer in offers}
    for app in pending:
        student = await session.get_one(Student, app.student_id)
        for account_id in [student.account_id, *await parent_accounts(session, student.id)]:
            await enqueue(session, account_id, "offer_withdrawn", f"app:{app.public_code}:offer_withdrawn:{account_id}",
                          code=app.public_code, offer_title=titles[app.offer_id], message=KIND_WORDS)
        done.pending_told += 1
    done.placed_codes = list(await session.scalars(select(Application.public_code).where(
        Application.offer_id.in_(ids), Application.status.in_(PLACED_STATUSES))))
    return done


async def suspend_employer(session: AsyncSession, admin: Account, employer_id: int) -> Withdrawal:
    """Suspension closes the offers at once; students already accepted need a human call (placed_codes)."""
    require_admin(admin)
    employer = await session.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer_not_found", "Je ne trouve pas cet employeur.")
    employer.suspended = True
    done = await withdraw_employer_offers(session, employer.id)
    for account_id in await employer_accounts(session, employer.id):
        await enqueue(session, account_id, "employer_suspended", f"employer:{employer.id}:suspended:"
                      f"{utcnow().isoformat()}:{account_id}", message="Votre compte Tremplin est suspendu et "
                      "vos offres sont retirées. L'équipe Tremplin va prendre contact avec vous.")
    audit(session, admin.pseudonym, "employer_suspended", f"employer:{employer.id}",
          closed_offers=done.closed_offers, pending_told=done.pending_told, placed=done.placed_codes)
    return done


async def figures(session: AsyncSession) -> Figures:
    """Placements by host commune and by collège, and the rural/urban share of placed students."""
    communes = get_communes()
    rows = (await session.execute(
        select(Application.student_id, Offer.commune_insee, School.name)
        .join(Offer, Application.offer_id == Offer.id).join(Student, Application.student_id == Student.id)
        .outerjoin(SchoolClass, Student.class_id == SchoolClass.id)
        .outerjoin(School, SchoolClass.school_id == School.id)
        .where(Application.status.in_(PLACED_STATUSES)))).all()
    by_commune = Counter(host.name if (host := communes.get(insee)) is not None else insee
                         for _, insee, _ in rows)
    by_school = Counter(name or "sans collège renseigné" for _, _, name in rows)
    placed = {student_id for student_id, _, _ in rows}
    groups = {"rural": [0, 0], "urban": [0, 0], "unknown": [0, 0]}
    for student_id, home in (await session.execute(select(Student.id, Student.home_commune_insee))).all():
        commune = communes.get(home) if home else None
        group = groups["unknown" if commune is None else "rural" if commune.rural else "urban"]
        group[0] += student_id in placed
        group[1] += 1

    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    def pair(group: str) -> tuple[int, int]:
        placed_there, living_there = groups[group]
        return placed_there, living_there
    return Figures(ranked(by_commune), ranked(by_school), pair("rural"), pair("urban"), pair("unknown"))
