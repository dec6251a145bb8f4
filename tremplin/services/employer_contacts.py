"""Joining a company already on Tremplin. A SIRET is printed on every invoice, so knowing it proves
nothing: the newcomer only becomes a contact — and sees minors' anonymous applications — once an
existing contact of the company (or the Tremplin team) approves the request."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tremplin.models import Account, Employer, EmployerJoinRequest, JoinStatus, Role, utcnow
from tremplin.privacy.identifiers import find_join_code, new_join_code
from tremplin.services.audit import audit
from tremplin.services.errors import DomainError, Forbidden, NotFound
from tremplin.services.outbox import enqueue

log = logging.getLogger(__name__)



@dataclass
class JoinDecision:
    request: EmployerJoinRequest
    employer: Employer
    approved: bool


def join_code_in(text: str | None) -> str | None:
    """"accepter j-4k8mqz" → "J-4K8MQZ"; None when the text holds no join-request code."""
    return find_join_code(text)


async def _new_code(session: AsyncSession) -> str:
    while True:
        code = new_join_code()
        if await session.scalar(select(EmployerJoinRequest.id).where(EmployerJoinRequest.public_code == code)) is None:
            return code


async def _approvers(session: AsyncSession, employer_id: int) -> tuple[list[int], list[int]]:
    """(real contacts of the company, admins). Demo accounts are nobody's phone: they cannot approve."""
    contacts = list(await session.scalars(select(Account.id).where(
        Account.employer_id == employer_id, Account.is_demo.is_(False))))
    admins = list(await session.scalars(select(Account.id).where(Account.role == Role.ADMIN)))
    return contacts, admins


async def pending_request_of(session: AsyncSession, account: Account) -> tuple[EmployerJoinRequest, Employer] | None:
    row = (await session.execute(
        select(EmployerJoinRequest, Employer).join(Employer, EmployerJoinRequest.employer_id == Employer.id)
        .where(EmployerJoinRequest.account_id == account.id, EmployerJoinRequest.status == JoinStatus.PENDING)
        .order_by(EmployerJoinRequest.id.desc()))).first()
    return (row[0], row[1]) if row else None


async def pending_requests_for(session: AsyncSession, employer_id: int | None = None) -> list[EmployerJoinRequest]:
    """Requests waiting for an answer, oldest first: one company's, or every company's (the team's view)."""
    stmt = (select(EmployerJoinRequest).where(EmployerJoinRequest.status == JoinStatus.PENDING)
            .order_by(EmployerJoinRequest.created_at, EmployerJoinRequest.id))
    if employer_id is not None:
        stmt = stmt.where(EmployerJoinRequest.employer_id == employer_id)
    return list(await session.scalars(stmt))


def waiting_message(request: EmployerJoinRequest, employer: Employer) -> str:
    return (f"Votre demande pour devenir contact de {employer.name} (n° {request.public_code}) attend l'accord "
            "d'un contact actuel de l'entreprise ou de l'équipe Tremplin. Je vous préviens dès qu'elle est "
            "acceptée ; vous pourrez alors publier des offres et répondre aux candidatures.")


