"""Who is talking and which role they chose: the first answer of every conversation."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ROLE_SLOT, TremplinAction, Turn, log
from tremplin.db import get_engine, session_scope
from tremplin.models import Role
from tremplin.queries.people import account_for
from tremplin.services.accounts import set_role
from tremplin.text import normalize

ROLE_FROM_SLOT = {"eleve": Role.STUDENT, "entreprise": Role.EMPLOYER, "parent": Role.PARENT,
                  "enseignant": Role.TEACHER}


def role_key(value: object) -> str:
    """The slot's value for what the NLU read. « je suis élève » comes back as « élève »: the
    accents are folded before the synonyms apply (« eleve » is already the canonical value), and
    the user's own spelling is then put back (nlu/components.py, SmsRestorer)."""
    key = normalize(str(value or ""))
    return key if key in ROLE_FROM_SLOT else str(value or "")


class ActionSetRole(TremplinAction):
    """Stores the declared role on the account (never admin: that one is given on the command line)."""

    action_name = "action_set_role"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        if turn.account is None:
            turn.say("Je ne te reconnais pas encore : écris /start pour commencer.")
            return None
        wanted = role_key(turn.entity("role") or turn.slot("role"))
        if turn.account.role is not None and turn.account.role is not ROLE_FROM_SLOT.get(wanted or ""):
            # The role of an existing account does not change by chat (a student cannot become an employer).
            turn.set("role", ROLE_SLOT[turn.account.role])
            return None
        role = ROLE_FROM_SLOT.get(wanted or "")
        if role is None:
            turn.say("Tu es plutôt élève, entreprise, parent ou enseignant ?", buttons=[
                {"title": "Élève", "payload": '/declare_role{"role": "eleve"}'},
                {"title": "Entreprise", "payload": '/declare_role{"role": "entreprise"}'},
                {"title": "Parent", "payload": '/declare_role{"role": "parent"}'},
                {"title": "Enseignant·e", "payload": '/declare_role{"role": "enseignant"}'}])
            return None
        await set_role(turn.session, turn.account, role)
        turn.set("role", wanted)
        return None


class ActionSessionStart(Action):
    """Every new conversation (and every one after a restart of Rasa, whose trackers live in memory)
    starts with the role of the account: a returning pupil who names a trade is searching, not lost.
    The session always starts, even when the account cannot be read (then without the role)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        carried = {name: value for name, value in tracker.slots.items()
                   if value is not None and name not in ("requested_slot", "session_started_metadata")}
        try:
            async with session_scope(get_engine()) as session:
                account = await account_for(session, tracker.sender_id)
                if account is not None and account.role is not None:
                    carried["role"] = ROLE_SLOT[account.role]
        except Exception:  # noqa: BLE001 - logged; the conversation starts all the same
            log.exception("session start for %s: the account could not be read", tracker.sender_id[:10])
        return [SessionStarted(), *(SlotSet(k, v) for k, v in carried.items()), ActionExecuted("action_listen")]
