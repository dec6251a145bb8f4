"""The user's rights over their data (RGPD): see everything stored about them, and really delete it.

Deletion is real: rows are removed, not flagged. What stays is what others legitimately hold — the
employer's notice that an application was withdrawn, a company that other contacts still run — and
audit entries, which only ever name the random pseudonym. What the user typed goes everywhere it
was kept: their conversation in Rasa's tracker store (an outbox job, see services/retention.py),
the texts of their problem reports, and the excerpts of it queued for the team."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.dates.period import french_date
from tremplin.geography.communes import commune_label
from tremplin.models import (
    PENDING_STATUSES, Account, Application, ApplicationStatus, AuditEntry, ChannelIdentity, CodeAttempt, Employer,
    EmployerJoinRequest, JoinStatus, Notification, Offer, ParentLink, ParentLinkCode, ProblemReport, Role, School,
    SchoolClass, Student, utcnow,
)
from tremplin.services import turn_results
from tremplin.services.applications import STATUS_WORDS, withdraw
from tremplin.services.audit import audit
from tremplin.services.moderation import withdraw_employer_offers
from tremplin.services.offers import label as offer_label
from tremplin.services.outbox import enqueue, enqueue_job
from tremplin.services.retention import ERASE_DELAY, ERASE_KIND, conversation_kept_until, school_year_end
from tremplin.tone import says_tu

ROLE_WORDS = {Role.STUDENT: "élève", Role.EMPLOYER: "employeur", Role.PARENT: "parent",
              Role.TEACHER: "professeur", Role.ADMIN: "administrateur"}
REPORT_ERASED = "[texte effacé à la demande de son auteur]"
WITHDRAWABLE = (*PENDING_STATUSES, ApplicationStatus.ACCEPTED, ApplicationStatus.AGREEMENT_PENDING,
                ApplicationStatus.AGREEMENT_SIGNED)


def _commune(insee: str | None) -> str:
    return commune_label(insee, missing="non renseignée")


async def _student_lines(session: AsyncSession, student: Student) -> list[str]:
    lines = [f"Prénom : {student.first_name or 'non renseigné'}",
             f"Commune de domicile : {_commune(student.home_commune_insee)}"]
    if student.birth_date:
        lines.append(f"Date de naissance : {student.birth_date:%d/%m/%Y}")
    if student.class_id:
        row = (await session.execute(select(SchoolClass.name, School.name).join(School)
                                     .where(SchoolClass.id == student.class_id))).first()
        if row:
            lines.append(f"Classe : {row[0]} — {row[1]}")
    if student.stage_start:
        lines.append(f"Semaine de stage : du {french_date(student.stage_start, year=False)} au "
                     f"{french_date(student.stage_end or student.stage_start, year=False)}")
    apps = (await session.execute(select(Application, Offer.title).join(Offer)
                                  .where(Application.student_id == student.id).order_by(Application.id))).all()
    lines.append(f"Candidatures : {len(apps)}")
    for app, title in apps:
        lines.append(f"  - {app.public_code} « {title} » ({STATUS_WORDS[app.status]}) — ton message : "
                     f"« {app.motivation} »")
    links = len(list(await session.scalars(select(ParentLink.id).where(ParentLink.student_id == student.id))))
    codes = len(list(await session.scalars(select(ParentLinkCode.id).where(ParentLinkCode.student_id == student.id))))
    lines.append(f"Parents reliés : {links} (codes parent créés : {codes}, gardés seulement sous forme chiffrée)")
    return lines


def _kept_lines(tu: bool, applications: bool, now: datetime) -> list[str]:
    """How long each kind of data is kept (services/retention.py applies these rules)."""
    until = french_date(conversation_kept_until(now))
    if tu:
        lines = ["Combien de temps c'est gardé :",
                 f"  - notre conversation (ce que tu m'écris) : jusqu'au {until} si tu ne m'écris plus d'ici là "
                 "(chaque message repousse la date), puis elle est effacée ;"]
        if applications:
            lines.append("  - les messages de tes candidatures : jusqu'à la fin de l'année scolaire "
                         f"({french_date(school_year_end(now.date()))}), puis ils sont effacés ;")
        return lines + ["  - ton compte : jusqu'à ce que tu demandes sa suppression."]
    lines = ["Combien de temps c'est gardé :",
             f"  - notre conversation (ce que vous m'écrivez) : jusqu'au {until} si vous ne m'écrivez plus "
             "d'ici là (chaque message repousse la date), puis elle est effacée ;"]
    if applications:
        lines.append("  - les messages des candidatures (celui de l'élève, votre réponse) : jusqu'à la fin de "
                     f"l'année scolaire ({french_date(school_year_end(now.date()))}), puis ils sont effacés ;")
    return lines + ["  - votre compte : jusqu'à ce que vous demandiez sa suppression."]


async def show_my_data(session: AsyncSession, account: Account, now: datetime | None = None) -> str:
    """Everything stored about this account and until when, in French (« tu » or « vous »: tremplin.tone)."""
    student = await session.scalar(select(Student).where(Student.account_id == account.id))
    tu = says_tu(account.role)
    lines = ["Voici tout ce que Tremplin garde sur " + ("toi :" if tu else "vous :"),
             f"Rôle : {ROLE_WORDS[account.role] if account.role is not None else 'pas encore choisi'}",
             f"Pseudonyme interne (utilisé dans le journal de sécurité) : {account.pseudonym}",
             f"Compte créé le {account.created_at:%d/%m/%Y}"]
    if student is not None:
        lines += await _student_lines(session, student)
    children = len(list(await session.scalars(select(ParentLink.id).where(ParentLink.parent_account_id == account.id))))
    if children:
        lines.append(f"Enfants suivis : {children}")
    if account.employer_id:
        employer = await session.get_one(Employer, account.employer_id)
        lines.append(f"Entreprise : {employer.name} (SIRET {employer.siret}), {_commune(employer.commune_insee)}")
        lines.append(f"Contact affiché aux élèves acceptés : {employer.contact_name or '-'}, "
                     f"{employer.contact_phone or '-'}, {employer.contact_email or '-'}")
        for offer in await session.scalars(select(Offer).where(Offer.employer_id == employer.id).order_by(Offer.id)):
            lines.append(f"  - offre « {offer.title} » ({offer_label(offer.status)}, "
                         f"{offer.places_left}/{offer.capacity} places libres)")
    classes = list(await session.execute(select(SchoolClass.name, SchoolClass.teacher_contact)
                                         .where(SchoolClass.teacher_account_id == account.id)))
    if classes:
        lines.append("Classes suivies : " + ", ".join(name for name, _ in classes))
        contacts = sorted({contact for _, contact in classes if contact})
        if contacts:
            lines.append("Contact donné aux entreprises qui acceptent un élève : " + " ; ".join(contacts))
    for request in await session.scalars(select(EmployerJoinRequest).where(
            EmployerJoinRequest.account_id == account.id, EmployerJoinRequest.status == JoinStatus.PENDING)):
        lines.append(f"Demande pour devenir contact d'une entreprise ({request.public_code}, en attente) : "
                     f"{request.contact_name or '-'}, {request.contact_phone or '-'}")
    reports = len(list(await session.scalars(select(ProblemReport.id).where(
        ProblemReport.reporter_account_id == account.id))))
    if reports:
        lines.append(f"Signalements envoyés : {reports}")
    lines.append("Ton identifiant de messagerie n'est jamais gardé en clair : seulement une empreinte chiffrée "
                 "(pour te reconnaître) et une adresse scellée (pour t'envoyer les réponses)." if tu else
                 "Votre identifiant de messagerie n'est jamais gardé en clair : seulement une empreinte chiffrée "
                 "(pour vous reconnaître) et une adresse scellée (pour vous envoyer les messages).")
    lines += _kept_lines(tu, student is not None or account.employer_id is not None, now or utcnow())
    lines.append("Pour tout effacer, demande « supprimer mes données »." if tu
                 else "Pour tout effacer, demandez « supprimer mes données ».")
    return "\n".join(lines)


async def _delete_student(session: AsyncSession, student: Student, pseudonym: str) -> int:
    apps = list(await session.scalars(select(Application).where(
        Application.student_id == student.id, Application.status.in_(WITHDRAWABLE))))
    for app in apps:  # employers are told and accepted places given back, before the rows go
        await withdraw(session, student, app.public_code)
    for link in await session.scalars(select(ParentLink).where(ParentLink.student_id == student.id)):
        await enqueue(session, link.parent_account_id, "child_account_deleted", f"child-deleted:{link.id}",
                      message="Votre enfant a supprimé son compte Tremplin : le suivi de ses candidatures "
                              "s'arrête ici.")
    await session.execute(delete(Application).where(Application.student_id == student.id))
    await session.execute(delete(ParentLinkCode).where(ParentLinkCode.student_id == student.id))
    await session.execute(delete(ParentLink).where(ParentLink.student_id == student.id))
    await session.execute(update(AuditEntry).where(AuditEntry.target == f"student:{student.id}")
                          .values(target=f"account:{pseudonym}"))
    await session.execute(delete(Student).where(Student.id == student.id))
    return len(apps)


async def _leave_employer(session: AsyncSession, account: Account) -> None:
    """The company stays while other contacts run it; otherwise its offers close and contacts are cleared."""
    employer = await session.get_one(Employer, account.employer_id)
    others = list(await session.scalars(select(Account.id).where(
        Account.employer_id == employer.id, Account.id != account.id)))
    if others:
        return
    done = await withdraw_employer_offers(session, employer.id)
    employer.contact_name = employer.contact_phone = employer.contact_email = None
    admins = list(await session.scalars(select(Account.id).where(Account.role == Role.ADMIN)))
    for admin_id in admins if done.placed_codes else []:
        await enqueue(session, admin_id, "employer_left", f"employer:{employer.id}:left:{account.pseudonym}:{admin_id}",
                      employer_id=employer.id, placed_codes=done.placed_codes,
                      message=f"Le dernier contact de {employer.name} a supprimé son compte alors que des élèves "
                              f"y sont acceptés ({', '.join(done.placed_codes)}) : à appeler.")


async def _reword(session: AsyncSession, key_patterns: list[str], message: str) -> None:
    """Queued or sent notifications to others that quote the user: keep the row, drop the quote."""
    if not key_patterns:
        return
    for row in await session.scalars(select(Notification).where(
            or_(*[Notification.idempotency_key.like(pattern) for pattern in key_patterns]))):
        payload = {key: value for key, value in (row.payload or {}).items()
                   if key not in ("excerpt", "message", "contact_name", "contact_phone")}
        row.payload = {**payload, "message": message}


async def _erase_typed_texts(session: AsyncSession, account: Account, student: Student | None) -> None:
    """Problem reports stay (the team must still see that an offer or a company was reported) but
    without their author or their text; what the team, a company or a teacher was sent quoting
    this user (excerpts, name and phone of a join request, the pupil's first name) goes too."""
    report_ids = list(await session.scalars(select(ProblemReport.id).where(
        ProblemReport.reporter_account_id == account.id)))
    await session.execute(update(ProblemReport).where(ProblemReport.id.in_(report_ids))
                          .values(reporter_account_id=None, text=REPORT_ERASED))
    for report_id in report_ids:
        await _reword(session, [f"report:{report_id}:%"],
                      f"Signalement n° {report_id} : son auteur a supprimé son compte, son texte est effacé. "
                      "L'offre ou l'entreprise signalée reste indiquée dans la file de modération.")
    await _reword(session, [f"handoff:{account.id}:%"],
                  "Une personne a demandé à parler à quelqu'un de l'équipe Tremplin, puis a supprimé son "
                  "compte : il n'y a plus personne à recontacter.")
    for request_id, code in await session.execute(select(EmployerJoinRequest.id, EmployerJoinRequest.public_code)
                                                   .where(EmployerJoinRequest.account_id == account.id)):
        await _reword(session, [f"join:{request_id}:%"],
                      f"La demande {code} pour devenir contact de l'entreprise est retirée : la personne a "
                      "supprimé son compte. Rien n'est à faire.")
    codes = list(await session.scalars(select(Application.public_code).where(
        Application.student_id == student.id))) if student is not None else []
    for code in codes:
        await _reword(session, [f"app:{code}:agreement-contact:%"],
                      f"L'élève de la candidature {code} a supprimé son compte : la convention de stage n'est "
                      "plus à préparer.")


async def delete_my_data(session: AsyncSession, account: Account) -> str:
    """Really delete the account; the same chat then starts over as a brand-new user."""
    await session.flush()
    pseudonym, tu = account.pseudonym, says_tu(account.role)
    student = await session.scalar(select(Student).where(Student.account_id == account.id))
    await _erase_typed_texts(session, account, student)
    withdrawn = await _delete_student(session, student, pseudonym) if student is not None else 0
    if account.employer_id is not None:
        await _leave_employer(session, account)
    await session.execute(delete(ParentLink).where(ParentLink.parent_account_id == account.id))
    await session.execute(update(SchoolClass).where(SchoolClass.teacher_account_id == account.id)
                          .values(teacher_account_id=None, teacher_contact=None))
    await session.execute(delete(EmployerJoinRequest).where(EmployerJoinRequest.account_id == account.id))
    await session.execute(delete(CodeAttempt).where(CodeAttempt.account_id == account.id))
    await session.execute(delete(Notification).where(Notification.recipient_account_id == account.id))
    senders = list(await session.scalars(select(ChannelIdentity.external_hash).where(
        ChannelIdentity.account_id == account.id)))
    await turn_results.forget(session, senders)
    due = utcnow() + ERASE_DELAY
    await enqueue_job(session, ERASE_KIND, f"erase:{pseudonym}", due, senders=senders, up_to=due.isoformat())
    await session.execute(delete(ChannelIdentity).where(ChannelIdentity.account_id == account.id))
    await session.execute(delete(Account).where(Account.id == account.id))
    for obj in (student, account):
        if obj is not None and obj in session:
            session.expunge(obj)
    audit(session, pseudonym, "account_deleted", None, applications_withdrawn=withdrawn)
    await session.flush()
    if tu:
        return ("C'est fait : toutes tes données sont effacées de Tremplin. Si tu nous réécris, tu "
                "repartiras de zéro, comme un nouvel utilisateur.")
    return ("C'est fait : toutes vos données sont effacées de Tremplin. Si vous nous réécrivez, vous "
            "repartirez de zéro, comme un nouvel utilisateur.")
