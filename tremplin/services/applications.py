"""Applications: the anonymous candidacy of a student to an offer, and its checked state machine.

sent → seen → accepted / declined / withdrawn / expired; accepted → agreement pending → agreement
signed → done. Accepting takes a place with one conditional UPDATE, so two concurrent acceptances of
the last place cannot both win; the database's CHECK and partial unique index back the same rules.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import (
    PENDING_STATUSES, PLACED_STATUSES, Account, Application, ApplicationStatus, Offer, OfferPeriod,
    OfferStatus, ParentLink, Student, utcnow,
)
from tremplin.privacy.identifiers import random_code
from tremplin.privacy import Audience, Masked, mask
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError, Forbidden, NotFound
from tremplin.services.offers import give_place_back
from tremplin.services.outbox import enqueue

S = ApplicationStatus
MAX_PENDING = 5
MIN_MOTIVATION = 30
MAX_MOTIVATION = 1000

TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.SENT: frozenset({S.SEEN, S.ACCEPTED, S.DECLINED, S.WITHDRAWN, S.EXPIRED}),
    S.SEEN: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.AGREEMENT_PENDING, S.WITHDRAWN}),
    S.AGREEMENT_PENDING: frozenset({S.AGREEMENT_SIGNED, S.WITHDRAWN}),
    S.AGREEMENT_SIGNED: frozenset({S.DONE, S.WITHDRAWN}),
    S.DECLINED: frozenset(), S.WITHDRAWN: frozenset(), S.EXPIRED: frozenset(), S.DONE: frozenset(),
}

STATUS_WORDS = {
    S.SENT: "envoyée, pas encore lue", S.SEEN: "lue par l'employeur", S.ACCEPTED: "acceptée",
    S.DECLINED: "refusée", S.WITHDRAWN: "retirée", S.EXPIRED: "expirée (pas de réponse à temps)",
    S.AGREEMENT_PENDING: "acceptée, convention en cours de signature",
    S.AGREEMENT_SIGNED: "convention signée", S.DONE: "stage terminé",
}


def check_transition(current: ApplicationStatus, target: ApplicationStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise DomainError("application_transition",
                          f"Cette candidature est « {STATUS_WORDS[current]} » : elle ne peut plus passer à "
                          f"« {STATUS_WORDS[target]} ».")


def distance_band(km: float | None) -> str | None:
    if km is None:
        return None
    for limit, band in ((5, "moins de 5 km"), (15, "5 à 15 km"), (30, "15 à 30 km")):
        if km < limit:
            return band
    return "plus de 30 km"


def mask_motivation(text: str, first_name: str | None) -> Masked:
    """Mask first, then check the length of what the employer will actually read."""
    text = " ".join((text or "").split())
    if len(text) > MAX_MOTIVATION:
        raise DomainError("motivation_too_long", f"Ton message est trop long ({len(text)} caractères) : "
                          f"{MAX_MOTIVATION} au maximum.")
    masked = mask(text, Audience.PUPIL_TO_EMPLOYER, known_names=[first_name] if first_name else ())
    if len(masked.text) < MIN_MOTIVATION:
        raise DomainError("motivation_too_short", "Écris un peu plus (une ou deux phrases) : pourquoi ce "
                          "métier t'intéresse, ce que tu aimerais voir.")
    return masked


async def _pick_period(session: AsyncSession, offer: Offer, student: Student,
                       week_start: date | None, today: date) -> OfferPeriod:
    periods = list(await session.scalars(
        select(OfferPeriod).where(OfferPeriod.offer_id == offer.id).order_by(OfferPeriod.start_date)))
    wanted_start = week_start or student.stage_start
    wanted_end = (week_start + timedelta(days=6)) if week_start else student.stage_end
    for period in periods:
        if period.end_date < today:
            continue
        if wanted_start is None or (period.start_date <= (wanted_end or wanted_start)
                                    and period.end_date >= wanted_start):
            return period
    raise DomainError("no_matching_period", "Cette offre n'a pas de période qui correspond à ta semaine de stage.")


async def _new_public_code(session: AsyncSession) -> str:
    while True:
        code = "C-" + random_code(6)
        if await session.scalar(select(Application.id).where(Application.public_code == code)) is None:
            return code


async def employer_accounts(session: AsyncSession, employer_id: int) -> list[int]:
    return list(await session.scalars(select(Account.id).where(Account.employer_id == employer_id)))


async def parent_accounts(session: AsyncSession, student_id: int) -> list[int]:
    return list(await session.scalars(
        select(ParentLink.parent_account_id).where(ParentLink.student_id == student_id)))


# A refused application, in two wordings: before the pupil writes a word (check_can_apply, with what to
# do instead) and from apply() itself (short: only seen when something changed in between).
_BEFORE = {
    "offer_unavailable": "Cette offre n'est plus disponible (elle a été retirée ou fermée).",
    "offer_full": "Cette offre est complète : toutes les places sont déjà prises.",
    "already_applied": "Tu as déjà postulé à cette offre : regarde « mes candidatures » pour savoir où elle en est.",
    "too_many_pending": f"Tu as déjà {MAX_PENDING} candidatures en attente de réponse : c'est le maximum, pour "
                        "laisser leur chance aux autres élèves. Attends une réponse ou retires-en une avant d'en "
                        "envoyer une nouvelle.",
    "already_placed": "Tu as déjà un stage accepté pour cette semaine-là (candidature {placed}) : pas besoin "
                      "d'en demander un deuxième. Si tu veux changer, retire d'abord l'autre candidature.",
}
_AT_APPLY = {
    "offer_unavailable": "Cette offre n'est plus disponible.",
    "offer_full": "Cette offre est complète : toutes les places sont prises.",
    "already_applied": "Tu as déjà postulé à cette offre.",
    "too_many_pending": f"Tu as déjà {MAX_PENDING} candidatures en attente : attends une réponse ou retires-en une "
                        "avant d'en envoyer une autre.",
    "already_placed": "Tu as déjà un stage accepté pour cette semaine-là (candidature {placed}).",
}


async def _open_offer(session: AsyncSession, offer_id: int, words: dict[str, str]) -> Offer:
    offer = await session.scalar(select(Offer).where(Offer.id == offer_id))
    if offer is None or offer.status is not OfferStatus.PUBLISHED:
        raise NotFound("offer_unavailable", words["offer_unavailable"])
    if offer.places_left <= 0:
        raise DomainError("offer_full", words["offer_full"])
    return offer


async def _free_to_apply(session: AsyncSession, student: Student, offer: Offer, week_start: date | None,
                         today: date, words: dict[str, str]) -> OfferPeriod:
    """The pupil's own limits: one application an offer, MAX_PENDING waiting, one placement a week."""
    if await session.scalar(select(Application.id).where(
            Application.student_id == student.id, Application.offer_id == offer.id)) is not None:
        raise DomainError("already_applied", words["already_applied"])
    pending = await session.scalar(select(func.count()).select_from(Application).where(
        Application.student_id == student.id, Application.status.in_(PENDING_STATUSES))) or 0
    if pending >= MAX_PENDING:
        raise DomainError("too_many_pending", words["too_many_pending"])
    period = await _pick_period(session, offer, student, week_start, today)
    placed = await session.scalar(select(Application.public_code).where(
        Application.student_id == student.id, Application.status.in_(PLACED_STATUSES),
        Application.week_start <= period.end_date, Application.week_end >= period.start_date))
    if placed is not None:
        raise DomainError("already_placed", words["already_placed"].format(placed=placed))
    return period


