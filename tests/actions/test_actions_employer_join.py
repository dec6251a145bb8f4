"""Joining a company already on Tremplin, as the people involved live it: the newcomer waits and sees
no application; an existing contact (or the Tremplin team) accepts or refuses with a button or by
typing the code; nobody else can answer; the newcomer is told either way."""
from __future__ import annotations

from sqlalchemy import select

from actions.employer_applications import ActionAcceptApplication, ActionDeclineApplication, ActionReviewApplications
from actions.employer_register import ActionRegisterCompany
from actions.moderation import ActionModerationQueue
from tests.support.actions import chat_user, run, tracker, use_engine
from tests.support.employer import FILLED, account_id, employer_sender, entity
from tremplin.db import session_scope
from tremplin.models import Account, Employer, EmployerJoinRequest, JoinStatus, Notification, Role


async def _newcomer(engine, employer_id: int, name: str = "join-new") -> tuple[str, str]:
    """A chat that registers with the SIRET of `employer_id`; returns (sender id, request code)."""
    sender = await chat_user(engine, name)
    async with session_scope(engine) as s:
        employer = await s.get(Employer, employer_id)
        slots = {**FILLED, "company_siret": employer.siret, "company_name": employer.name,
                 "company_contact": "Paul Dupont", "company_phone": "06 11 22 33 44", "company_confirm": True}
    await run(ActionRegisterCompany(), tracker(sender, slots=slots))
    async with session_scope(engine) as s:
        request = await s.scalar(select(EmployerJoinRequest).where(
            EmployerJoinRequest.account_id == await account_id(engine, sender)))
    return sender, request.public_code


def _press(sender: str, intent: str, code: str):
    return tracker(sender, text=f'/{intent}{{"code": "{code}"}}', intent=intent, entities=[entity("code", code)])


async def _answers(engine, sender: str) -> list[str]:
    async with session_scope(engine) as s:
        rows = await s.scalars(select(Notification).where(
            Notification.recipient_account_id == await account_id(engine, sender),
            Notification.kind == "employer_join_answered"))
        return [n.payload["message"] for n in rows]


async def test_waiting_newcomer_sees_no_application_until_a_contact_accepts(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    boss, employer_id = await employer_sender(engine, "join-boss", company="Garage Dupont")
    newcomer, code = await _newcomer(engine, employer_id)

    out = await run(ActionReviewApplications(), tracker(newcomer, intent="review_applications"))
    assert "attend l'accord" in out.text and code in out.text and "Candidature" not in out.text

    out = await run(ActionReviewApplications(), tracker(boss, intent="review_applications"))
    assert f"Demande {code} : Paul Dupont souhaite devenir contact" in out.text
    accept = next(b for b in out.buttons if b["title"] == "Accepter")
    assert code in accept["payload"] and accept["payload"].startswith("/accept_application")

    out = await run(ActionAcceptApplication(), _press(boss, "accept_application", code))
    assert "Paul Dupont est maintenant contact de Garage Dupont" in out.text
    async with session_scope(engine) as s:
        account = await s.get(Account, await account_id(engine, newcomer))
        assert (account.employer_id, account.role) == (employer_id, Role.EMPLOYER)
    assert any("vous êtes maintenant contact de Garage Dupont" in m for m in await _answers(engine, newcomer))
    out = await run(ActionReviewApplications(), tracker(newcomer, intent="review_applications"))
    assert "Aucune candidature en attente" in out.text

    out = await run(ActionAcceptApplication(), _press(boss, "accept_application", code))
    assert "déjà reçu une réponse" in out.text


async def test_a_typed_refusal_keeps_nothing_about_the_stranger(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    boss, employer_id = await employer_sender(engine, "join-boss-2", company="Ferme des Tilleuls")
    newcomer, code = await _newcomer(engine, employer_id, "join-stranger")
    typed = f"refuser {code.lower()} je ne connais pas cette personne"
    out = await run(ActionDeclineApplication(), tracker(boss, text=typed, intent="decline_application"))
    assert f"Demande {code} refusée" in out.text
    async with session_scope(engine) as s:
        request = await s.scalar(select(EmployerJoinRequest).where(EmployerJoinRequest.public_code == code))
        account = await s.get(Account, await account_id(engine, newcomer))
    assert request.status is JoinStatus.REFUSED and (request.contact_name, request.contact_phone) == (None, None)
    assert account.employer_id is None
    assert any("n'a pas été acceptée" in m for m in await _answers(engine, newcomer))
    # Registering again does not pester the company a second time.
    async with session_scope(engine) as s:
        siret = (await s.get(Employer, employer_id)).siret
    out = await run(ActionRegisterCompany(), tracker(newcomer, slots={**FILLED, "company_siret": siret,
                                                                      "company_confirm": True}))
    assert "a été refusée" in out.text


async def test_only_the_company_or_the_team_can_answer(engine, monkeypatch):
    use_engine(engine, monkeypatch)
    _, employer_id = await employer_sender(engine, "join-boss-3", company="Pharmacie du Centre")
    other_boss, _ = await employer_sender(engine, "join-other", company="Autre SARL")
    newcomer, code = await _newcomer(engine, employer_id, "join-self")

    out = await run(ActionAcceptApplication(), _press(other_boss, "accept_application", code))
    assert "Je ne trouve pas cette demande" in out.text
    out = await run(ActionAcceptApplication(), _press(newcomer, "accept_application", code))
    assert "Je ne trouve pas cette demande" in out.text
    async with session_scope(engine) as s:
        request = await s.scalar(select(EmployerJoinRequest).where(EmployerJoinRequest.public_code == code))
    assert request.status is JoinStatus.PENDING


async def test_the_team_answers_when_nobody_at_the_company_can(engine, monkeypatch):
    """Demo companies (and companies whose contact left) have nobody to ask: the admins are."""
    use_engine(engine, monkeypatch)
    admin = await chat_user(engine, "join-admin")
    async with session_scope(engine) as s:
        (await s.get(Account, await account_id(engine, admin))).role = Role.ADMIN
        employer = Employer(siret="73282932000074", name="Menuiserie Blanc", commune_insee="42094")
        s.add(employer)
        await s.flush()
        employer_id = employer.id
    newcomer, code = await _newcomer(engine, employer_id, "join-alone")
    async with session_scope(engine) as s:
        note = await s.scalar(select(Notification).where(Notification.kind == "employer_join_request"))
    assert note.recipient_account_id == await account_id(engine, admin)

    out = await run(ActionModerationQueue(), tracker(admin, intent="moderation_queue"))
    assert "1 demande(s) pour devenir contact" in out.text and "de Menuiserie Blanc" in out.text
    out = await run(ActionAcceptApplication(), _press(admin, "accept_application", code))
    assert "est maintenant contact de Menuiserie Blanc" in out.text
    async with session_scope(engine) as s:
        employer = await s.get(Employer, employer_id)
        account = await s.get(Account, await account_id(engine, newcomer))
    assert account.employer_id == employer_id
    assert (employer.contact_name, employer.contact_phone) == ("Paul Dupont", "06 11 22 33 44")
