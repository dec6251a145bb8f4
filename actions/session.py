"""Who is talking and which role they chose: the first answer of every conversation."""
from __future__ import annotations

from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet

from actions.base import ROLE_SLOT, TremplinAction, Turn
from tremplin.models import Role
from tremplin.services.accounts import set_role

ROLE_FROM_SLOT = {"eleve": Role.STUDENT, "entreprise": Role.EMPLOYER, "parent": Role.PARENT,
                  "enseignant": Role.TEACHER}


class ActionSetRole(TremplinAction):
    """Stores the declared role on the account (never admin: that one is given on the command line)."""

    action_name = "action_set_role"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        if turn.account is None:
            turn.say("Je ne te reconnais pas encore : écris /start pour commencer.")
            return None
        wanted = turn.entity("role") or turn.slot("role")
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


class ActionSessionStart(TremplinAction):
    """Every new conversation (and every one after a restart of Rasa, whose trackers live in memory)
    starts with the role of the account: a returning pupil who names a trade is searching, not lost."""

    action_name = "action_session_start"

    async def handle(self, turn: Turn) -> list[EventType] | None:
        carried = [SlotSet(name, value) for name, value in turn.tracker.slots.items()
                   if value is not None and name != "requested_slot"]
        if turn.account is not None and turn.account.role is not None:
            carried = [e for e in carried if e["name"] != "role"] + [SlotSet("role", ROLE_SLOT[turn.account.role])]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
