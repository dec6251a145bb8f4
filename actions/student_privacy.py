"""A student's control over their data: invite a parent (single-use code, 7 days), see everything
stored and until when, delete everything (the conversation in Rasa's tracker store goes a few
seconds later, through the notifier). Showing and deleting serve every role (adults get « vous »)."""
from __future__ import annotations

from datetime import timedelta

from rasa_sdk.events import AllSlotsReset

from actions.base import TremplinAction, Turn
from actions.student_common import StudentAction
from tremplin.dates.period import french_date
from tremplin.models import Student, utcnow
from tremplin.services.follow import parent_links_of
from tremplin.services.parents import CODE_VALIDITY, create_link_code
from tremplin.services.privacy import delete_my_data, show_my_data


class ActionInviteParent(StudentAction):
    action_name = "action_invite_parent"
    doing = "inviter un parent à suivre tes candidatures"

    async def for_student(self, turn: Turn, student: Student) -> None:
        code = await create_link_code(turn.session, student)
        until = french_date((utcnow() + CODE_VALIDITY - timedelta(minutes=1)).date())
        linked = len(await parent_links_of(turn.session, student))
        already = (f" ({linked} parent{'s' if linked > 1 else ''} déjà relié{'s' if linked > 1 else ''} à ton compte.)"
                   if linked else "")
        turn.say(f"Voici ton code parent : {code}\n"
                 f"Donne-le à ton parent : il l'envoie à Tremplin depuis sa propre messagerie, ou il écrit "
                 f"directement « /start parent-{code} ». Le code marche une seule fois, jusqu'au {until} (7 jours)."
                 f"{already}\nTon parent verra où en sont tes candidatures, pas tes messages. Tu pourras retirer "
                 "ce lien quand tu veux.")


class ActionShowMyData(TremplinAction):
    action_name = "action_show_my_data"

    async def handle(self, turn: Turn) -> None:
        if turn.account is None:
            turn.say("Je n'ai aucune donnée sur toi : tu n'as pas encore de compte. Écris /start pour commencer.")
            return
        turn.say(await show_my_data(turn.session, turn.account), buttons=[
            {"title": turn.t("Supprimer mes données", "Supprimer mes données"), "payload": "/delete_my_data"}])


class ActionDeleteMyData(TremplinAction):
    """Reached after `utter_confirm_delete` and a « oui »; refuses to act on anything else."""

    action_name = "action_delete_my_data"

    async def handle(self, turn: Turn) -> list | None:
        if turn.account is None:
            turn.say("Il n'y a rien à supprimer : aucune donnée n'est enregistrée pour cette conversation.")
            return None
        intent = (turn.tracker.latest_message.get("intent") or {}).get("name")
        if intent != "affirm":
            turn.say(turn.t("Je ne supprime rien sans ton accord. Écris « supprimer mes données » puis confirme.",
                            "Je ne supprime rien sans votre accord. Écrivez « supprimer mes données » puis "
                            "confirmez."))
            return None
        turn.say(await delete_my_data(turn.session, turn.account))
        # The gateway caches who has an account: tell it this chat starts over (bot/relay.py).
        turn.dispatcher.utter_message(json_message={"tremplin": "forget_sender"})
        return [AllSlotsReset()]