async def check_can_apply(session: AsyncSession, student: Student, offer_id: int, week_start: date | None = None,
                          today: date | None = None) -> Offer:
    """Every rule apply() will apply, checked before the pupil writes a word (and again at the end)."""
    offer = await _open_offer(session, offer_id, _BEFORE)
    await _free_to_apply(session, student, offer, week_start, today or date.today(), _BEFORE)
    return offer


async def apply(session: AsyncSession, student: Student, offer_id: int, motivation: str, *,
                week_start: date | None = None, distance_km: float | None = None,
                today: date | None = None) -> Application:
    today = today or date.today()
    # Serialise this student's applications (PostgreSQL row lock; SQLite serialises writers anyway).
    await session.execute(select(Student.id).where(Student.id == student.id).with_for_update())
    offer = await _open_offer(session, offer_id, _AT_APPLY)
    text = mask_motivation(motivation, student.first_name).text
    period = await _free_to_apply(session, student, offer, week_start, today, _AT_APPLY)
    application = Application(public_code=await _new_public_code(session), student_id=student.id,
                              offer_id=offer.id, week_start=period.start_date, week_end=period.end_date,
                              distance_band=distance_band(distance_km), motivation=text)
    session.add(application)
    await session.flush()
    for account_id in await employer_accounts(session, offer.employer_id):
        await enqueue(session, account_id, "application_received", f"app:{application.public_code}:received:{account_id}",
                      code=application.public_code, offer_id=offer.id, offer_title=offer.title)
    audit(session, None, "application_sent", application.public_code, offer_id=offer.id)
    return application


