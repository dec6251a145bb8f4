"""Whole conversations through the real Rasa server (trained model) and the real action server,
on the demo data: what a student, an employer and a parent actually read, in order."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.support.stack import Stack, open_chat, require_stack, start_stack
from tremplin.db import session_scope
from tremplin.models import (Account, Application, ApplicationStatus, Employer, Notification, Offer,
                             OfferStatus, Role)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_stack()
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


async def test_student_applies_parent_links_employer_accepts_and_everyone_is_told(stack):
    student, c1, engine = await open_chat(stack, "student-e2e")
    parent, c2, _ = await open_chat(stack, "parent-e2e")
    boss, c3, _ = await open_chat(stack, "employer-e2e")
    clients = [c1, c2, c3]
    try:
        # The student: role, class code, a search in SMS French, widening, applying anonymously.
        assert "qui vous êtes" in await student.say("/greet")
        assert "tu es élève" in await student.press("élève")
        assert "3e A" in await student.say("mon code de classe c'est FEURS-3A")
        first = await student.say("je cherche un stage dans la santé")
        assert "30 km" in first
        results = await student.press("30 km")
        assert "Montbrison (42)" in results and "places restantes" in results
        assert "rue" not in results  # the street address stays private before an acceptance
        asked = await student.press("Postuler")
        assert "anonyme" in asked
        preview = await student.say("J'aimerais voir comment on soigne les gens, je m'appelle Léa et mon "
                                    "num c'est 06 12 34 56 78")
        assert "[numéro masqué]" in preview and "06 12" not in preview and "Léa" not in preview
        assert "(1 nom et 1 numéro)" in preview  # the preview says what was hidden
        sent = await student.say("oui")
        code = sent.split("candidature ", 1)[1].split()[0]
        assert code.startswith("C-")
        assert code in await student.say("g eu des reponses ?")
        invite = await student.say("je veux que ma mère puisse suivre mes candidatures")
        link_code = invite.split("code parent : ", 1)[1].split()[0]

        # The parent links with the code and sees the status in plain words.
        await parent.say("/greet")
        await parent.press("parent")
        await parent.say("/link_child")
        assert "relié" in await parent.say(link_code)
        status = await parent.say("est ce que mon fils a eu des réponses ?")
        assert code in status and "en attente" in status

        # A colleague at the host company registers with its (public) SIRET: they must wait for the
        # company's current contact to vouch for them before seeing any application.
        async with session_scope(engine) as s:
            siret = await s.scalar(select(Employer.siret).join(Offer).join(Application)
                                   .where(Application.public_code == code))
        await boss.say("/greet")
        await boss.press("entreprise")
        assert "SIRET" in await boss.say("je voudrais inscrire mon entreprise")
        assert "14 chiffres" in await boss.say("123 456 789")
        assert "déjà inscrite" in await boss.say(siret)
        await boss.say("Claire Martin")
        await boss.say("04 77 12 34 56")
        await boss.press("accepte")
        assert "attend l'accord" in await boss.say("oui")
        waiting = await boss.say("voir les candidatures")
        assert "attend l'accord" in waiting and code not in waiting

        current, c4, _ = await open_chat(stack, f"employer:{siret}", channel="demo")
        clients.append(c4)
        asked = await current.say("je veux voir les candidatures reçues")
        assert "Claire Martin souhaite devenir contact" in asked
        assert "maintenant contact" in await current.press("Accepter")

        review = await boss.say("voir les candidatures")
        assert "Candidature C-" in review and "Léa" not in review and "anonyme" in review
        accepted = await boss.say(f"j'accepte la candidature {code}")
        assert "accepté" in accepted and "Collège des Sources du Forez" in accepted

        async with session_scope(engine) as s:
            status_now = await s.scalar(select(Application.status).where(Application.public_code == code))
            told = set((await s.execute(
                select(Notification.kind, Account.role).join(Account, Account.id == Notification.recipient_account_id)
                .where(Notification.payload["code"].as_string() == code))).all())
        assert status_now is ApplicationStatus.ACCEPTED
        assert {("application_accepted", Role.STUDENT), ("application_accepted", Role.PARENT)} <= told
    finally:
        for client in clients:
            await client.close()
        await engine.dispose()


async def test_an_employer_registers_and_publishes_an_offer(stack):
    chat, client, engine = await open_chat(stack, "new-employer-e2e")
    try:
        await chat.say("/greet")
        await chat.press("entreprise")
        await chat.say("je voudrais inscrire mon entreprise")
        await chat.say("443 061 841 00047")
        # Names and addresses that look like places never move the company or the offer elsewhere.
        assert "commune" in await chat.say("Garage Dupain de Roanne")
        assert "Qui accueillera" in await chat.say("Feurs")
        await chat.say("Claire Montbrison")
        charter = await chat.say("04 77 12 34 56")
        assert "30 heures" in charter and "dangereu" in charter
        recap = await chat.press("accepte")
        assert "entreprise : Garage Dupain de Roanne" in recap and "commune : Feurs (42)" in recap
        assert "Garage Dupain de Roanne" in await chat.say("oui")
        steps = ["/publish_offer", "mécanicien automobile", "Découverte de l'atelier",
                 "Diagnostic, vidange et pneus avec un mécanicien, un coup d'oeil à la carrosserie, le 8 mars "
                 "la visite d'un fournisseur.", "Feurs", "12 rue de Roanne"]
        for text in steps:
            await chat.say(text)
        refused = await chat.say("du 6 au 10 janvier 2020")
        assert "pass" in refused  # a past period is refused with its reason
        await chat.say("la semaine du 8 mars")
        assert "1 à 10" in await chat.say("50")
        await chat.say("2")
        await chat.press("machines")
        await chat.press("C'est tout")
        preview = await chat.press("arrêt de bus")
        assert "Découverte de l'atelier" in preview and "relue" in preview
        done = await chat.press("Oui, publier")
        assert "attente de validation" in done
        async with session_scope(engine) as s:
            offer = await s.scalar(select(Offer).where(Offer.title == "Découverte de l'atelier"))
        assert offer.status is OfferStatus.PENDING_REVIEW and offer.capacity == 2
        # Words of the description or the address (a trade, a date, a town) never changed other answers.
        assert offer.street_address == "12 rue de Roanne" and offer.commune_insee == "42094"  # Feurs
        assert "canicien" in offer.metier_label and "carross" not in offer.metier_label.lower()
        async with session_scope(engine) as s:
            employer = await s.get(Employer, offer.employer_id)
        assert (employer.name, employer.commune_insee) == ("Garage Dupain de Roanne", "42094")
    finally:
        await client.close()
        await engine.dispose()


async def test_typed_intent_payloads_are_not_trusted(stack):
    """A user typing `/accept_application{"code": …}` reaches Rasa only through the gateway, which
    never forwards it as a payload; even sent straight to Rasa, the action re-checks the owner."""
    chat, client, engine = await open_chat(stack, "intruder-e2e")
    try:
        async with session_scope(engine) as s:
            code = await s.scalar(select(Application.public_code).where(
                Application.status == ApplicationStatus.SENT))
        answer = await chat.say(f'/accept_application{{"code": "{code}"}}')
        async with session_scope(engine) as s:
            status = await s.scalar(select(Application.status).where(Application.public_code == code))
            told = await s.scalar(select(Notification.id).where(Notification.kind == "application_accepted",
                                                                Notification.payload["code"].as_string() == code))
        assert status is ApplicationStatus.SENT and told is None
        assert answer.strip()
    finally:
        await client.close()
        await engine.dispose()
