"""What was typed is used, whatever the intent: a message the NLU could not place (nlu_fallback) or that
only informs (« tapissier à Montbrison, du 1 au 5 février, 1 place ») is read for what it holds before
the assistant says it did not understand.

- a pupil who names a trade, a place or a week is searching: the search form starts with them;
- a company's contact who gives a trade with weeks or places is offering a stage: the offer form starts;
- a « oui » / « non » right after an application was shown answers that application.
Otherwise the usual « reformulate » answer (or « what shall I do with it? » for an `inform`)."""
from __future__ import annotations

import re

from rasa_sdk.events import EventType, FollowupAction

from actions.base import TremplinAction, Turn, latest_intent, typed_text
from tremplin.answers import read_counted_places, read_dates_in_sentence, read_one_metier, read_yes_no
from tremplin.models import Role

SEARCH_ENTITIES = {"metier", "domaine", "lieu", "periode"}
_ACCEPT_WORDS = ("je la prends", "je le prends", "on la prend", "on le prend", "on l'accueille", "avec plaisir",
                 "ça me va", "ca me va", "d'accord pour", "ok pour", "banco", "go pour")
_DECLINE_WORDS = ("pas pour cette fois", "complet", "on passe", "pas possible", "non merci", "pas cette fois",
                  "ne pourra pas", "ne pourrons pas", "pas de place")


# A pupil asking how a parent can follow: that is the parent's code, not the list.
PARENT_FOLLOWS = re.compile(r"\b(?:p[eè]re|m[eè]re|parents?|daron(?:ne)?|papa|maman|tuteur|tutrice)\b.*"
                            r"\b(?:voir|suivre|regarder|savoir|acc[eè]s)"
                            r"|\b(?:voir|suivre).*\b(?:mon p[eè]re|ma m[eè]re|mes parents|mon daron|ma daronne|"
                            r"papa|maman)\b")


def previous_action(turn: Turn) -> str | None:
    """The bot's last action before this message (its answer to which the user is replying)."""
    for event in reversed(turn.tracker.events or []):
        if event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            return str(event.get("name"))
    return None


def answer_to_application(text: str) -> bool | None:
    lowered = text.lower()
    if any(w in lowered for w in _DECLINE_WORDS):
        return False
    if any(w in lowered for w in _ACCEPT_WORDS):
        return True
    return read_yes_no(text)


class ActionUseWhatWasSaid(TremplinAction):
    action_name = "action_use_what_was_said"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        text = typed_text(turn.tracker)
        entities = {str(e.get("entity")) for e in turn.tracker.latest_message.get("entities") or []}
        role = turn.account.role if turn.account else None
        if role is Role.EMPLOYER and previous_action(turn) == "action_review_applications" and text \
                and (choice := answer_to_application(text)) is not None:
            return [FollowupAction("action_accept_application" if choice else "action_decline_application")]
        if role in (None, Role.STUDENT) and PARENT_FOLLOWS.search(text.lower()):
            return [FollowupAction("action_invite_parent")]
        if role in (None, Role.STUDENT) and turn.slot("role") in (None, "eleve") \
                and (entities & SEARCH_ENTITIES or (text and read_one_metier(text))):
            return [FollowupAction("search_form")]  # « g envie de faire plombier »: a wish is a search
        if role is Role.EMPLOYER and text and read_one_metier(text) \
                and (read_counted_places(text) or read_dates_in_sentence(text)):
            return [FollowupAction("publish_offer_form")]
        if latest_intent(turn.tracker) == "deny":  # a « non » to nothing in particular
            turn.say(turn.t("D'accord 👍 Qu'est-ce que tu veux faire maintenant ?",
                            "D'accord. Que souhaitez-vous faire maintenant ?"))
            return None
        unclear = latest_intent(turn.tracker) != "inform"
        turn.dispatcher.utter_message(response="utter_default" if unclear else "utter_inform_without_context")
        return None