async def _load_for_employer(session: AsyncSession, account: Account, code: str,
                             missing: str = "Je ne trouve pas cette candidature.") -> Application:
    application = await session.scalar(
        select(Application).join(Offer).where(Application.public_code == code.strip().upper()))
    if application is None or account.employer_id is None:
        raise NotFound("application_not_found", missing)
    offer = await session.get(Offer, application.offer_id)
    if offer is None or offer.employer_id != account.employer_id:
        # Same answer as a missing code: an employer learns nothing about other employers' applications.
        raise Forbidden("application_not_found", missing)
    return application


async def check_can_decline(session: AsyncSession, account: Account, code: str) -> Application:
    """Before the employer is asked for kind words: the application is theirs and still waits for an
    answer (decline() checks it again when it is sent)."""
    application = await _load_for_employer(session, account, code, "Je ne trouve pas cette candidature parmi "
                                           "celles de vos offres.")
    if application.status not in PENDING_STATUSES:
        raise DomainError("already_answered", f"Cette candidature est déjà « {STATUS_WORDS[application.status]} » : "
                          "il n'y a plus rien à y répondre.")
    return application


async def _set_status(session: AsyncSession, application: Application, target: ApplicationStatus,
                      **values: Any) -> None:
    """Conditional UPDATE: succeeds only if nobody changed the status since it was read."""
    check_transition(application.status, target)
    result = await session.execute(
        update(Application).where(Application.id == application.id,
                                  Application.status.in_([s for s, t in TRANSITIONS.items() if target in t]))
        .values(status=target, updated_at=utcnow(), **values).returning(Application.status))
    if result.first() is None:
        await session.refresh(application)
        raise DomainError("application_changed", "Cette candidature vient d'être traitée "
                          f"(elle est maintenant « {STATUS_WORDS[application.status]} »).")
    await session.refresh(application)


async def _notify_student_side(session: AsyncSession, application: Application, kind: str, **payload: Any) -> None:
    student = await session.get_one(Student, application.student_id)
    offer = await session.get_one(Offer, application.offer_id)
    recipients = [student.account_id, *await parent_accounts(session, student.id)]
    for account_id in recipients:
        await enqueue(session, account_id, kind, f"app:{application.public_code}:{kind}:{account_id}",
                      code=application.public_code, offer_id=offer.id, offer_title=offer.title,
                      week_start=application.week_start.isoformat(), **payload)


async def mark_seen(session: AsyncSession, account: Account, code: str) -> Application:
    application = await _load_for_employer(session, account, code)
    if application.status is S.SENT:
        await _set_status(session, application, S.SEEN, seen_at=utcnow())
    return application


async def accept(session: AsyncSession, account: Account, code: str) -> Application:
    application = await _load_for_employer(session, account, code)
    check_transition(application.status, S.ACCEPTED)
    taken = await session.execute(
        update(Offer).where(Offer.id == application.offer_id, Offer.places_left > 0)
        .values(places_left=Offer.places_left - 1).returning(Offer.places_left))
    row = taken.first()
    if row is None:
        raise DomainError("no_place_left", "Il n'y a plus de place sur cette offre : "
                          "cette candidature ne peut pas être acceptée.")
    try:
        async with session.begin_nested():
            await _set_status(session, application, S.ACCEPTED, decided_at=utcnow())
    except IntegrityError as exc:
        raise DomainError("student_already_placed", "Cet élève a déjà été accepté ailleurs pour cette "
                          "semaine.") from exc
    await _notify_student_side(session, application, "application_accepted")
    if row[0] == 0:
        await _tell_pending_offer_full(session, application.offer_id)
    audit(session, account.pseudonym, "application_accepted", application.public_code)
    return application


