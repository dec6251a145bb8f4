"""Parents: link to a child with the "P-" code (or the `parent-<CODE>` deep link), then ask where the
child stands. A parent reads statuses in plain words; the host's name only once accepted, never its
private contact (that goes to the student alone)."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import TremplinAction, TremplinFormValidation, Turn
from actions.chat import button
from actions.student_applications import ActionMyApplications
from tremplin.answers import read_free_text
from tremplin.models import Role
from tremplin.services.errors import DomainError
from tremplin.services.follow import link_child, status_for_parent

# "P-ABCD2345", "p abcd 2345", "parent-P-ABCD2345" (deep link), "PABCD2345".
_C = "[A-HJ-NP-Z2-9]"  # the alphabet of random codes: no 0/O, 1/I
_LINK_CODE = re.compile(rf"(?:^|[^A-Z0-9])P[\s-]+({_C}{{4}})[\s-]?({_C}{{4}})(?![A-Z0-9])")
_BARE_CODE = re.compile(rf"^P?\s*({_C}{{4}})[\s-]?({_C}{{4}})$")
STUDENT_REFUSAL = ("Ça, c'est pour les parents 🙂 Toi, tu peux créer un code pour ton parent en écrivant "
                   "« inviter un parent », et suivre tes candidatures avec « mes candidatures ».")


def clean_link_code(text: str | None) -> str | None:
    """The code in canonical form, or None when the text holds nothing that looks like one."""
    raw = (text or "").upper().replace("PARENT-", " ").replace("/START", " ")
    match = _LINK_CODE.search(" " + raw) or _BARE_CODE.match(raw.strip())
    return f"P-{match.group(1)}{match.group(2)}" if match else None


class ValidateLinkChildForm(TremplinFormValidation):
    """Only the shape of the code is checked here: redeeming it (and counting failures) is the submit."""

    form = "link_child_form"
    readers = {"link_code": read_free_text}

    async def validate_link_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: dict[str, Any]) -> dict[str, Any]:
        turn = self.turn
        if turn.is_student:  # leave the form: action_link_child then explains
            return {"link_code": None, "requested_slot": None}
        code = clean_link_code(value) or clean_link_code(turn.entity("code"))
        if code is None:
            dispatcher.utter_message(text="Je ne reconnais pas ce code : il ressemble à « P-ABCD2345 » "
                                          "(un P, un tiret et 8 caractères). Votre enfant le crée en écrivant "
                                          "« inviter un parent » ; vous pouvez aussi écrire « annuler ».")
            return {"link_code": None}
        return {"link_code": code}


class ActionLinkChild(TremplinAction):
    """Redeem the code; wrong, expired or reused codes are explained and count against the hourly limit."""

    action_name = "action_link_child"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        reset = [SlotSet("link_code", None)]
        if turn.account is None:
            turn.say("Je ne vous reconnais pas encore : écrivez /start pour commencer.")
            return reset
        if turn.is_student:
            turn.say(STUDENT_REFUSAL)
            return reset
        code = clean_link_code(turn.slot("link_code")) or clean_link_code(turn.entity("code"))
        if code is None:
            turn.say("Il me faut le code de liaison de votre enfant (il commence par « P- »). "
                     "Écrivez « lier mon enfant » pour recommencer.")
            return reset
        try:
            student = await link_child(turn.session, turn.account, code)
        except DomainError as err:
            # Nothing was written by the refused attempt; the failure itself is already counted
            # (in its own transaction), so the answer can be given without a rollback.
            turn.say(err.message, buttons=[button("Réessayer", "link_child")]
                     if err.code != "too_many_attempts" else None)
            return reset
        name = student.first_name or "votre enfant"
        turn.say(f"C'est fait : votre compte est relié à celui de {name}. {name[:1].upper() + name[1:]} en est informé(e) et peut "
                 "retirer ce lien à tout moment depuis son compte.\nVous recevrez un message quand une "
                 "candidature est acceptée, refusée ou sans réponse, et quand la convention attend votre "
                 "signature.", buttons=[button(f"Où en est {name} ?", "ask_status")])
        return [*reset, SlotSet("role", "parent")]


def _application_lines(child) -> list[str]:
    lines = []
    for code, words in child.applications:
        lines.append(f"   • candidature {code} : {words}")
    return lines


class ActionAskStatus(TremplinAction):
    """One plain-words paragraph per linked child, from the services' summary."""

    action_name = "action_ask_status"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        if turn.is_student:  # « le patron a répondu ? » from a pupil: their own applications
            await ActionMyApplications().handle(turn)
            return None
        if turn.account is None or turn.account.role not in (None, Role.PARENT):
            turn.say("Le suivi d'un enfant est réservé aux parents reliés à son compte. Les enseignants "
                     "suivent leurs élèves avec « ma classe ».")
            return None
        children = await status_for_parent(turn.session, turn.account)
        if not children:
            turn.say("Votre compte n'est encore relié à aucun enfant. Demandez-lui son code de liaison : il "
                     "le crée en écrivant « inviter un parent » à Tremplin, puis donnez-le-moi.",
                     buttons=[button("Lier mon enfant", "link_child")])
            return None
        paragraphs = []
        for child in children:
            lines = [child.summary[:1].upper() + child.summary[1:]]
            if child.placement is None:
                lines += _application_lines(child)
            paragraphs.append("\n".join(lines))
        intro = "Voici où en sont les démarches :" if len(children) > 1 else "Voici où en sont les démarches de stage :"
        turn.say(intro + "\n\n" + "\n\n".join(paragraphs) + "\n\nLes coordonnées de l'entreprise sont données "
                 "à votre enfant dès qu'une candidature est acceptée.")
        return None
