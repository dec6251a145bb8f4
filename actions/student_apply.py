"""Applying anonymously: which offer (re-checked in the database, whatever the button said), the
motivation masked and shown back, the student's confirmation, then the application service."""
from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import TremplinAction, TremplinFormValidation, Turn, typed_text
from actions.student_common import (
    home_commune, load_state, offer_id_from, period_of_slot, student_or_explain,
)
from tremplin.answers import read_free_text, read_yes_no
from tremplin.dates.period import range_label
from tremplin.geography import commune_label, haversine_km
from tremplin.models import (
    Offer, Student,
)
from tremplin.privacy import public_text
from tremplin.services.applications import apply, check_can_apply, mask_motivation
from tremplin.services.errors import DomainError

APPLY_SLOTS = ("apply_offer", "apply_motivation", "apply_confirm")
AFTER_REFUSAL = [{"title": "Chercher un autre stage", "payload": "/search_offers"},
                 {"title": "Mes candidatures", "payload": "/my_applications"}]
REWRITE_WORDS = 4  # at the recap, a message this long that is neither yes nor no is a new version


def rewritten_motivation(text: str) -> str | None:
    """At « Je l'envoie ? », a new version of the message (not a « oui » or a « non »)."""
    text = " ".join((text or "").split())
    if read_yes_no(text) is not None or len(text.split()) < REWRITE_WORDS or text.startswith("/"):
        return None
    return text


def searched_week(turn: Turn, student: Student) -> date | None:
    """The week the pupil searched for (typed, so wanted), else None: the class's week applies."""
    searched = period_of_slot(turn.slot("periode"))
    return searched[0] if searched else None


async def check_offer(turn: Turn, student: Student, offer_id: int, week_start: date | None = None) -> Offer:
    """Every rule the service will apply, checked before the student writes a word."""
    return await check_can_apply(turn.session, student, offer_id, week_start)


class ValidateApplyForm(TremplinFormValidation):
    form = "apply_form"
    readers = {"apply_offer": read_free_text, "apply_motivation": read_free_text, "apply_confirm": read_yes_no}
    whole_text = frozenset({"apply_motivation"})
    corrections = {"apply_motivation": rewritten_motivation}  # a new version typed at the recap

    def _stop(self, message: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
        self.turn.say(message, buttons=buttons)
        return {slot: None for slot in APPLY_SLOTS} | {"requested_slot": None}

    async def validate_apply_offer(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        student = await student_or_explain(self.turn, "postuler à un stage")
        if student is None:
            return {slot: None for slot in APPLY_SLOTS} | {"requested_slot": None}
        offer_id = offer_id_from(value, load_state(self.turn))
        if offer_id is None:
            dispatcher.utter_message(response="utter_invalid_apply_offer")
            return {"apply_offer": None}
        week = searched_week(self.turn, student)
        try:
            offer = await check_offer(self.turn, student, offer_id, week)
        except DomainError as err:
            return self._stop(err.message, AFTER_REFUSAL)
        self.turn.say(f"Super choix 👍 « {public_text(offer.title)} » à {commune_label(offer.commune_insee)}.")
        if (week is not None and student.stage_start is not None and student.stage_end is not None
                and week != student.stage_start):
            self.turn.say(f"⚠️ Ce n'est pas la semaine de stage de ta classe "
                          f"({range_label(student.stage_start, student.stage_end)}) : parles-en à ton professeur "
                          "avant, c'est le collège qui signe la convention.")
        return {"apply_offer": f"« {public_text(offer.title)} » (réf. O-{offer.id})"}

    async def validate_apply_motivation(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") not in ("apply_motivation", "apply_confirm"):
            return {"apply_motivation": None}  # left over from a form called off: never reused unasked
        student = await student_or_explain(self.turn, "postuler à un stage")
        if student is None:
            return {slot: None for slot in APPLY_SLOTS} | {"requested_slot": None}
        try:
            masked = mask_motivation(str(value or ""), student.first_name)
        except DomainError as err:
            self.turn.say(err.message)
            return {"apply_motivation": None}
        if masked.changed:  # said only when something was hidden, and what
            self.turn.say(f"🔒 J'ai masqué ce qui pourrait te reconnaître ({masked.summary()}) : l'employeur "
                          "lira exactement le message ci-dessous. Pour le changer, écris simplement ta "
                          "nouvelle version.")
        return {"apply_motivation": masked.text}

    async def validate_apply_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "apply_confirm":
            return {"apply_confirm": None}  # a « oui » is only a « oui » to the recap just shown
        if not value and len(typed_text(tracker).split()) > REWRITE_WORDS + 2:
            # « non attends jveux enlever mon snap : … »: a change wanted, not a refusal to send anything
            self.turn.say("Tu veux changer ton message ? Écris la nouvelle version en entier, je te la "
                          "montrerai avant d'envoyer. Ou réponds « non » pour ne rien envoyer.")
            return {"apply_confirm": None}
        return {"apply_confirm": bool(value)}


class ActionApply(TremplinAction):
    action_name = "action_apply"

    async def handle(self, turn: Turn) -> None:
        offer_ref, motivation, confirmed = (turn.slot(s) for s in APPLY_SLOTS)
        for slot in APPLY_SLOTS:
            turn.set(slot, None)  # the next application starts from scratch
        if confirmed is False:
            turn.say("Ok, je n'envoie rien. Tu pourras postuler plus tard en appuyant sur « Postuler ».",
                     buttons=[{"title": "Voir mes résultats", "payload": "/show_more"}])
            return
        if not offer_ref or not motivation or confirmed is not True:
            return  # the form was stopped with an explanation already given
        student = await student_or_explain(turn, "postuler à un stage")
        offer_id = offer_id_from(offer_ref, None)
        if student is None or offer_id is None:
            return
        try:
            week = searched_week(turn, student)
            offer = await check_offer(turn, student, offer_id, week)  # again: things may have changed meanwhile
            home = await home_commune(turn, student)
            distance = haversine_km(home.lat, home.lon, offer.latitude, offer.longitude) if home else None
            async with turn.session.begin_nested():
                application = await apply(turn.session, student, offer.id, motivation,
                                          week_start=week, distance_km=distance)
        except DomainError as err:
            turn.say(err.message, buttons=AFTER_REFUSAL)
            return
        turn.say(f"C'est envoyé ✅ Ta candidature {application.public_code} est partie pour « {public_text(offer.title)} ». "
                 "Elle est anonyme : l'employeur voit ton message et ta semaine, pas ton nom ni ton collège. "
                 "Je te préviens dès qu'il répond (en général sous quelques jours).",
                 buttons=[{"title": "Mes candidatures", "payload": "/my_applications"},
                          {"title": "Voir d'autres offres", "payload": "/show_more"}])