async def request_to_join(session: AsyncSession, account: Account, employer: Employer, contact: str,
                          phone: str) -> tuple[EmployerJoinRequest, str]:
    """Record (or find) this account's request and ask the company's contacts — or the team — to answer."""
    earlier = await session.scalar(select(EmployerJoinRequest).where(
        EmployerJoinRequest.account_id == account.id, EmployerJoinRequest.employer_id == employer.id,
        EmployerJoinRequest.status.in_((JoinStatus.PENDING, JoinStatus.REFUSED))))
    if earlier is not None and earlier.status is JoinStatus.REFUSED:
        raise DomainError("join_refused", f"Votre demande pour rejoindre {employer.name} a été refusée. Si c'est "
                          "une erreur, écrivez « parler à quelqu'un » : l'équipe Tremplin vérifiera avec vous.")
    if earlier is not None:
        return earlier, waiting_message(earlier, employer)
    request = EmployerJoinRequest(public_code=await _new_code(session), employer_id=employer.id,
                                  account_id=account.id, contact_name=contact, contact_phone=phone)
    session.add(request)
    account.role = Role.EMPLOYER
    await session.flush()
    contacts, admins = await _approvers(session, employer.id)
    ask = (f"🔐 {contact} demande à devenir contact de {employer.name} sur Tremplin (demande {request.public_code}). "
           "Un contact voit les offres et les candidatures des élèves de l'entreprise. Connaissez-vous cette "
           f"personne ? Répondez « accepter {request.public_code} » ou « refuser {request.public_code} » "
           "(ou ouvrez « voir les candidatures »).")
    # Contacts first; the team steps in when nobody at the company can answer.
    for recipient in contacts or admins:
        await enqueue(session, recipient, "employer_join_request", f"join:{request.id}:ask:{recipient}",
                      code=request.public_code, employer_name=employer.name, message=ask)
    if not contacts and not admins:
        log.error("join request %s for employer %s has nobody to approve it", request.id, employer.id)
    audit(session, account.pseudonym, "employer_join_requested", f"employer:{employer.id}", code=request.public_code)
    return request, waiting_message(request, employer)


async def decide_join_request(session: AsyncSession, actor: Account, code: str, approve: bool) -> JoinDecision:
    """A contact of the company or an admin answers; the first answer wins (conditional UPDATE)."""
    request = await session.scalar(select(EmployerJoinRequest).where(EmployerJoinRequest.public_code == code.upper()))
    is_admin = actor.role is Role.ADMIN
    if request is None or not (is_admin or actor.employer_id == request.employer_id):
        raise NotFound("join_not_found", "Je ne trouve pas cette demande parmi celles de votre entreprise.")
    if actor.id == request.account_id:
        raise Forbidden("join_self", "Vous ne pouvez pas valider votre propre demande.")
    employer = await session.get_one(Employer, request.employer_id)
    if request.status is not JoinStatus.PENDING:
        raise DomainError("join_decided", f"La demande {request.public_code} a déjà reçu une réponse.")
    requester = await session.get(Account, request.account_id)
    if approve and (requester is None or requester.role not in (None, Role.EMPLOYER)
                    or requester.employer_id not in (None, employer.id)):
        approve = False  # the person has since become a student, a parent, or another company's contact
    target = JoinStatus.APPROVED if approve else JoinStatus.REFUSED
    done = await session.execute(
        update(EmployerJoinRequest)
        .where(EmployerJoinRequest.id == request.id, EmployerJoinRequest.status == JoinStatus.PENDING)
        .values(status=target, decided_by=actor.pseudonym, decided_at=utcnow())
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE/DELETE gives a CursorResult; the stubs say Result
        raise DomainError("join_decided", f"La demande {request.public_code} a déjà reçu une réponse.")
    await session.refresh(request)
    if approve and requester is not None:  # approve is still True only for a requester that exists
        requester.employer_id, requester.role = employer.id, Role.EMPLOYER
        if employer.contact_name is None and employer.contact_phone is None:
            employer.contact_name, employer.contact_phone = request.contact_name, request.contact_phone
        message = (f"✅ Bonne nouvelle : vous êtes maintenant contact de {employer.name} sur Tremplin. Vous pouvez "
                   "publier des offres (« publier une offre ») et répondre aux candidatures (« voir les "
                   "candidatures »).")
    else:
        request.contact_name = request.contact_phone = None  # nothing kept about a refused stranger
        message = (f"Votre demande pour devenir contact de {employer.name} n'a pas été acceptée. Si c'est une "
                   "erreur, rapprochez-vous de votre entreprise ou écrivez « parler à quelqu'un ».")
    await enqueue(session, request.account_id, "employer_join_answered", f"join:{request.id}:answer",
                  code=request.public_code, employer_name=employer.name, approved=approve, message=message)
    audit(session, actor.pseudonym, "employer_join_approved" if approve else "employer_join_refused",
          f"employer:{employer.id}", code=request.public_code)
    return JoinDecision(request, employer, approve)
