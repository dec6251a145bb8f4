"""Reviewing anonymous applications one by one, accepting (a place taken atomically, then the student's
first name, collège and teacher revealed) and declining with a kind message."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod

from rasa_sdk.events import EventType, SlotSet

from actions.base import TremplinAction, Turn
from actions.chat import signed_in
from actions.employer_common import EmployerAction, current_employer, offer_ref
from actions.employer_contacts import answer_join_request, join_code, show_join_requests
from tremplin.answers import parse_count
from tremplin.dates.period import range_label
from tremplin.models import Application, Employer, Offer
from tremplin.privacy.identifiers import find_application_code
from tremplin.queries.employers import pending_applications
from tremplin.services.acceptance import accept_and_tell_teacher
from tremplin.services.applications import check_can_decline, decline, mark_seen
from tremplin.services.errors import DomainError

# Addressed to a 14-year-old: "tu". The employer picks one, or writes their own (scrubbed by the service).
DECLINE_WORDINGS = [
    "Merci pour ta candidature ! Nous n'avons plus de place à cette période, mais ta motivation nous a fait "
    "plaisir. Bonne chance pour ta recherche !",
    "Merci pour ton message. Notre activité ne nous permet pas d'accueillir un stagiaire cette semaine-là. "
    "Nous te souhaitons de trouver un beau stage !",
    "Merci de ton intérêt pour notre métier. Nous avons déjà retenu un autre élève, mais n'hésite pas à postuler "
    "ailleurs : tu as de bonnes idées !",
]
EXPIRY_NOTE = "Sans réponse, une candidature expire au bout de 15 jours et l'élève en est prévenu."


def application_code(turn: Turn) -> str | None:
    for value in (turn.entity("code"), turn.slot("code")):
        if code := find_application_code(str(value or "")):
            return code
    return None


def card(application: Application, offer: Offer, position: int, total: int) -> str:
    """Only what keeps the student anonymous: code, motivation, week and distance band."""
    return (f"Candidature {application.public_code} pour « {offer.title} » ({position} sur {total} en attente)\n"
            f"• semaine : {range_label(application.week_start, application.week_end)}\n"
            f"• distance : {application.distance_band or 'non précisée'}\n"
            f"• motivation : « {application.motivation} »")


class ActionReviewApplications(EmployerAction):
    action_name = "action_review_applications"

    async def for_employer(self, turn: Turn, employer: Employer) -> list[EventType] | None:
        offer_id, _ = offer_ref(turn.entity("code"))
        pending = await pending_applications(turn.session, employer.id, offer_id)
        after = find_application_code(turn.entity("code"))  # "Plus tard": the next one
        if not after and offer_id is None:
            await show_join_requests(turn, employer.id)  # someone asking to join the company comes first
        if after:
            codes = [a.public_code for a, _ in pending]
            index = codes.index(after) + 1 if after in codes else 0
            pending = pending[index:]
            if not pending:
                turn.say("C'est tout pour l'instant : les candidatures laissées pour plus tard vous attendent. "
                         + EXPIRY_NOTE,
                         buttons=[{"title": "Revoir les candidatures", "payload": "/review_applications"}])
                return None
        if not pending:
            turn.say("Aucune candidature en attente pour le moment. Je vous préviens dès qu'un élève postule.",
                     buttons=[{"title": "Mes offres", "payload": "/my_offers"}])
            return None
        application, offer = pending[0]
        await mark_seen(turn.session, signed_in(turn), application.public_code)
        total = len(await pending_applications(turn.session, employer.id, offer_id))
        position = total - len(pending) + 1
        code = application.public_code
        turn.say(card(application, offer, position, total) + "\nL'élève reste anonyme jusqu'à votre acceptation.",
                 buttons=[{"title": "Accepter", "payload": f'/accept_application{{"code": "{code}"}}'},
                          {"title": "Refuser", "payload": f'/decline_application{{"code": "{code}"}}'},
                          {"title": "Plus tard", "payload": f'/review_applications{{"code": "{code}"}}'}])
        return [SlotSet("code", code)]


class _Answer(TremplinAction, ABC):
    """Accepting or declining: a request to join the company (« J-… ») is answered as such; otherwise the
    application code is asked for when missing."""

    approve: bool
    verb: str  # « Quelle candidature {verb}-vous ? »

    async def handle(self, turn: Turn) -> list[EventType] | None:
        if (join := join_code(turn)) is not None:
            await answer_join_request(turn, join, approve=self.approve)
            return [SlotSet("code", None)]
        employer = await current_employer(turn)
        if employer is None:
            return None
        code = application_code(turn)
        if code is None:
            turn.say(f"Quelle candidature {self.verb}-vous ? Donnez son code (par exemple C-4829KQ), ou revoyez la "
                     "liste.", buttons=[{"title": "Voir les candidatures", "payload": "/review_applications"}])
            return None
        return await self.answer(turn, employer, code)

    @abstractmethod
    async def answer(self, turn: Turn, employer: Employer, code: str) -> list[EventType] | None:
        """The answer to the application `code`, worded for the employer."""


class ActionAcceptApplication(_Answer):
    action_name = "action_accept_application"
    approve, verb = True, "acceptez"

    async def answer(self, turn: Turn, employer: Employer, code: str) -> list[EventType] | None:
        done = await accept_and_tell_teacher(turn.session, signed_in(turn), employer, code)
        application, offer, student = done.application, done.offer, done.student
        lines = [f"C'est accepté : {student.first_name} fera son stage chez vous, "
                 f"{range_label(application.week_start, application.week_end)}. Je l'ai prévenu(e)."]
        if student.school:
            lines.append(f"Collège : {student.school}"
                         + (f", classe {student.class_name}" if student.class_name else ""))
        if student.teacher_contact:
            lines.append(f"Professeur référent, pour la convention : {student.teacher_contact}")
        if done.teacher_told:
            lines.append("Son professeur a reçu vos coordonnées par Tremplin pour préparer la convention de stage : "
                         "il ou elle vous contactera, et vous pouvez aussi appeler le secrétariat du collège.")
        else:
            lines.append("Son professeur n'est pas encore sur Tremplin : la convention de stage se prépare avec le "
                         "secrétariat du collège ; l'élève a reçu vos coordonnées.")
        lines.append("L'offre est maintenant complète : les autres candidats en attente en sont informés."
                     if offer.places_left == 0 else f"Il reste {offer.places_left} place(s) sur cette offre.")
        turn.say("\n".join(lines), buttons=[{"title": "Candidature suivante", "payload": "/review_applications"}])
        return [SlotSet("code", None)]


class ActionDeclineApplication(_Answer):
    action_name = "action_decline_application"
    approve, verb = False, "refusez"

    async def answer(self, turn: Turn, employer: Employer, code: str) -> list[EventType] | None:
        try:
            await check_can_decline(turn.session, signed_in(turn), code)
        except DomainError as err:
            if err.code != "already_answered":
                raise
            turn.say(err.message)
            return None
        choice = parse_count(turn.entity("nombre"))
        message = self.own_words(turn, code)
        if choice is None and message is None:
            wordings = "\n".join(f"{i}. « {w} »" for i, w in enumerate(DECLINE_WORDINGS, 1))
            turn.say(f"Voulez-vous joindre un petit mot pour l'élève ? Il compte beaucoup à 14 ans.\n{wordings}\n"
                     f"Vous pouvez aussi écrire le vôtre : « refuser {code} : votre message » (sans coordonnées).",
                     buttons=[*({"title": f"Message {i}", "payload": f'/decline_application{{"code": "{code}", '
                                 f'"nombre": "{i}"}}'} for i in range(1, len(DECLINE_WORDINGS) + 1)),
                              {"title": "Refuser sans message", "payload": f'/decline_application{{"code": "{code}", '
                                                                          '"nombre": "0"}'}])
            return None
        if message is None and choice:
            message = DECLINE_WORDINGS[min(choice, len(DECLINE_WORDINGS)) - 1]
        await decline(turn.session, signed_in(turn), code, message)
        turn.say("C'est fait : l'élève est prévenu(e)" + (" avec votre message." if message else "."),
                 buttons=[{"title": "Candidature suivante", "payload": "/review_applications"}])
        return [SlotSet("code", None)]

    @staticmethod
    def own_words(turn: Turn, code: str) -> str | None:
        """"refuser C-4829KQ : désolé, nous sommes complets" → the words after the code."""
        text = str(turn.tracker.latest_message.get("text") or "")
        if text.startswith("/"):
            return None
        match = re.search(re.escape(code), text, re.IGNORECASE)
        words = text[match.end():].strip(" :;,.-–—\n") if match else ""
        return words if len(words) >= 10 else None