async def _tell_pending_offer_full(session: AsyncSession, offer_id: int) -> None:
    pending = await session.scalars(select(Application).where(
        Application.offer_id == offer_id, Application.status.in_(PENDING_STATUSES)))
    for other in pending:
        await _notify_student_side(session, other, "offer_full")


async def decline(session: AsyncSession, account: Account, code: str, message: str | None = None) -> Application:
    application = await _load_for_employer(session, account, code)
    kind_words = mask(" ".join(message.split()), Audience.EMPLOYER_TO_PUPILS).text[:500] if message else None
    await _set_status(session, application, S.DECLINED, decided_at=utcnow(), decline_message=kind_words)
    await _notify_student_side(session, application, "application_declined", message=kind_words)
    audit(session, account.pseudonym, "application_declined", application.public_code)
    return application


async def withdraw(session: AsyncSession, student: Student, code: str) -> Application:
    application = await session.scalar(select(Application).where(
        Application.public_code == code.strip().upper(), Application.student_id == student.id))
    if application is None:
        raise NotFound("application_not_found", "Je ne trouve pas cette candidature parmi les tiennes.")
    was_placed = application.status in PLACED_STATUSES
    await _set_status(session, application, S.WITHDRAWN)
    if was_placed:
        await give_place_back(session, application.offer_id)
    offer = await session.get_one(Offer, application.offer_id)
    for account_id in await employer_accounts(session, offer.employer_id):
        await enqueue(session, account_id, "application_withdrawn",
                      f"app:{application.public_code}:withdrawn:{account_id}",
                      code=application.public_code, offer_title=offer.title, was_accepted=was_placed)
    audit(session, None, "application_withdrawn", application.public_code)
    return application


async def advance_agreement(session: AsyncSession, code: str, target: ApplicationStatus) -> Application:
    """Move an accepted application through the agreement steps; every party is told."""
    if target not in (S.AGREEMENT_PENDING, S.AGREEMENT_SIGNED, S.DONE):
        raise DomainError("agreement_step", "Étape de convention inconnue.")
    application = await session.scalar(select(Application).where(Application.public_code == code))
    if application is None:
        raise NotFound("application_not_found", "Je ne trouve pas cette candidature.")
    await _set_status(session, application, target)
    await _notify_student_side(session, application, f"application_{target.value}")
    offer = await session.get_one(Offer, application.offer_id)
    for account_id in await employer_accounts(session, offer.employer_id):
        await enqueue(session, account_id, f"application_{target.value}",
                      f"app:{application.public_code}:{target.value}:{account_id}",
                      code=application.public_code, offer_title=offer.title)
    return application


async def expire_stale(session: AsyncSession, now: datetime | None = None, *,
                       remind_after: timedelta = timedelta(days=5),
                       expire_after: timedelta = timedelta(days=15)) -> tuple[int, int]:
    """Remind employers once after 5 days without answer; expire after 15. Returns (reminded, expired)."""
    now = now or utcnow()
    reminded = expired = 0
    stale = list(await session.scalars(select(Application).where(
        Application.status.in_(PENDING_STATUSES), Application.created_at <= now - remind_after)))
    for application in stale:
        if application.created_at <= now - expire_after:
            await _set_status(session, application, S.EXPIRED, decided_at=now)
            await _notify_student_side(session, application, "application_expired")
            expired += 1
        elif application.reminded_at is None:
            application.reminded_at = now
            offer = await session.get_one(Offer, application.offer_id)
            for account_id in await employer_accounts(session, offer.employer_id):
                await enqueue(session, account_id, "application_reminder",
                              f"app:{application.public_code}:reminder:{account_id}",
                              code=application.public_code, offer_title=offer.title)
            reminded += 1
    return reminded, expired
